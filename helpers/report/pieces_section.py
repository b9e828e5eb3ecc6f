"""The report's sample pieces: each piece's ABC text and its notation, read from what 04_generate exported."""

from __future__ import annotations

from pathlib import Path

from helpers.files import read_json
from helpers.report.latex import latex_escape

__all__ = ["MANIFEST", "PIECES", "write_pieces_section"]

PIECES = "pieces"  # results/<profile>/pieces/ holds the ABC files, figures/<profile>/pieces/ the notation
MANIFEST = "pieces.json"  # in results/<profile>/pieces/: name, temperature, finished, engraved, message per piece
MAX_LISTING = 3000  # characters of ABC shown per piece; a tune that never ended can be long


def read_pieces(results: Path) -> list[dict]:
    """The exported pieces, in order, each with its ABC text read from its file."""
    manifest = Path(results) / PIECES / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"no pieces in {manifest.parent}: run notebooks/04_generate.ipynb first")
    pieces = read_json(manifest, "export the pieces again (notebooks/04_generate.ipynb)")
    return [piece | {"abc": (manifest.parent / f"{piece['name']}.abc").read_text(encoding="utf-8")} for piece in pieces]


def piece_latex(piece: dict) -> str:
    """One piece: a heading with its temperature, its ABC text, then its notation or why there is none."""
    ending = "reached \\texttt{<end>}" if piece["finished"] else "stopped at the length limit"
    number = piece["name"].split("-")[-1]
    parts = [
        f"\\subsubsection*{{$T = {piece['temperature']:g}$, piece {number} ({ending})}}",
        "\\begin{lstlisting}\n" + piece["abc"].rstrip("\n")[:MAX_LISTING] + "\n\\end{lstlisting}",
    ]
    if piece["engraved"]:
        parts.append(f"\\includegraphics[width=\\linewidth]{{{PIECES}/{piece['name']}.png}}")
    else:
        parts.append(f"\\emph{{Not engraved: {latex_escape(piece['message'])}}}")
    return "\n\n".join(parts)


def write_pieces_section(results: Path, name: str = "pieces") -> Path:
    """Write <name>.tex under results (results/<profile>/) from the exported pieces, where the report looks for it."""
    path = Path(results) / f"{name}.tex"
    path.write_text("\n\n".join(piece_latex(piece) for piece in read_pieces(results)) + "\n", encoding="utf-8")
    return path
