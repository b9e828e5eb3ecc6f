"""The sample pieces: ABC files, notation and the LaTeX file for the report."""

from helpers.config import get_profile, project_paths
from helpers.rnn.sample import GeneratedTune, Sampler
from helpers.ui.pieces import compose_pieces, export_pieces, piece_name

VALID = GeneratedTune("<start>\n", "X:1\nT:Jig\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|]\n<end>", True)
GARBAGE = GeneratedTune("<start>\n", "X:1\nqq||%%", False)


def test_pieces_are_written_as_abc_notation_and_latex(tmp_path):
    paths = project_paths(get_profile("quick"), root=tmp_path)
    exported = export_pieces({0.5: [VALID, GARBAGE]}, paths)
    assert [piece["name"] for piece in exported] == ["T0p5-1", "T0p5-2"]
    assert (paths.results / "pieces" / "T0p5-1.abc").read_text() == VALID.abc
    assert (paths.figures / "pieces" / "T0p5-1.pdf").read_bytes().startswith(b"%PDF")
    assert not (paths.figures / "pieces" / "T0p5-2.pdf").exists()
    latex = (paths.results / "pieces.tex").read_text()
    assert latex.count("\\begin{lstlisting}") == 2
    assert "\\includegraphics[width=\\linewidth]{pieces/T0p5-1.pdf}" in latex
    assert "Not engraved" in latex and "length limit" in latex


def test_compose_uses_the_same_seed_at_every_temperature(random_run):
    pieces = compose_pieces(Sampler.from_run(random_run), (0.5, 2.0), per_temperature=3, seed=7, max_length=40)
    assert list(pieces) == [0.5, 2.0] and all(len(tunes) == 3 for tunes in pieces.values())
    again = compose_pieces(Sampler.from_run(random_run), (0.5,), per_temperature=3, seed=7, max_length=40)
    assert again[0.5] == pieces[0.5]
    assert piece_name(1.0, 0) == "T1-1"
