"""One figure style for every plot; each figure is saved under figures/ as it is shown."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import matplotlib.pyplot as plt

__all__ = ["bar_counts", "factor_curves", "histogram", "loss_curves", "save_figure"]

STYLE = {
    "figure.figsize": (7, 3.6),
    "figure.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def new_figure(**kwargs) -> tuple[plt.Figure, plt.Axes]:
    """A figure and axes in the project style."""
    with plt.rc_context(STYLE):
        return plt.subplots(layout="constrained", **kwargs)


def save_figure(fig: plt.Figure, folder: Path, name: str) -> None:
    """Save as PNG (notebook, README) and PDF (report) under folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.pdf", metadata={"CreationDate": None})  # same figure, same bytes
    fig.savefig(folder / f"{name}.png", dpi=150)


def bar_counts(counts: Counter, title: str, xlabel: str = "", top: int | None = None, log: bool = False):
    """Bar chart of the most common items of a counter."""
    items = counts.most_common(top)
    fig, ax = new_figure()
    ax.bar([str(k) for k, _ in items], [v for _, v in items], color="tab:blue")
    ax.set(title=title, xlabel=xlabel, ylabel="count")
    if log:
        ax.set_yscale("log")
    ax.tick_params(axis="x", rotation=90 if len(items) > 12 else 0)
    return fig


def histogram(values: list[float], title: str, xlabel: str, bins: int = 50):
    """Histogram of a list of numbers."""
    fig, ax = new_figure()
    ax.hist(values, bins=bins, color="tab:blue")
    ax.set(title=title, xlabel=xlabel, ylabel="tunes")
    return fig


def loss_curves(history: list[dict], title: str):
    """Training and validation loss per epoch, nats on the left axis and bits on the right."""
    fig, ax = new_figure()
    epochs = [row["epoch"] + 1 for row in history]
    ax.plot(epochs, [row["loss"] for row in history], "o-", label="training")
    ax.plot(epochs, [row["val_loss"] for row in history], "s-", label="validation")
    ax.set(title=title, xlabel="epoch", ylabel="cross-entropy (nats / character)")
    bits = ax.secondary_yaxis("right", functions=(lambda n: n / math.log(2), lambda b: b * math.log(2)))
    bits.set_ylabel("bits / character")
    ax.legend()
    return fig


def factor_curves(train: dict, validation: dict, title: str, budget: int | None = None):
    """Training and validation loss per epoch for each level of a factor: mean over seeds, band of ±1 std.

    budget (epochs) marks the fixed budget on curves that trained longer, to convergence.
    """
    fig, axes = new_figure(ncols=2, sharey=True, figsize=(9, 3.6))
    for ax, curves, name in zip(axes, (train, validation), ("training", "validation"), strict=True):
        for label, (epochs, mean, spread) in curves.items():
            (line,) = ax.plot(epochs, mean, label=label)
            ax.fill_between(epochs, mean - spread, mean + spread, color=line.get_color(), alpha=0.2)
        if budget is not None:
            ax.axvline(budget, color="grey", linestyle="--", linewidth=1, label=f"{budget}-epoch budget")
        ax.set(title=f"{title}: {name}", xlabel="epoch")
    axes[0].set_ylabel("cross-entropy (nats / character)")
    axes[1].legend(title=title)
    return fig
