"""The sample pieces: ABC files, notation and a manifest, and the report's LaTeX read back from them."""

import json

import pytest

from helpers.config import get_profile, project_paths
from helpers.report.pieces_section import write_pieces_section
from helpers.rnn.sample import GeneratedTune, Sampler
from helpers.ui.pieces import compose_pieces, export_pieces, piece_name

VALID = GeneratedTune("<start>\n", "X:1\nT:Jig\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|]\n<end>", True)
GARBAGE = GeneratedTune("<start>\n", "X:1\nqq||%%", False)


def test_pieces_are_written_as_abc_notation_and_a_manifest(tmp_path):
    paths = project_paths(get_profile("quick"), root=tmp_path)
    exported = export_pieces({0.5: [VALID, GARBAGE]}, paths)
    assert [piece["name"] for piece in exported] == ["T0p5-1", "T0p5-2"]
    assert (paths.results / "pieces" / "T0p5-1.abc").read_text() == VALID.abc
    assert (paths.figures / "pieces" / "T0p5-1.png").read_bytes().startswith(b"\x89PNG")
    assert not (paths.figures / "pieces" / "T0p5-2.png").exists()
    manifest = json.loads((paths.results / "pieces" / "pieces.json").read_text())
    assert [(piece["finished"], piece["engraved"]) for piece in manifest] == [(True, True), (False, False)]
    assert manifest[0]["message"] is None and manifest[1]["message"]
    assert not (paths.results / "pieces.tex").exists()  # the LaTeX is the report's job


def test_the_report_section_is_written_from_what_was_exported(tmp_path):
    paths = project_paths(get_profile("quick"), root=tmp_path)
    export_pieces({0.5: [VALID, GARBAGE]}, paths)
    (paths.results / "pieces" / "T0p5-1.abc").write_text("X:1\nT:Edited after export\nK:G\nG|\n")
    latex = write_pieces_section(paths.results).read_text()
    assert latex.count("\\begin{lstlisting}") == 2 and "T:Edited after export" in latex  # read from the files
    assert "\\includegraphics[width=\\linewidth]{pieces/T0p5-1.png}" in latex
    assert "Not engraved" in latex and "length limit" in latex and "reached \\texttt{<end>}" in latex
    with pytest.raises(FileNotFoundError, match="04_generate"):
        write_pieces_section(tmp_path / "nothing")


def test_every_temperature_samples_with_the_same_seed(random_run):
    sampler = Sampler.from_run(random_run)
    pieces = compose_pieces(sampler, (0.5, 2.0), per_temperature=3, seed=7, max_length=40)
    assert list(pieces) == [0.5, 2.0] and all(len(tunes) == 3 for tunes in pieces.values())
    for temperature, tunes in pieces.items():
        assert tunes == sampler.sample(n=3, temperature=temperature, seed=7, max_length=40)
        assert tunes != sampler.sample(n=3, temperature=temperature, seed=8, max_length=40)  # the seed matters
    assert piece_name(1.0, 0) == "T1-1" and piece_name(0.5, 1) == "T0p5-2"
