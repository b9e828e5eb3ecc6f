"""Figures of single neurons: one unit's activation as the background colour of each character of a tune."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from helpers.analysis.neurons import HIDDEN, KIND_NAMES, Activations, UnitRanking, example_tune
from helpers.exercise import exercise
from helpers.report.plots import STYLE, save_figure

__all__ = ["draw_best_units", "neuron_heatmap", "text_grid"]

NEWLINE_GLYPH = "\u21b5"
HEATMAP_COLORMAP = "RdBu_r"


def text_grid(text: str, max_columns: int = 90) -> list[list[int]]:
    """Rows of character positions as the text is laid out: one row per line (its newline last), long lines wrapped."""
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {max_columns!r}")
    rows, row = [], []
    for i, char in enumerate(text):
        row.append(i)
        if char == "\n" or len(row) == max_columns:
            rows.append(row)
            row = []
    if row or not rows:
        rows.append(row)
    return rows


@exercise("06_neurons.ipynb", fallback="activation_strip")
def character_heatmap(text: str, values: np.ndarray, limit: float = 1.0, max_columns: int = 90) -> plt.Figure:
    """Each character of text on a cell coloured by its value (-limit blue to +limit red), in the text's lines.

    One image: row r, column c is the c-th character of the r-th line (text_grid), empty cells are NaN.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"expected one value per character of the text ({len(text)}), got shape {values.shape}")
    rows = text_grid(text, max_columns)
    columns = max(len(row) for row in rows)
    grid = np.full((len(rows), columns), np.nan)
    for r, row in enumerate(rows):
        grid[r, : len(row)] = values[row]
    size = (min(max(columns * 0.11 + 1.6, 4.5), 16), len(rows) * 0.2 + 1.0)
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    ax.imshow(grid, cmap=HEATMAP_COLORMAP, vmin=-limit, vmax=limit, aspect="auto", interpolation="none")
    for r, row in enumerate(rows):
        for c, position in enumerate(row):
            char = NEWLINE_GLYPH if text[position] == "\n" else text[position]
            color = "white" if abs(values[position]) > 0.65 * limit else "black"
            ax.text(c, r, char, ha="center", va="center", family="monospace", fontsize=7.5, color=color)
    ax.set_axis_off()
    return fig


def activation_strip(text: str, values: np.ndarray, limit: float = 1.0, max_columns: int = 90) -> plt.Figure:
    """The values as a curve over the characters and a coloured strip under it, in one long row: the student
    edition's picture, which holds no answer to the heatmap exercise (the text is not laid out in its lines)."""
    values = np.array(values, dtype=float)
    if values.ndim != 1 or len(values) != len(text):
        raise ValueError(f"expected one value per character of the text ({len(text)}), got shape {values.shape}")
    width = min(max(len(text) * 0.08, 4.5), 16)
    fig, (curve, strip) = plt.subplots(2, 1, figsize=(width, 2.4), sharex=True, height_ratios=(3, 1))
    curve.plot(np.arange(len(text)), values, color="black", linewidth=0.8)
    curve.set(ylim=(-limit, limit), ylabel="activation")
    strip.imshow(values[None, :], cmap=HEATMAP_COLORMAP, vmin=-limit, vmax=limit, aspect="auto")
    step = max(1, len(text) // max_columns)
    positions = np.arange(0, len(text), step)
    labels = [NEWLINE_GLYPH if text[i] == "\n" else text[i] for i in positions]
    strip.set_xticks(positions, labels, family="monospace", fontsize=6)
    strip.set_yticks([])
    return fig


def neuron_heatmap(
    activations: Activations,
    unit: int,
    layer: int = 0,
    kind: str = HIDDEN,
    title: str | None = None,
    max_columns: int = 90,
) -> plt.Figure:
    """One unit's activation over the tune: each character's background coloured by it, with a colour bar.

    Hidden outputs (tanh-bounded) use a fixed -1..1 scale; an LSTM cell state a scale symmetric about 0.
    """
    unit = activations.check_unit(unit, layer)
    values = activations.values(layer, kind)[:, unit]
    limit = 1.0 if kind == HIDDEN else max(float(np.abs(values).max(initial=0.0)), 1e-6)
    with plt.rc_context(STYLE | {"axes.grid": False}):
        fig = character_heatmap(activations.text, values, limit, max_columns)
        images = [image for ax in fig.axes for image in ax.images] if isinstance(fig, plt.Figure) else []
        if not images:
            raise ValueError(
                f"character_heatmap returned {type(fig).__name__}, not a matplotlib Figure with an image "
                "(ax.imshow) of the activations"
            )
        ax = images[0].axes
        ax.set_title(title or f"unit {unit}: {activations.describe(layer, kind)}", fontsize=9, loc="left")
        fig.colorbar(images[0], ax=ax, fraction=0.03, pad=0.01, label=KIND_NAMES[kind])
    return fig


def draw_best_units(
    recorded: Sequence[Activations],
    rankings: dict[str, UnitRanking],
    facts: Sequence[str],
    label: str,
    folder: Path,
    layer: int = 0,
    kind: str = HIDDEN,
) -> list[tuple[str, str]]:
    """Draw and save each fact's best unit over the shortest tune that shows the fact: (figure name, caption) each.

    A fact too rare to score is reported in a printed line instead of a figure.
    """
    shown = []
    for fact in facts:
        ranking = rankings[fact]
        if not ranking.scored:
            print(f"{label}: {ranking.summary()}")
            continue
        example = example_tune(recorded, ranking.fact)
        title = f"{label} ({KIND_NAMES[kind]}), {ranking.summary()}"
        name = "neuron_best_" + "".join(char if char.isalnum() else "-" for char in label) + f"_{fact}"
        save_figure(neuron_heatmap(example, ranking.best_unit, layer, kind, title=title), folder, name)
        shown.append((name, f"{title}, over a validation tune."))
    return shown
