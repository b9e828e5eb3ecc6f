"""The report's "Inside the network" section: method, heatmaps, the table of best scores and what it says."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from pathlib import Path

from helpers.analysis.neurons import MIN_POSITIVES, UnitRanking, training_gains
from helpers.report.latex import latex_count, latex_table, latex_text

__all__ = ["format_scores", "write_neurons_section"]

TRAINED, RANDOM = "trained", "random weights"
TABLE_CAPTION = (
    "Best single hidden unit per structural fact, on held-out tunes: the score and, after #, the unit. "
    "h: hidden output, c: LSTM cell state; random: the same network with untrained weights."
)
METHOD = (
    "Each validation tune, between its \\texttt{{<start>}} and \\texttt{{<end>}} lines, is read by the trained "
    "network, and every hidden unit's activation is recorded after each character (for an LSTM both its "
    "hidden output $h$ and its cell state $c$). Every character is labelled with facts read from the ABC "
    "text alone: in the header or the body, in which field line, inside a quoted annotation, a grace group "
    "or a chord, a note letter, a duration or a bar line, near the end, and the number of characters since "
    "the last bar line. Each unit is scored by how well its activation alone predicts each fact: "
    "$\\max(\\mathrm{{AUC}}, 1 - \\mathrm{{AUC}})$ for a yes/no fact (rank-based, 0.5 is chance) and $|r|$ for "
    "the bar position, over {tunes} validation tunes ({characters} characters of tune text). A yes/no fact "
    "that fewer than {min_positives} characters have (or lack) is not scored. The control is the same "
    "architecture with untrained weights, as Keras initialises them, ranked in the same way."
)

Columns = dict[str, dict[str, UnitRanking]]


def score_cell(ranking: UnitRanking | None) -> str:
    """'0.93 (#12)': the best unit's score and index; '--' where the fact was not scored."""
    if ranking is None or not ranking.scored:
        return "--"
    return f"{ranking.best_score:.2f} (#{ranking.best_unit})"


def score_grid(columns: Columns, short: bool) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the best scores: one row per fact (its short label or description), one column per model."""
    if not columns:
        raise ValueError("expected at least one model's rankings")
    facts = list(dict.fromkeys(fact for rankings in columns.values() for fact in rankings))
    first = next(iter(columns.values()))
    rows = []
    for fact in facts:
        ranking = first.get(fact)
        name = fact if ranking is None else ranking.fact.label if short else ranking.fact.description
        cells = [score_cell(rankings.get(fact)) for rankings in columns.values()]
        rows.append([name, ranking.measure if ranking else "", *cells])
    return ["fact", "measure", *columns], rows


def format_scores(columns: Columns) -> str:
    """A plain-text table: one row per fact, one column per model, 'best score (#unit)' in each cell."""
    header, body = score_grid(columns, short=False)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [header, *body]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def scores_table(columns: Columns, caption: str = TABLE_CAPTION, label: str = "tab:neuron-scores") -> str:
    """The best scores as a LaTeX table, its model columns grouped under "trained" and "random weights"."""
    header, body = score_grid(columns, short=True)
    kinds = [RANDOM if " random " in name else TRAINED for name in columns]
    groups = None
    if len(set(kinds)) > 1:
        groups = [("", 2), *((kind, len(list(run))) for kind, run in groupby(kinds))]
        header = header[:2] + [name.replace(" random ", " ") for name in header[2:]]
    rows = [[latex_text(cell) for cell in row] for row in body]
    return latex_table([latex_text(cell) for cell in header], rows, latex_text(caption), label, "4pt", groups)


def reading(columns: Columns) -> str:
    """What the table says, in sentences written from its numbers."""
    gains = training_gains(columns)
    if not gains:
        return "No trained network was ranked next to a random twin."

    def said(row: dict) -> str:
        return f"{row['fact'].description} ({row['column']}: {row['trained']:.2f} against {row['random']:.2f})"

    binary = sorted((row for row in gains if not row["fact"].numeric), key=lambda r: r["random"] - r["trained"])
    sentences = [
        "The largest gains of a trained network over the same network with random weights, in AUC: "
        + "; ".join(said(row) for row in binary[:4])
        + "."
    ]
    numeric = [row for row in gains if row["fact"].numeric]
    if numeric:
        best = max(numeric, key=lambda row: row["trained"] - row["random"])
        sentences.append(f"The best numeric gain, in |r|: {said(best)}.")
    best_per_fact: dict[str, float] = {}
    for row in binary:
        best_per_fact[row["fact"].description] = max(best_per_fact.get(row["fact"].description, 0.0), row["trained"])
    weak = [fact for fact, score in best_per_fact.items() if score < 0.7]
    if weak:
        sentences.append("No trained unit predicts these facts well (best AUC below 0.7): " + "; ".join(weak) + ".")
    sentences.append(
        "A random network's score shows how far the character just read, and the best of many units, go alone; "
        "only the difference to it is learned."
    )
    return " ".join(sentences)


def write_neurons_section(
    columns: Columns,
    figures: Sequence[tuple[str, str]],
    folder: Path,
    tunes: int,
    name: str = "neurons_section",
) -> Path:
    """Write <name>.tex under folder (results/<profile>/): method, heatmaps (name, caption), the table, its reading."""
    if not columns:
        raise ValueError("expected at least one model's rankings to write")
    first = next(iter(columns.values()))
    characters = first["header"].characters if "header" in first else 0
    method = METHOD.format(tunes=tunes, characters=latex_count(characters), min_positives=MIN_POSITIVES)
    drawn = [f"\\figureif{{{figure}}}{{1}}{{{latex_text(caption)}}}" for figure, caption in figures]
    text = "\n\n".join([method, *drawn, scores_table(columns), latex_text(reading(columns))]) + "\n"
    path = Path(folder) / f"{name}.tex"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
