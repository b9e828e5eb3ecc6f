"""Figures of the quality checks: each check and the copying against temperature, distributions against real."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from helpers.abc.music import PITCH_NAMES
from helpers.analysis.compare import (
    DISTRIBUTIONS,
    LENGTH_BIN,
    REAL,
    VALIDITY_CHECKS,
    ScoredTune,
    model_rows,
    total_variation,
)
from helpers.report.plots import new_figure

__all__ = ["plot_copying", "plot_distributions", "plot_validity"]


def plot_against_temperature(summary: Sequence[dict], columns: dict[str, str], title: str, percent: bool = True):
    """One panel per column: each model's value against temperature, the real tunes' value as a dashed line."""
    real = next(row for row in summary if row["model"] == REAL)
    temperatures = sorted({row["temperature"] for row in summary if row["model"] != REAL})
    ncols = min(3, len(columns))
    nrows = math.ceil(len(columns) / ncols)
    fig, axes = new_figure(nrows=nrows, ncols=ncols, figsize=(3.4 * ncols, 2.6 * nrows + 0.4), squeeze=False)
    for ax, (column, label) in zip(axes.flat, columns.items(), strict=False):
        for model, rows in model_rows(summary).items():
            ax.plot([row["temperature"] for row in rows], [row[column] for row in rows], "o-", label=model)
        if not math.isnan(float(real[column])):
            ax.axhline(real[column], color="0.3", linestyle="--", label="real tunes")
        if all(math.isnan(float(row[column])) for row in summary):
            ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", color="0.4")
        ax.set_xscale("log", base=2)
        ax.set_xlim(min(temperatures) / 1.2, max(temperatures) * 1.2)
        ax.set_xticks(temperatures, [f"{t:g}" for t in temperatures])
        ax.minorticks_off()
        ax.set(title=label, xlabel="temperature")
        if percent:
            ax.set_ylim(-0.03, 1.03)
            ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    for ax in list(axes.flat)[len(columns) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(title)
    return fig


def plot_validity(summary: Sequence[dict]):
    """Share of tunes passing each check against temperature, with the real tunes' share as a line."""
    return plot_against_temperature(summary, VALIDITY_CHECKS, "Validity of generated tunes against temperature")


def plot_copying(summary: Sequence[dict]):
    """Copying from the training set against temperature: longest copied passage and shared 8-note sequences."""
    columns = {
        "copy_chars_median": "longest copy (characters, median)",
        "copy_bars_mean": "longest copy (whole bars, mean)",
        "ngram_share": "8-note sequences found in training",
    }
    fig = plot_against_temperature(summary, columns, "Copying from the training tunes against temperature", False)
    fig.axes[2].set_ylim(-0.03, 1.03)
    return fig


def plot_distributions(generated: Sequence[ScoredTune], real: Sequence[ScoredTune], label: str, top: int = 10):
    """Each of DISTRIBUTIONS for generated against real tunes, with the total variation distance between them."""
    fig, axes = new_figure(nrows=3, ncols=2, figsize=(10, 8.5))
    for ax, (name, distribution) in zip(axes.flat, DISTRIBUTIONS.items(), strict=True):
        mine, theirs = distribution(generated), distribution(real)
        categories = [key for key, _ in (theirs + mine).most_common(top)]
        if name == "pitch class":
            categories = list(PITCH_NAMES)
        elif name == "interval":
            categories = list(range(-12, 13))
        elif name == "note length":
            categories.sort(key=Fraction)
        elif name == "length in bars":
            categories = sorted(set(mine) | set(theirs))
        positions = range(len(categories))
        for offset, (counts, series) in zip((-0.2, 0.2), ((theirs, "real"), (mine, label)), strict=True):
            total = sum(counts.values()) or 1
            ax.bar([p + offset for p in positions], [counts[c] / total for c in categories], width=0.4, label=series)
        if name == "length in bars":
            names = [f"{c}-{c + LENGTH_BIN - 1}" for c in categories]
        elif name == "interval":
            names = [str(c) if c % 3 == 0 else "" for c in categories]
        else:
            names = [str(c) for c in categories]
        ax.set_xticks(list(positions), names, rotation=90 if max(map(len, names), default=0) > 5 else 0, fontsize=8)
        ax.set(title=f"{name}: total variation {total_variation(mine, theirs):.2f}", ylabel="share")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{label} against real validation tunes")
    return fig
