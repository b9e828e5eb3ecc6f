"""What the package's checker, music21 and abc2midi find wrong with a tune, how its form differs from the one asked
for, and whether two samplings drew the same tunes: shared by the grammar and sampler tests."""

from __future__ import annotations

import math
from dataclasses import replace

from helpers.abc.grammar import parse_form
from helpers.analysis.checks import abc2midi_path, check_tune, parse_abc2midi
from helpers.analysis.form import tune_form


def tune_problems(abc: str, parsers: tuple[str, ...] = ("music21",)) -> list[str]:
    """What the package's checker, the parsers and abc2midi (where installed) find wrong with a tune; [] if nothing."""
    quality = check_tune(abc, parsers=parsers)
    problems = [
        f"{check} fails ({detail})"
        for check, ok, detail in (
            ("the header check", quality.header.ok, quality.header),
            ("the bar check", quality.bars_ok, quality.bars),
            ("the repeat check", quality.repeats_balanced, f"{quality.repeat_problems} unbalanced"),
        )
        if not ok
    ]
    if "music21" in parsers and not quality.music21.ok:
        problems.append(quality.music21.message)
    if abc2midi_path() is not None:
        result = parse_abc2midi(abc)
        if not result.ok or result.bar_warnings:
            problems.append(f"abc2midi: {result.message} {list(result.bar_warnings)}")
    return problems


def form_problems(abc: str, form: str) -> list[str]:
    """How the form that helpers.analysis.form reads in a tune differs from the form asked for (parse_form's)."""
    parts, bars = parse_form(form)
    found = tune_form(abc)
    problems = []
    if tuple(part.repeated for part in found.parts) != parts:
        problems.append(f"its parts are played {found.label!r}, not as {form!r}")
    if any(part.bars != bars for part in found.parts):
        problems.append(f"its parts have {found.bars_per_part} bars, not {bars} each")
    return problems


def same_draws(tunes: list, others: list, rel: float = 1e-6) -> bool:
    """Whether two lists of GeneratedTune hold the same draws: every field equal, the measured floats (surprisal,
    removed_mass) to within rel. A batch of another size sums its matrix products in another order (BLAS picks its
    kernels by shape and CPU), so those may differ in their last digits while every character drawn is the same."""

    def close(value, other) -> bool:
        return value == other or (value is not None and other is not None and math.isclose(value, other, rel_tol=rel))

    def drawn(tune):
        return replace(tune, surprisal=None, removed_mass=None)

    return len(tunes) == len(others) and all(
        drawn(tune) == drawn(other)
        and close(tune.surprisal, other.surprisal)
        and close(tune.removed_mass, other.removed_mass)
        for tune, other in zip(tunes, others, strict=True)  # of one length, checked first
    )
