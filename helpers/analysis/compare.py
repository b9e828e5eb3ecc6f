"""Generated against real: score batches of tunes and summarise them per model and temperature.

A batch of tunes from one model at one temperature is a *setting*; the real validation tunes are one more
setting (model "real", no temperature) that every figure and the table compare with. The figures are drawn by
helpers.report.quality_plots, the report's table and text written by helpers.report.quality_section.
"""

from __future__ import annotations

import functools
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.abc.music import read_music
from helpers.analysis.checks import TuneQuality, check_bars, check_tune
from helpers.analysis.form import TuneForm, tune_form
from helpers.analysis.novelty import Novelty, TrainingIndex
from helpers.config import MODEL, VOCAB
from helpers.files import write_csv
from helpers.rnn.sample import Sampler

__all__ = [
    "CONSTRAINED",
    "DISTRIBUTIONS",
    "FORM",
    "LENGTH_BIN",
    "REAL",
    "ScoredTune",
    "TEMPERATURES",
    "VALIDITY_CHECKS",
    "bar_check_leniency",
    "best_balance",
    "distance_column",
    "model_rows",
    "sample_and_score",
    "score_real",
    "setting_name",
    "summarise",
    "total_variation",
    "write_summary",
]

TEMPERATURES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
REAL = "real"
CONSTRAINED = "valid ABC"  # the setting of a model sampled with the grammar's mask: "best, valid ABC"
FORM = "form"  # and with the mask of a form: "best, valid ABC, form AABB"
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
    form: TuneForm | None = None
    surprisal: float | None = None  # mean -log p_T per character under the network, before any mask
    removed_mass: float | None = None  # mean share of p_T the grammar masked per character (constrained only)

    @property
    def valid(self) -> bool | None:
        """Passes the three main checks: a valid header, music21 reads it, and every bar fits the meter.

        None (not checked) when music21 was stopped by its time limit and the other two checks pass.
        """
        rest = bool(self.quality.header.ok and self.quality.bars_ok)
        return None if rest and self.quality.music21.timed_out else bool(rest and self.quality.music21.ok)

    def row(self) -> dict:
        """The tune's checks and copying as one flat row."""
        setting = {"model": self.model, "temperature": self.temperature, "valid": self.valid}
        form = self.form.row() if self.form is not None else {}
        sampled = {"surprisal": self.surprisal, "removed_mass": self.removed_mass}
        return setting | self.quality.row() | self.novelty.row() | form | sampled


def score_tunes(
    abcs: Sequence[str],
    model: str,
    index: TrainingIndex,
    temperature: float | None = None,
    finished: Sequence[bool] | None = None,
    parsers: tuple[str, ...] = ("music21", "abc2midi"),
    sampled: Sequence | None = None,
) -> list[ScoredTune]:
    """Check every tune (ABC without <start>/<end>), its form, and its copying from the indexed training tunes.

    sampled: the GeneratedTune of each, for the network's own surprisal and the mass the grammar removed.
    """
    finished = [True] * len(abcs) if finished is None else list(finished)
    if len(finished) != len(abcs):
        raise ValueError(f"{len(abcs)} tunes but {len(finished)} finished flags")
    sampled = [None] * len(abcs) if sampled is None else list(sampled)
    return [
        ScoredTune(
            model,
            temperature,
            abc,
            check_tune(abc, done, parsers),
            index.novelty(abc),
            tune_form(abc),
            getattr(tune, "surprisal", None),
            getattr(tune, "removed_mass", None),
        )
        for abc, done, tune in zip(abcs, finished, sampled, strict=True)
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
    constrained: bool = False,
    form: str = "free",
) -> list[ScoredTune]:
    """n tunes of a trained run at each temperature, sampled in one batch each and scored.

    constrained=True samples with the grammar's mask, and a form (e.g. 'AABB', helpers.abc.grammar.parse_form) with
    the mask of that form; the setting is then named setting_name(model, True, form).
    """
    sampler = run_sampler(run_dir)
    scored = []
    for temperature in temperatures:
        tunes = sampler.sample(
            n=n, temperature=temperature, seed=seed, max_length=max_length, constrained=constrained, form=form
        )
        abcs, finished = [tune.abc for tune in tunes], [tune.finished for tune in tunes]
        name = setting_name(model, constrained, form)
        scored += score_tunes(abcs, name, index, temperature, finished, parsers, tunes)
    return scored


def run_sampler(run_dir: Path) -> Sampler:
    """The sampler of a run, loaded once per version of its files (07 scores each run in several settings), with a
    cold table of grammar states, as a new one has: the table is no faster warm (benchmarks/sample_speed.py), and
    a cold one holds no memory from the setting before."""
    run_dir = Path(run_dir).resolve()
    try:
        files = [(run_dir / name).stat() for name in (MODEL, VOCAB)]
    except FileNotFoundError:
        return Sampler.from_run(run_dir)  # its error, which names what is missing
    sampler = loaded_sampler(run_dir, tuple((stat.st_mtime_ns, stat.st_size) for stat in files))
    sampler.grammar = None
    return sampler


@functools.lru_cache(maxsize=4)
def loaded_sampler(run_dir: Path, versions: tuple) -> Sampler:
    return Sampler.from_run(run_dir)


def setting_name(model: str, constrained: bool, form: str = "free") -> str:
    """'best' for free sampling, 'best, valid ABC' for sampling with the grammar's mask, and 'best, valid ABC, form
    AABB' with the mask of a form."""
    if form != "free":
        return f"{model}, {CONSTRAINED}, {FORM} {form}"
    return f"{model}, {CONSTRAINED}" if constrained else model


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
        for parser in ("music21", "abc2midi"):  # tunes not checked, apart from those that failed
            row[f"{parser}_time_limit"] = sum(quality.row()[f"{parser}_time_limit"] for quality in qualities)
        row["bars"] = mean(quality.n_bars for quality in qualities)
        row["copy_chars_median"] = float(statistics.median(novelty.longest_copy_chars for novelty in novelties))
        row["copy_chars_max"] = max(novelty.longest_copy_chars for novelty in novelties)
        row["copy_bars_mean"] = mean(novelty.longest_copy_bars for novelty in novelties)
        row["ngram_share"] = mean(novelty.ngram_share for novelty in novelties)
        row["abc2midi_bar_warnings"] = mean(
            len(quality.abc2midi.bar_warnings) if quality.abc2midi.ok is not None else None for quality in qualities
        )
        row["interval_copy_mean"] = mean(novelty.longest_interval_copy for novelty in novelties)
        row["interval_ngram_share"] = mean(novelty.interval_ngram_share for novelty in novelties)
        row["nearest_distance"] = mean(novelty.nearest_distance for novelty in novelties)
        forms = [tune.form for tune in tunes if tune.form is not None]
        row["parts"] = mean(form.n_parts for form in forms)
        row["bars_per_part"] = mean(form.row()["bars_per_part_mean"] for form in forms)
        row["aabb"] = mean(form.aabb for form in forms)
        row["eight_bar_parts"] = mean(form.eight_bar_parts for form in forms)
        row["standard_parts"] = mean(form.standard_parts for form in forms)
        row["dance_form"] = mean(form.dance_form for form in forms)
        row["ends_on_tonic"] = mean(form.ends_on_tonic for form in forms)
        row["surprisal"] = mean(tune.surprisal for tune in tunes)
        row["removed_mass"] = mean(tune.removed_mass for tune in tunes)
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


def model_rows(summary: Sequence[dict]) -> dict[str, list[dict]]:
    """Each model's rows in order of temperature (the real tunes left out)."""
    models: dict[str, list[dict]] = {}
    for row in summary:
        if row["model"] != REAL:
            models.setdefault(row["model"], []).append(row)
    return {model: sorted(rows, key=lambda row: row["temperature"]) for model, rows in models.items()}


def bar_check_leniency(scored: Sequence[ScoredTune]) -> list[dict]:
    """Per model (the real tunes first): the share of tunes whose bars all fit under the bar check and under
    the old, lenient pickup rule (helpers.analysis.checks.check_bars with lenient=True)."""
    groups: dict[str, list[ScoredTune]] = {}
    for tune in scored:
        groups.setdefault(tune.model, []).append(tune)
    rows = []
    for model, tunes in sorted(groups.items(), key=lambda item: item[0] != REAL):
        lenient = [check_bars(read_music(tune.abc), tune.quality.finished, lenient=True) for tune in tunes]
        rows.append(
            {
                "model": model,
                "tunes": len(tunes),
                "bars_ok": mean(tune.quality.bars_ok for tune in tunes),
                "bars_ok_lenient": mean(bars.ok for bars in lenient),
            }
        )
    return rows


def write_summary(summary: Sequence[dict], folder: Path, name: str = "quality_table") -> Path:
    """Write the summary, every column, as name.csv under folder."""
    if not summary:
        raise ValueError("the summary is empty: score some tunes first")
    path = Path(folder) / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(summary, path)
    return path
