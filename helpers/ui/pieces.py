"""The assignment's sample pieces: tunes at several temperatures, saved as ABC files and engraved notation."""

from __future__ import annotations

import json
from collections.abc import Sequence

from helpers.config import ProjectPaths
from helpers.report.pieces_section import MANIFEST, PIECES
from helpers.rnn.sample import GeneratedTune, Sampler
from helpers.ui.render import export_figure

__all__ = ["compose_pieces", "export_pieces"]


def compose_pieces(
    sampler: Sampler,
    temperatures: Sequence[float],
    per_temperature: int,
    seed: int,
    max_length: int = 1500,
    constrained: bool = False,
) -> dict[float, list[GeneratedTune]]:
    """{T: [tune, ...]}: the same seed at each temperature, so only T differs between rows.

    constrained=True writes them with the grammar's mask (valid ABC only).
    """
    return {
        float(t): sampler.sample(
            n=per_temperature, temperature=t, seed=seed, max_length=max_length, constrained=constrained
        )
        for t in temperatures
    }


def piece_name(temperature: float, index: int) -> str:
    """e.g. T0p5-2: no dot, which LaTeX would take for the start of a file extension."""
    return f"T{temperature:g}-{index + 1}".replace(".", "p")


def export_pieces(pieces: dict[float, list[GeneratedTune]], paths: ProjectPaths) -> list[dict]:
    """Write each piece's ABC (results/<tag>/pieces/), its notation (figures/<tag>/pieces/) and a manifest of both.

    Returns one entry per piece, as the manifest has it, with the tune itself added for showing it.
    """
    folder = paths.results / PIECES
    folder.mkdir(parents=True, exist_ok=True)
    exported = []
    for temperature, tunes in pieces.items():
        for index, tune in enumerate(tunes):
            name = piece_name(temperature, index)
            (folder / f"{name}.abc").write_text(tune.abc, encoding="utf-8")
            engraving = export_figure(tune.abc, paths.figures / PIECES / name)
            exported.append(
                {
                    "name": name,
                    "temperature": temperature,
                    "finished": tune.finished,
                    "engraved": engraving.ok,
                    "message": engraving.message,
                    "tune": tune,
                }
            )
    manifest = [{key: value for key, value in piece.items() if key != "tune"} for piece in exported]
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return exported
