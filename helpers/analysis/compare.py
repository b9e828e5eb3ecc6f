"""Generated against real: score batches of tunes, summarise them per model and temperature, plot and tabulate.

A batch of tunes from one model at one temperature is a *setting*; the real validation tunes are one more
setting (model "real", no temperature) that every figure and the table compare with.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from helpers.analysis.checks import PITCH_NAMES, TuneQuality, check_tune
from helpers.analysis.novelty import Novelty, TrainingIndex
from helpers.files import write_csv
from helpers.report import latex
from helpers.report.latex import latex_escape
from helpers.report.plots import new_figure
from helpers.rnn.sample import Sampler

TEMPERATURES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
REAL = "real"
VALIDITY_CHECKS = {
    "header_ok": "header complete and valid",
    "music21_ok": "parses (music21)",
    "abc2midi_ok": "parses (abc2midi)",
    "bars_ok": "every bar fits the meter",
    "repeats_balanced": "repeats balanced",
    "finished": "reaches <end>",
}
LENGTH_BIN = 8  # tune lengths are compared in bins of this many bars


@dataclass(frozen=True)
class ScoredTune:
    """One tune of a setting, its checks and its copying from the training set."""

    model: str
    temperature: float | None
    abc: str
    quality: TuneQuality
    novelty: Novelty

    @property
    def valid(self) -> bool:
        """Passes the three main checks: a valid header, music21 reads it, and every bar fits the meter."""
        return bool(self.quality.header.ok and self.quality.music21.ok and self.quality.bars_ok)

    def row(self) -> dict:
        """The tune's checks and copying as one flat row."""
        setting = {"model": self.model, "temperature": self.temperature, "valid": self.valid}
        return setting | self.quality.row() | self.novelty.row()


def score_tunes(
    abcs: Sequence[str],
    model: str,
    index: TrainingIndex,
    temperature: float | None = None,
    finished: Sequence[bool] | None = None,
    parsers: tuple[str, ...] = ("music21", "abc2midi"),
) -> list[ScoredTune]:
    """Check every tune (ABC without <start>/<end>) and measure its copying from the indexed training tunes."""
    finished = [True] * len(abcs) if finished is None else list(finished)
    if len(finished) != len(abcs):
        raise ValueError(f"{len(abcs)} tunes but {len(finished)} finished flags")
    return [
        ScoredTune(model, temperature, abc, check_tune(abc, done, parsers), index.novelty(abc))
        for abc, done in zip(abcs, finished, strict=True)
    ]


def score_real(
    abcs: Sequence[str], index: TrainingIndex, parsers: tuple[str, ...] = ("music21", "abc2midi")
) -> list[ScoredTune]:
    """Score real tunes (e.g. the validation set) as the setting every generated one is compared with."""
    return score_tunes(abcs, REAL, index, parsers=parsers)


def sample_and_score(
    run_dir: Path,
    model: str,
    index: TrainingIndex,
    temperatures: Sequence[float] = TEMPERATURES,
    n: int = 200,
    seed: int = 0,
    max_length: int = 1000,
    parsers: tuple[str, ...] = ("music21", "abc2midi"),
) -> list[ScoredTune]:
    """n tunes of a trained run at each temperature, sampled in one batch each and scored."""
    sampler = Sampler.from_run(run_dir)
    scored = []
    for temperature in temperatures:
        tunes = sampler.sample(n=n, temperature=temperature, seed=seed, max_length=max_length)
        abcs, finished = [tune.abc for tune in tunes], [tune.finished for tune in tunes]
        scored += score_tunes(abcs, model, index, temperature, finished, parsers)
    return scored


def settings(scored: Sequence[ScoredTune]) -> dict[tuple[str, float | None], list[ScoredTune]]:
    """The tunes of each (model, temperature), in order of first appearance."""
    groups: dict[tuple[str, float | None], list[ScoredTune]] = {}
    for tune in scored:
        groups.setdefault((tune.model, tune.temperature), []).append(tune)
    return groups


# ------------------------------------------------------------------------------------------------ distributions


def meters(tunes: Sequence[ScoredTune]) -> Counter:
    """M: values of the tunes' headers ('(none)' when missing)."""
    return Counter(tune.quality.header.meter or "(none)" for tune in tunes)


def keys(tunes: Sequence[ScoredTune]) -> Counter:
    """K: values of the tunes' headers ('(none)' when missing)."""
    return Counter(tune.quality.header.key or "(none)" for tune in tunes)


def pitch_classes(tunes: Sequence[ScoredTune]) -> Counter:
    """Notes per pitch class over all the tunes."""
    return sum((tune.quality.statistics.pitch_classes for tune in tunes), Counter())


def lengths(tunes: Sequence[ScoredTune]) -> Counter:
    """Tunes per length in bars, in bins of LENGTH_BIN bars (the bin's first value)."""
    return Counter(tune.quality.n_bars // LENGTH_BIN * LENGTH_BIN for tune in tunes)


def note_lengths(tunes: Sequence[ScoredTune]) -> Counter:
    """Notes per written length in whole notes ('1/8', '3/16', ...) over all the tunes."""
    return sum((tune.quality.statistics.durations for tune in tunes), Counter())


def intervals(tunes: Sequence[ScoredTune]) -> Counter:
    """Steps between consecutive notes in semitones over all the tunes; leaps beyond an octave count as +-12."""
    counts: Counter = Counter()
    for tune in tunes:
        for step, count in tune.quality.statistics.intervals.items():
            counts[max(-12, min(12, step))] += count
    return counts


DISTRIBUTIONS = {
    "meter": meters,
    "key": keys,
    "pitch class": pitch_classes,
    "note length": note_lengths,
    "interval": intervals,
    "length in bars": lengths,
}


def distance_column(name: str) -> str:
    """The summary column of a distribution's distance to the real tunes, e.g. 'tv_pitch_class'."""
    return "tv_" + name.replace(" ", "_")


def total_variation(p: Counter, q: Counter) -> float:
    """Total variation distance between two count distributions: half the summed absolute difference, in [0, 1]."""
    p_total, q_total = sum(p.values()), sum(q.values())
    if not p_total or not q_total:
        return float("nan")
    return 0.5 * sum(abs(p[k] / p_total - q[k] / q_total) for k in set(p) | set(q))


# ------------------------------------------------------------------------------------------------ the summary


def mean(values) -> float:
    """Mean of the numbers that are not None; NaN when there are none."""
    values = [float(v) for v in values if v is not None]
    return statistics.fmean(values) if values else float("nan")


def summarise(scored: Sequence[ScoredTune], real: Sequence[ScoredTune]) -> list[dict]:
    """One row per setting (real tunes first): rates of each check, copying, and distances to the real tunes."""
    if not real or any(tune.model != REAL for tune in real):
        raise ValueError(f"real must hold scored real tunes (model {REAL!r}), e.g. from score_real")
    rows = []
    for (model, temperature), tunes in settings([*real, *scored]).items():
        qualities = [tune.quality for tune in tunes]
        novelties = [tune.novelty for tune in tunes]
        row = {"model": model, "temperature": temperature, "tunes": len(tunes)}
        row["valid"] = mean(tune.valid for tune in tunes)
        for check in VALIDITY_CHECKS:
            row[check] = mean(quality.row()[check] for quality in qualities)
        row["bar_match_rate"] = mean(quality.bars.rate for quality in qualities)
        row["bars"] = mean(quality.n_bars for quality in qualities)
        row["copy_chars_median"] = float(statistics.median(novelty.longest_copy_chars for novelty in novelties))
        row["copy_chars_max"] = max(novelty.longest_copy_chars for novelty in novelties)
        row["copy_bars_mean"] = mean(novelty.longest_copy_bars for novelty in novelties)
        row["ngram_share"] = mean(novelty.ngram_share for novelty in novelties)
        for name, distribution in DISTRIBUTIONS.items():
            row[distance_column(name)] = total_variation(distribution(tunes), distribution(real))
        rows.append(row)
    return rows


def balance(row: dict) -> float:
    """Validity times novelty: the share of valid tunes times the share of 8-note sequences not in training."""
    return 0.0 if row["valid"] == 0 else row["valid"] * (1.0 - row["ngram_share"])


def best_balance(summary: Sequence[dict], model: str) -> dict | None:
    """The model's row with the largest balance of validity and novelty; None when no setting has a valid tune."""
    rows = [row for row in summary if row["model"] == model and balance(row) > 0]
    return max(rows, key=balance) if rows else None


def percent(value: float) -> str:
    """'42%', or 'n/a' for a rate that could not be measured (NaN)."""
    return "n/a" if math.isnan(value) else f"{value:.0%}"


def reading(summary: Sequence[dict]) -> str:
    """A few sentences that read the table: which temperature balances validity and novelty best, per model."""
    real = next(row for row in summary if row["model"] == REAL)
    sentences = [
        f"Real validation tunes: {percent(real['valid'])} pass all three checks (header, music21, bar lengths), "
        f"and {percent(real['ngram_share'])} of their 8-note sequences also occur in the training tunes."
    ]
    for model, rows in model_rows(summary).items():
        best = best_balance(summary, model)
        coldest, hottest = rows[0], rows[-1]
        if best is None:
            sentences.append(
                f"{model}: no temperature from {coldest['temperature']:g} to "
                f"{hottest['temperature']:g} gives a single valid tune."
            )
            continue
        sentences.append(
            f"{model}: T = {best['temperature']:g} gives the best balance of validity and novelty: "
            f"{percent(best['valid'])} valid tunes (real: {percent(real['valid'])}), "
            f"{percent(best['ngram_share'])} of their 8-note sequences found in training tunes "
            f"(real: {percent(real['ngram_share'])}), median longest copy {best['copy_chars_median']:.0f} characters "
            f"(real: {real['copy_chars_median']:.0f}); "
            + (
                "no more copying than real tunes show."
                if best["ngram_share"] <= real["ngram_share"]
                else "more copying than real tunes show, a sign of memorisation."
            )
        )
        if coldest is not best:
            sentences[-1] += (
                f" Colder, at T = {coldest['temperature']:g}: {percent(coldest['valid'])} valid, "
                f"{percent(coldest['ngram_share'])} of 8-note sequences copied, median longest copy "
                f"{coldest['copy_chars_median']:.0f} characters."
            )
        if hottest is not best:
            sentences[-1] += (
                f" Hotter, at T = {hottest['temperature']:g}: {percent(hottest['valid'])} valid, "
                f"{percent(hottest['finished'])} reach <end>."
            )
    return "\n".join(sentences)


# ------------------------------------------------------------------------------------------------ the table

TABLE_COLUMNS = {
    "model": "model",
    "temperature": "T",
    "valid": "valid",
    "header_ok": "header",
    "music21_ok": "music21",
    "abc2midi_ok": "abc2midi",
    "bars_ok": "bars",
    "repeats_balanced": "repeats",
    "finished": "<end>",
    "copy_chars_median": "copy chars",
    "copy_bars_mean": "copy bars",
    "ngram_share": "8-grams",
    "tv_pitch_class": "TV pitch",
}
LATEX_HEADERS = {  # two-line headers keep the table within the page
    "temperature": "$T$",
    "finished": "\\texttt{<end>}",
    "copy_chars_median": "\\shortstack{copy\\\\chars}",
    "copy_bars_mean": "\\shortstack{copy\\\\bars}",
    "ngram_share": "\\shortstack{8-grams\\\\in train}",
    "tv_pitch_class": "\\shortstack{TV\\\\pitch}",
}
PERCENT_COLUMNS = {"valid", "header_ok", "music21_ok", "abc2midi_ok", "bars_ok", "repeats_balanced", "finished"}
TABLE_CAPTION = (
    "Automatic checks of tunes sampled from each model at temperature $T$, and of real validation tunes: the "
    "share of tunes passing each check (valid: header, music21 and bar lengths together), the median longest "
    "passage copied from a training tune in characters and its mean in whole bars, the share of 8-note "
    "sequences found in the training tunes, and the total variation distance between their pitch classes and "
    "those of the real tunes."
)


def table_cell(column: str, value) -> str:
    """One cell of the report's table: rates as percentages, distances with two decimals, '--' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "--"
    if column in PERCENT_COLUMNS or column == "ngram_share":
        return f"{value:.0%}"
    if column == "temperature":
        return f"{value:g}"
    if column.startswith("tv_"):
        return f"{value:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def latex_table(summary: Sequence[dict]) -> str:
    """The summary as the report's LaTeX table (booktabs, label tab:quality), one row per setting."""
    header = [LATEX_HEADERS.get(column, latex_escape(label)) for column, label in TABLE_COLUMNS.items()]
    rows = [[latex_escape(table_cell(column, row[column])) for column in TABLE_COLUMNS] for row in summary]
    # Thirteen columns fit the page's width only with narrower gaps between them.
    return latex.latex_table(header, rows, TABLE_CAPTION, "tab:quality", column_gap="4pt")


def text_table(summary: Sequence[dict]) -> str:
    """The report's columns as plain text, for a notebook."""
    cells = [list(TABLE_COLUMNS.values())]
    cells += [[table_cell(column, row[column]) for column in TABLE_COLUMNS] for row in summary]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE_COLUMNS))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in cells)


def write_table(summary: Sequence[dict], folder: Path, name: str = "quality_table") -> tuple[Path, Path]:
    """Write the summary as name.csv (every column) and name.tex (the report's columns) under folder."""
    if not summary:
        raise ValueError("the summary is empty: score some tunes first")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, tex_path = folder / f"{name}.csv", folder / f"{name}.tex"
    write_csv(summary, csv_path)
    tex_path.write_text(latex_table(summary), encoding="utf-8")
    return csv_path, tex_path


def report_section(summary: Sequence[dict]) -> str:
    """The report's "Is it music?" text: what was checked, the figures, the table and its reading."""
    real = next(row for row in summary if row["model"] == REAL)
    models = model_rows(summary)
    per_setting = max(row["tunes"] for rows in models.values() for row in rows)
    temperatures = sorted({row["temperature"] for rows in models.values() for row in rows})
    method = (
        f"Each model wrote {per_setting} tunes at each temperature from {temperatures[0]:g} to "
        f"{temperatures[-1]:g}, and {real['tunes']} real validation tunes "
        "went through the same checks: a header with \\texttt{X:} first, \\texttt{T:}, \\texttt{M:}, "
        "\\texttt{L:} (or its default) and a valid \\texttt{K:} last; music21's ABC parser and \\texttt{abc2midi} "
        "read the tune without error; every complete bar has the length of its meter (a pickup, the first bar "
        "of an ending and a last bar that completes the pickup are allowed for); the repeat signs pair up; and "
        "the tune reaches \\texttt{<end>} within the length limit. Copying is measured by the longest passage "
        "of the tune that occurs in one training tune, in characters and in whole bars, and by the share of its "
        "8-note pitch sequences that occur in the training tunes. Real tunes do not pass every check either, "
        "and share some material with the training tunes: their rates are the reference lines of the figures."
    )
    figures = [
        "\\figureif{quality_validity}{1}{Share of tunes passing each check against the sampling temperature; "
        "dashed: real validation tunes.}",
        "\\figureif{quality_copying}{1}{Copying from the training tunes against the sampling temperature; "
        "dashed: real validation tunes.}",
    ]
    figures += [
        f"\\figureif{{quality_distributions_{name}}}{{1}}{{Meter, key, pitch classes, note lengths, intervals "
        f"and lengths of the tunes of {latex_escape(name)} at $T = 1$ against real validation tunes, with the "
        "total variation distance of each.}"
        for name in models
    ]
    reading_text = "\n\n".join(latex_escape(sentence) for sentence in reading(summary).split("\n"))
    return "\n\n".join([method, *figures, latex_table(summary), reading_text]) + "\n"


def write_report_section(summary: Sequence[dict], folder: Path, name: str = "quality_section") -> Path:
    """Write report_section as name.tex under folder, where the report looks for it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.tex"
    path.write_text(report_section(summary), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ figures


def model_rows(summary: Sequence[dict]) -> dict[str, list[dict]]:
    """Each model's rows in order of temperature (the real tunes left out)."""
    models: dict[str, list[dict]] = {}
    for row in summary:
        if row["model"] != REAL:
            models.setdefault(row["model"], []).append(row)
    return {model: sorted(rows, key=lambda row: row["temperature"]) for model, rows in models.items()}


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
