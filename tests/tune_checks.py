"""What the package's checker, music21 and abc2midi find wrong with a tune: shared by the grammar and sampler tests."""

from __future__ import annotations

from helpers.analysis.checks import abc2midi_path, check_tune, parse_abc2midi


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
