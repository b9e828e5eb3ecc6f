"""The report's "Is it music?" section: the table of checks, its reading, the bar-check figures, in one writer.

Every sentence is computed from the numbers of helpers.analysis.compare and helpers.analysis.agreement, so the
text stays true when the models or the profile change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from helpers.analysis.agreement import BarAgreement
from helpers.analysis.compare import REAL, best_balance, model_rows
from helpers.files import write_text
from helpers.report.latex import latex_escape, latex_table


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
    "music21_time_limit": "time limit",
    "copy_chars_median": "copy chars",
    "copy_bars_mean": "copy bars",
    "ngram_share": "8-grams",
    "tv_pitch_class": "TV pitch",
}
LATEX_HEADERS = {  # two-line headers keep the table within the page
    "temperature": "$T$",
    "finished": "\\texttt{<end>}",
    "music21_time_limit": "\\shortstack{time\\\\limit}",
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
    "those of the real tunes. Time limit: tunes that music21 did not finish reading within its time limit; they "
    "are left out of its rate (not checked, not invalid)."
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


def quality_table(summary: Sequence[dict]) -> str:
    """The summary as the report's LaTeX table (booktabs, label tab:quality), one row per setting."""
    header = [LATEX_HEADERS.get(column, latex_escape(label)) for column, label in TABLE_COLUMNS.items()]
    rows = [[latex_escape(table_cell(column, row[column])) for column in TABLE_COLUMNS] for row in summary]
    # Fourteen columns fit the page's width only with narrower gaps between them.
    return latex_table(header, rows, TABLE_CAPTION, "tab:quality", column_gap="4pt")


def text_table(summary: Sequence[dict]) -> str:
    """The report's columns as plain text, for a notebook."""
    cells = [list(TABLE_COLUMNS.values())]
    cells += [[table_cell(column, row[column]) for column in TABLE_COLUMNS] for row in summary]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE_COLUMNS))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in cells)


def agreement_table(agreement: BarAgreement) -> str:
    """The 2x2 table of the reader's bar check against abc2midi's bar-length warnings (label tab:bar_agreement)."""
    header = ["reader's bar check", "abc2midi warns", "abc2midi silent"]
    rows = [
        ["a bar does not fit", str(agreement.count(True, True)), str(agreement.count(True, False))],
        ["every bar fits", str(agreement.count(False, True)), str(agreement.count(False, False))],
    ]
    same = "n/a" if agreement.agreement is None else percent(agreement.agreement)
    caption = (
        f"Bar lengths of {agreement.compared} real validation tunes judged by the package's ABC reader (a bar that "
        "does not fit its meter, pickups and the bars that complete them allowed for) and by \\texttt{abc2midi} "
        f"(a warning about a bar's length): the same verdict on {latex_escape(same)} of them. The file "
        "\\texttt{bar\\_agreement.csv} lists the verdicts tune by tune."
    )
    return latex_table(header, rows, caption, "tab:bar_agreement")


def leniency_text(leniency: Sequence[dict]) -> str:
    """Sentences on how lenient the old pickup rule of the bar check was, per model, from bar_check_leniency."""
    shares = "; ".join(
        f"{'real validation tunes' if row['model'] == REAL else row['model']}: "
        f"{percent(row['bars_ok_lenient'])} under the old rule, {percent(row['bars_ok'])} now"
        for row in leniency
    )
    return (
        "An earlier version of the bar check was lenient: it took every short bar after any bar line other "
        "than | for a pickup, even a section of one short bar, and let a short closing bar pass when it made a "
        "whole bar with any pickup of the tune. The check now allows a pickup only where it leads into a "
        "section, and a short closing bar only when it completes the pickup that began its section. Tunes "
        f"whose bars all fit: {shares}."
    )


def quality_section(summary: Sequence[dict], leniency: Sequence[dict]) -> str:
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
        "read the tune without error (a parse stopped by its time limit counts as not checked, not as a "
        "failure); every complete bar has the length of its meter, read as written (6/8 is compound, which "
        "sets the length of tuplets); a pickup may open a section and the last bar of the section may complete "
        "it; the repeat signs pair up; and "
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
    lenient = latex_escape(leniency_text(leniency))
    return "\n\n".join([method, lenient, *figures, quality_table(summary), reading_text]) + "\n"


def write_quality_section(
    summary: Sequence[dict], leniency: Sequence[dict], agreement: BarAgreement, folder: Path
) -> list[Path]:
    """Write the section (quality_section.tex), its table (quality_table.tex) and bar_agreement.tex under folder."""
    if not summary:
        raise ValueError("the summary is empty: score some tunes first")
    files = {
        "quality_section.tex": quality_section(summary, leniency),
        "quality_table.tex": quality_table(summary),
        "bar_agreement.tex": agreement_table(agreement),
    }
    paths = [Path(folder) / name for name in files]
    for path, text in zip(paths, files.values(), strict=True):
        write_text(text, path)
    return paths
