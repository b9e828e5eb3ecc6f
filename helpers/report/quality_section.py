"""The report's "Is it music?" section: the table of checks, its reading, the bar-check figures, in one writer.

Every sentence is computed from the numbers of helpers.analysis.compare and helpers.analysis.agreement, so the
text stays true when the models or the profile change.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path

from helpers.analysis.agreement import BarAgreement
from helpers.analysis.checks import abc2midi_path
from helpers.analysis.compare import CONSTRAINED, FORM, REAL, best_balance, model_rows, setting_name
from helpers.analysis.form import ReadForm
from helpers.files import write_text
from helpers.report.latex import latex_escape, latex_table

__all__ = ["leniency_text", "reading", "table_cell", "text_table", "write_quality_section"]


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


def table_cell(column: str, value, digits: int = 0) -> str:
    """One cell of the report's table: rates as percentages, distances with two decimals, '--' when missing.

    abc2midi's cells say "not installed" where it is missing, its check skipped.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not installed" if column.startswith("abc2midi") and abc2midi_path() is None else "--"
    if column in PERCENT_COLUMNS or column == "ngram_share":
        return f"{value:.{digits}%}"
    if column == "temperature":
        return f"{value:g}"
    if column.startswith("tv_") or column == "abc2midi_bar_warnings":
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


FREE_VS_CONSTRAINED_CAPTION = (
    "Free sampling against sampling with the grammar's mask (valid ABC by construction), for each model and "
    "temperature: the share of tunes \\texttt{abc2midi} accepts and its bar-length warnings per tune, the mean "
    "share of the network's tempered probability that the mask removed per character (how much it wanted to "
    "break the grammar; estimated without bias as the share of characters at which the network's own draw was "
    "refused), and the mean surprisal $-\\log p_T$ of the written characters under the unmasked "
    "tempered network (nats per character): the tempered cross-entropy of what was written."
)
FORM_COLUMNS = {
    "model": "model",
    "temperature": "T",
    "parts": "parts",
    "bars_per_part": "bars/part",
    "aabb": "AABB",
    "eight_bar_parts": "8-bar parts",
    "ends_on_tonic": "tonic end",
    "interval_copy_mean": "interval copy",
    "interval_ngram_share": "interval 8-grams",
    "nearest_distance": "nearest",
}
FORM_PERCENT_COLUMNS = {"aabb", "eight_bar_parts", "standard_parts", "ends_on_tonic", "interval_ngram_share"}
# Our settings at T = 1 beside the real tunes and folk-rnn's published samples, quoted from FOLK_RNN with its source.
FOLK_RNN = Path(__file__).with_name("folk_rnn.json")
BESIDE_FOLK_RNN = {
    "tunes": "tunes",
    "abc2midi_ok": "abc2midi accepts",
    "aabb": "AABB",
    "standard_parts": "parts of 8 or 16 bars",
    "bars_per_part": "bars/part",
}
FORM_CAPTION = (
    "Form and copying on intervals: the mean number of parts (split at repeats and double bars) and of bars per "
    "part, the share of tunes in AABB form, with only 8-bar parts, and ending on the tonic of their key; the "
    "mean longest run of pitch intervals shared with one training tune, the share of interval 8-grams found in "
    "the training tunes, and the mean normalised edit distance of the interval sequence to the nearest training "
    "tune. Intervals find a copy in another key. Real validation tunes are the reference."
)


def form_cell(column: str, value) -> str:
    if column in FORM_PERCENT_COLUMNS and value is not None and not (isinstance(value, float) and math.isnan(value)):
        return f"{value:.0%}"
    if column == "nearest_distance" and isinstance(value, float) and not math.isnan(value):
        return f"{value:.2f}"
    return table_cell(column, value)


def form_table(summary: Sequence[dict]) -> str:
    """Form and interval copying per setting (label tab:form)."""
    header = [latex_escape(label) for label in FORM_COLUMNS.values()]
    rows = [[latex_escape(form_cell(column, row.get(column))) for column in FORM_COLUMNS] for row in summary]
    return latex_table(header, rows, FORM_CAPTION, "tab:form", column_gap="4pt")


def folk_rnn_figures(path: Path = FOLK_RNN) -> dict:
    """folk-rnn's figures (tab:folk_rnn's quoted row): its setting, source, and a value for each BESIDE_FOLK_RNN
    column; a file without them is an error naming what it lacks."""
    figures = json.loads(Path(path).read_text(encoding="utf-8"))
    missing = sorted({"setting", "source", *BESIDE_FOLK_RNN} - set(figures))
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}: it must quote folk-rnn's figures with their source")
    return figures


def folk_rnn_table(summary: Sequence[dict], folk_rnn: dict) -> str:
    """The real tunes, folk-rnn's published samples (quoted) and every setting of ours at T = 1: free, valid ABC
    only and in each form (label tab:folk_rnn)."""
    rows = [row for row in summary if row["model"] == REAL or row["temperature"] == 1.0]
    rows.insert(1, folk_rnn | {"model": folk_rnn["setting"]})
    header = ["setting", *(latex_escape(label) for label in BESIDE_FOLK_RNN.values())]
    cells = [
        [latex_escape(row["model"]), *(latex_escape(form_cell(column, row.get(column))) for column in BESIDE_FOLK_RNN)]
        for row in rows
    ]
    caption = (
        "Free sampling, valid ABC only and sampling in a form, at $T = 1$, beside the real validation tunes and "
        "folk-rnn's published samples: the share of tunes abc2midi accepts, the share in AABB form, the share "
        "whose every part is 8 or 16 bars long, and the mean bars per part. folk-rnn's row: "
        + latex_escape(folk_rnn["source"])
    )
    return latex_table(header, cells, caption, "tab:folk_rnn", column_gap="4pt")


def free_and_constrained(summary: Sequence[dict]) -> list[tuple[dict, dict]]:
    """Pairs of rows (free, constrained) of the same model and temperature."""
    by_setting = {(row["model"], row["temperature"]): row for row in summary}
    return [
        (row, by_setting[(setting_name(row["model"], True), row["temperature"])])
        for row in summary
        if row["model"] != REAL and (setting_name(row["model"], True), row["temperature"]) in by_setting
    ]


def free_vs_constrained_table(summary: Sequence[dict]) -> str:
    """abc2midi, bar warnings, removed mass and surprisal, free beside constrained (label tab:constrained)."""
    header = ["model", "$T$", "abc2midi free", "valid ABC", "warnings free", "valid ABC", "mass removed"]
    header += ["surprisal free", "valid ABC"]
    rows = [
        [
            latex_escape(free["model"]),
            f"{free['temperature']:g}",
            *(latex_escape(table_cell("abc2midi_ok", row["abc2midi_ok"])) for row in (free, masked)),
            *(table_cell("bars", row["abc2midi_bar_warnings"]) for row in (free, masked)),
            latex_escape(f"{masked['removed_mass']:.1%}"),
            *(f"{row['surprisal']:.2f}" for row in (free, masked)),
        ]
        for free, masked in free_and_constrained(summary)
    ]
    return latex_table(header, rows, FREE_VS_CONSTRAINED_CAPTION, "tab:constrained", column_gap="4pt")


def constrained_reading(summary: Sequence[dict]) -> str:
    """One sentence per model at T = 1: what the mask changed, and what it cost."""
    sentences = []
    for free, masked in free_and_constrained(summary):
        if free["temperature"] != 1.0:
            continue
        sentences.append(
            f"{free['model']} at T = 1: abc2midi accepts {percent(free['abc2midi_ok'])} of freely sampled tunes "
            f"and {percent(masked['abc2midi_ok'])} with the mask, with {free['abc2midi_bar_warnings']:.2f} and "
            f"{masked['abc2midi_bar_warnings']:.2f} bar warnings per tune; the mask removed "
            f"{masked['removed_mass']:.1%} of the network's probability per character, and the network's own "
            f"surprisal of what was written is {free['surprisal']:.2f} and {masked['surprisal']:.2f} nats per "
            "character."
        )
    return "\n".join(sentences)


def form_reading(summary: Sequence[dict]) -> str:
    """One sentence per setting sampled in a form (at T = 1): the form it has, and what the form's mask cost beside
    free sampling of the same model."""
    by_setting = {(row["model"], row["temperature"]): row for row in summary}
    sentences = []
    for row in summary:
        model, _, form = row["model"].partition(f", {CONSTRAINED}, {FORM} ")
        free = by_setting.get((model, row["temperature"]))
        if not form or free is None:
            continue
        sentences.append(
            f"{model} in the form {form} at T = {row['temperature']:g}: {percent(row['aabb'])} of its tunes are AABB "
            f"and {percent(row['eight_bar_parts'])} have 8-bar parts (freely sampled: {percent(free['aabb'])} and "
            f"{percent(free['eight_bar_parts'])}); abc2midi accepts {percent(row['abc2midi_ok'])}; the mask removed "
            f"{row['removed_mass']:.1%} of the network's probability per character, and the network's own surprisal "
            f"of what was written is {row['surprisal']:.2f} nats per character against {free['surprisal']:.2f} free."
        )
    return "\n".join(sentences)


def bar_counts(bars: Sequence[int]) -> str:
    """Bars per part, runs of three or more shortened: (8, 8, 8, 17, 4, 4) as '8$\\times$3 17 4 4'."""
    runs = [(count, len(list(group))) for count, group in itertools.groupby(bars)]
    return " ".join(f"{count}$\\times${n}" if n > 2 else " ".join([str(count)] * n) for count, n in runs)


def form_reading_text(read: Sequence[ReadForm]) -> str:
    """The form measure against a hand reading: how often they agree, where they differ and why, and a table of
    every tune read (label tab:form_reading)."""
    both = sum(tune.label_agrees and tune.bars_agree for tune in read)
    labels, bars = sum(tune.label_agrees for tune in read), sum(tune.bars_agree for tune in read)
    method = latex_escape(
        f"The form measure was checked against a hand reading of {len(read)} tunes drawn at random from the dance "
        "collections, each read from its text by ear before the measure was run on it "
        "(helpers/analysis/form_reading.csv): the parts as played, a D.C. counted, and the bars of one pass through "
        "each part"
    )
    agreement = f"The two agree on the parts of {labels} tunes, on the bars of {bars}, and on both for {both}."
    differ = [tune for tune in read if not (tune.label_agrees and tune.bars_agree)]
    if differ:
        agreement += " Where they differ: " + "; ".join(f"{tune.title}: {tune.note}" for tune in differ) + "."
    text = f"{method} (Table~\\ref{{tab:form_reading}}). {latex_escape(agreement)}"
    header = ["tune", "collection", "by hand", "bars", "measured", "bars"]
    rows = [
        [
            latex_escape(tune.title),
            latex_escape(tune.source),
            latex_escape(tune.label),
            bar_counts(tune.bars),
            latex_escape(tune.measured.label),
            bar_counts(tune.measured.bars_per_part),
        ]
        for tune in read
    ]
    caption = (
        "The form of each tune of the hand reading, read by hand and by the measure: the parts as played "
        "(AABB: two parts, each played twice) and the bars of one pass through each part."
    )
    return text + "\n\n" + latex_table(header, rows, caption, "tab:form_reading", column_gap="3pt")


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


def quality_section(summary: Sequence[dict], leniency: Sequence[dict], read: Sequence[ReadForm] = ()) -> str:
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
        if CONSTRAINED not in name
    ]
    reading_text = "\n\n".join(latex_escape(sentence) for sentence in reading(summary).split("\n"))
    lenient = latex_escape(leniency_text(leniency))
    parts = [method, lenient, *figures, quality_table(summary), reading_text]
    if free_and_constrained(summary):
        constrained = (
            "Each model also wrote the same number of tunes with the grammar's mask: at every step the characters "
            "that cannot continue a valid tune (header order and values, bar lengths, closed groups, balanced "
            "repeats, \\texttt{<end>} only after a section) get probability zero and the rest is renormalised."
        )
        reading_constrained = "\n\n".join(latex_escape(line) for line in constrained_reading(summary).split("\n"))
        parts += [constrained, free_vs_constrained_table(summary), reading_constrained]
    if in_forms := form_reading(summary):
        forms = (
            "Each model also wrote tunes in a form, with a mask that counts whole bars per part and parts per tune as "
            "the form measure below counts them (AABB: two parts of 8 bars, each played twice; AABB16: of 16 bars)."
        )
        parts += [forms, "\n\n".join(latex_escape(line) for line in in_forms.split("\n"))]
    parts.append(form_table(summary))
    if in_forms:
        parts.append(folk_rnn_table(summary, folk_rnn_figures()))
    if read:
        parts.append(form_reading_text(read))
    return "\n\n".join(parts) + "\n"


def write_quality_section(
    summary: Sequence[dict],
    leniency: Sequence[dict],
    agreement: BarAgreement,
    folder: Path,
    read: Sequence[ReadForm] = (),
) -> list[Path]:
    """Write the section (quality_section.tex), its table (quality_table.tex) and bar_agreement.tex under folder;
    read: the hand reading of tunes' forms (helpers.analysis.form.hand_reading), compared in the section."""
    if not summary:
        raise ValueError("the summary is empty: score some tunes first")
    files = {
        "quality_section.tex": quality_section(summary, leniency, read),
        "quality_table.tex": quality_table(summary),
        "bar_agreement.tex": agreement_table(agreement),
    }
    paths = [Path(folder) / name for name in files]
    for path, text in zip(paths, files.values(), strict=True):
        write_text(text, path)
    return paths
