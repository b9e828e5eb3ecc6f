"""The assignment's sample pieces: tunes at several temperatures, saved as ABC, notation and a LaTeX file."""

from __future__ import annotations

from helpers.config import ProjectPaths
from helpers.report.latex import latex_escape
from helpers.rnn.sample import GeneratedTune, Sampler
from helpers.ui.render import export_figure


def compose_pieces(sampler: Sampler, temperatures, per_temperature: int, seed: int, max_length: int = 1500) -> dict:
    """{T: [tune, ...]}: the same seed at each temperature, so only T differs between rows."""
    return {
        float(t): sampler.sample(n=per_temperature, temperature=t, seed=seed, max_length=max_length)
        for t in temperatures
    }


def piece_name(temperature: float, index: int) -> str:
    """e.g. T0p5-2: no dot, which LaTeX would take for the start of a file extension."""
    return f"T{temperature:g}-{index + 1}".replace(".", "p")


def export_pieces(pieces: dict[float, list[GeneratedTune]], paths: ProjectPaths) -> list[dict]:
    """Write each piece's ABC (results/<tag>/pieces/), its notation (figures/<tag>/pieces/) and pieces.tex."""
    (paths.results / "pieces").mkdir(parents=True, exist_ok=True)
    exported = []
    for temperature, tunes in pieces.items():
        for index, tune in enumerate(tunes):
            name = piece_name(temperature, index)
            (paths.results / "pieces" / f"{name}.abc").write_text(tune.abc, encoding="utf-8")
            engraving = export_figure(tune.abc, paths.figures / "pieces" / name)
            exported.append({"name": name, "temperature": temperature, "tune": tune, "message": engraving.message})
    (paths.results / "pieces.tex").write_text(pieces_latex(exported), encoding="utf-8")
    return exported


def pieces_latex(exported: list[dict]) -> str:
    """One subsection per piece: its ABC text, then its notation or why there is none."""
    parts = []
    for piece in exported:
        tune = piece["tune"]
        ending = "reached \\texttt{<end>}" if tune.finished else "stopped at the length limit"
        parts.append(
            f"\\subsubsection*{{$T = {piece['temperature']:g}$, piece {piece['name'].split('-')[-1]} ({ending})}}"
        )
        parts.append("\\begin{lstlisting}\n" + tune.abc.rstrip("\n")[:3000] + "\n\\end{lstlisting}")
        if piece["message"] is None:
            parts.append(f"\\includegraphics[width=\\linewidth]{{pieces/{piece['name']}.pdf}}")
        else:
            parts.append(f"\\emph{{Not engraved: {latex_escape(piece['message'])}}}")
    return "\n\n".join(parts) + "\n"
