"""Is it music? Checks and statistics of one ABC tune: header, parsers, bar lengths, repeats, pitches and rhythm.

Everything is read from the ABC text by the package's one ABC reader (helpers.abc), so the checks are exact on
hand-written tunes and fast on thousands of generated ones. Two real ABC readers give a second opinion:
music21's parser and, where it is installed (Debian's `abcmidi` package), `abc2midi`.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from helpers.abc.fields import parse_key, parse_meter, parse_unit_length
from helpers.abc.music import PITCH_NAMES, Note, TuneMusic, read_music
from helpers.abc.reader import read_tune, token_field
from helpers.exercise import exercise

__all__ = ["abc2midi_path", "check_tune", "header_lines"]

PARSE_TIMEOUT_S = 5.0
TIME_LIMIT_MESSAGE = "not checked (time limit)"
ABC2MIDI_BAR_WARNING = "time units while the time signature has"


class ParseTimeout(BaseException):
    """A parser ran past its time limit (a BaseException, so that no `except Exception` in a parser hides it)."""


# ---------------------------------------------------------------------------------------------- header fields


@dataclass(frozen=True)
class HeaderCheck:
    """Whether a tune's header fields come in order, and whether its meter, unit length and key can be read."""

    in_order: bool
    has_unit_length: bool
    meter_ok: bool
    unit_length_ok: bool
    key_ok: bool
    meter: str | None
    key: str | None

    @property
    def ok(self) -> bool:
        """X: first, T: and M:, L: or its default, K: last; meter, unit length and key all parse."""
        return self.in_order and self.meter_ok and self.unit_length_ok and self.key_ok


def header_lines(abc: str) -> list[tuple[str, str] | None]:
    """The lines of a tune's header (up to its first K:) in order: a field as (letter, value), another line None.

    Comment lines (%) and blank lines are left out.
    """
    tokens = [token for token in read_tune(abc).header if token.kind in ("field", "unknown")]
    return [token_field(token) if token.kind == "field" else None for token in tokens]


@exercise("07_quality.ipynb", fallback="header_in_order_by_pattern")
def header_in_order(fields: list[tuple[str, str] | None]) -> bool:
    """X: first, T: and M: present, K: last, and nothing but fields: the order ABC asks of a tune's header.

    fields: the header's lines as header_lines gives them, e.g. [('X', '1'), ('T', 'Tune'), ('K', 'G')].
    """
    letters = [field[0] if field else None for field in fields]
    only_fields = bool(letters) and None not in letters
    return only_fields and letters[0] == "X" and letters[-1] == "K" and "T" in letters and "M" in letters


# Nothing but fields ("-" stands for a line that is not one), X first, T and M somewhere, K last.
HEADER_PATTERN = re.compile(r"(?!.*-)X(?=.*T)(?=.*M).*K")


def header_in_order_by_pattern(fields: list[tuple[str, str] | None]) -> bool:
    """header_in_order as one regular expression over the header's field letters: the student edition's check,
    which holds no answer to the exercise."""
    return HEADER_PATTERN.fullmatch("".join(field[0] if field else "-" for field in fields)) is not None


def check_header(abc: str) -> HeaderCheck:
    """The header of one tune: the lines up to and including its first K: field."""
    fields = header_lines(abc)
    values: dict[str, str] = {}
    for item in fields:
        if item:
            values.setdefault(*item)
    return HeaderCheck(
        in_order=header_in_order(fields),
        has_unit_length="L" in values,
        meter_ok="M" in values and can_parse(parse_meter, values["M"]),
        unit_length_ok=can_parse(parse_unit_length, values["L"]) if "L" in values else True,
        key_ok="K" in values and can_parse(parse_key, values["K"]),
        meter=values.get("M"),
        key=values.get("K"),
    )


def can_parse(parser, value: str) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------------------ bars and structure


@dataclass(frozen=True)
class BarCheck:
    """Bars whose length was checked against the meter, how many matched, and the short bars allowed for."""

    checked: int
    matching: int
    pickups: int
    closing: int

    @property
    def rate(self) -> float | None:
        """Matching / checked, or None when no bar could be checked (no meter, no complete bar)."""
        return self.matching / self.checked if self.checked else None

    @property
    def ok(self) -> bool:
        """Every checked bar matches the meter, and there is at least one."""
        return self.checked > 0 and self.matching == self.checked


def section_boundary(barlines: tuple[str, ...]) -> bool:
    """A bar line other than a plain | among these: a repeat sign, a double bar or an end bar."""
    return any(line != "|" for line in barlines)


def closes_repeat(barlines: tuple[str, ...]) -> bool:
    """An end of repeat (:|, ::) among these bar lines."""
    return any(line.startswith(":") for line in barlines)


def check_bars(music: TuneMusic, finished: bool = True, lenient: bool = False) -> BarCheck:
    """Bar lengths against the meter; a short bar passes only as a pickup or as the bar that completes one.

    A short bar is a pickup (anacrusis) when it is the first bar of the tune or of a section (after a repeat
    sign or a double bar; the bar after :| begins the next part, as in `FDD D2:|A|d2e`), is not the first
    bar of an ending, and leads into more music: the bar line after it is a plain | or opens a section
    without closing a repeat (`D|:GAB`), so a section of one short bar is wrong. A short last bar of a
    section (before a bar line other than |, or at the end of the tune) passes when it and the pickup that
    began the section make one whole bar; so do the last bars of first and second endings. Every other bar,
    and every bar longer than the meter, must match it. Notes after the last bar line count as a final bar
    only in a finished tune (a tune cut at the maximum length ends mid-bar).

    lenient=True applies the old rule instead, kept only to measure how lenient it was: every short first
    bar of a section was a pickup, and a short last bar of a section passed when it made a whole bar with
    any pickup of the tune.
    """
    bars = list(music.bars) + ([music.trailing] if music.trailing is not None and finished else [])
    bars = [bar for bar in bars if bar.meter is not None and not bar.multirest]
    last = len(bars) - 1
    ends = [section_boundary(bar.closed_by) or (finished and i == last) for i, bar in enumerate(bars)]
    short = [0 < bar.duration < bar.meter.bar_length for bar in bars]
    first_of_section = [
        is_short and (i == 0 or section_boundary(bar.opened_by)) and not bar.ending
        for i, (bar, is_short) in enumerate(zip(bars, short, strict=True))
    ]
    every_pickup = {bar.duration for bar, first in zip(bars, first_of_section, strict=True) if first}
    checked = matching = pickups = closing = 0
    section_pickup = None
    for bar, ends_section, is_short, first in zip(bars, ends, short, first_of_section, strict=True):
        full = bar.meter.bar_length
        leads_in = not ends_section or (bool(bar.closed_by) and not closes_repeat(bar.closed_by))
        if lenient:
            completes = any(bar.duration + length == full for length in every_pickup)
        else:
            completes = section_pickup is not None and bar.duration + section_pickup == full
        if first and (leads_in or lenient):
            pickups += 1
            section_pickup = bar.duration
        elif is_short and ends_section and completes:
            closing += 1
        else:
            checked += 1
            matching += bar.duration == full
    return BarCheck(checked, matching, pickups, closing)


def repeat_problems(barlines: list[str]) -> int:
    """How many start-repeat signs |: have no partner :| before the next |: or the end of the tune.

    A :| without a |: is read as players (and abc2midi) read it, a repeat from the start of the tune or from
    the previous double bar or repeat sign, so it is no problem; :: closes one repeat and opens the next.
    """
    problems = 0
    is_open = False
    for token in barlines:
        if token.startswith(":"):
            is_open = False
        if token.endswith(":") and ("|" in token or token.startswith(":")):
            problems += is_open
            is_open = True
    return problems + is_open


@dataclass(frozen=True)
class MusicStatistics:
    """Pitches and rhythm of a tune's notes (rests left out), as counters for histograms."""

    notes: int
    lowest: int | None
    highest: int | None
    pitch_classes: Counter
    durations: Counter
    intervals: Counter

    @property
    def pitch_range(self) -> int | None:
        """Semitones from the lowest to the highest note."""
        return None if self.lowest is None else self.highest - self.lowest


def music_statistics(notes: list[Note]) -> MusicStatistics:
    """Pitch range, pitch-class ('C', 'F#', ...), duration ('1/8', ...) and interval (semitones) counts."""
    pitches = [note.pitch for note in notes if note.pitch is not None]
    return MusicStatistics(
        notes=len(pitches),
        lowest=min(pitches, default=None),
        highest=max(pitches, default=None),
        pitch_classes=Counter(PITCH_NAMES[pitch % 12] for pitch in pitches),
        durations=Counter(str(note.duration) for note in notes if note.pitch is not None),
        intervals=Counter(b - a for a, b in zip(pitches, pitches[1:], strict=False)),
    )


# ------------------------------------------------------------------------------------------------- real parsers


@dataclass(frozen=True)
class ParseResult:
    """Whether a parser read the tune without error (None: not run, or stopped by the time limit), and why not.

    A parse stopped by its time limit says nothing about the tune (a valid 1,000-bar tune can take music21
    longer than a garbled one): it is "not checked", counted apart from the tunes that fail.
    """

    ok: bool | None
    message: str = ""
    timed_out: bool = False
    bar_warnings: tuple[str, ...] = ()  # abc2midi's complaints about bar lengths


def time_limit_result(parser: str, timeout_s: float) -> ParseResult:
    """The result of a parse stopped by its time limit: not checked, neither valid nor invalid."""
    return ParseResult(None, f"{parser}: {TIME_LIMIT_MESSAGE} of {timeout_s:g} s", timed_out=True)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise ParseTimeout in the block after this many seconds (SIGALRM; no limit outside the main thread)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def raise_timeout(signum, frame) -> None:
    raise ParseTimeout


def parse_music21(abc: str, timeout_s: float = PARSE_TIMEOUT_S) -> ParseResult:
    """music21's ABC parser on the tune: ok when it raises nothing and finds at least one note.

    A time limit stops a parse that runs away on garbage.
    """
    from music21 import converter

    try:
        with time_limit(timeout_s):
            # music21 prints a warning to stderr for each token it cannot read; the verdict is all we keep.
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                score = converter.parse(abc, format="abc")
            found = len(score.recurse().notes)
    except ParseTimeout:
        return time_limit_result("music21", timeout_s)
    except Exception as error:  # noqa: BLE001 - music21 raises many kinds of error on garbage; all mean "invalid"
        return ParseResult(False, f"music21: {type(error).__name__}: {str(error)[:120]}")
    return ParseResult(True) if found else ParseResult(False, "music21 found no notes")


def abc2midi_path() -> str | None:
    """Where abc2midi is installed (Debian package abcmidi), or None."""
    return shutil.which("abc2midi")


def parse_abc2midi(abc: str, timeout_s: float = PARSE_TIMEOUT_S) -> ParseResult:
    """abc2midi on the tune: ok when it writes a MIDI file and reports no error; ok=None when not installed.

    Its warnings about written bars whose length differs from the meter are kept (bar_warnings), whatever the
    verdict.
    """
    program = abc2midi_path()
    if program is None:
        return ParseResult(None, "abc2midi is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "tune.abc", Path(folder) / "tune.mid"
        source.write_text(abc, encoding="utf-8", errors="replace")
        try:
            result = subprocess.run(
                [program, str(source), "-o", str(target)],
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            return time_limit_result("abc2midi", timeout_s)
        output = (result.stdout + result.stderr).splitlines()
        errors = [line for line in output if line.startswith("Error")]
        # "... in repeat": the same bar again as abc2midi plays a repeat (a pickup joins the repeated bar).
        bar_warnings = tuple(line for line in output if ABC2MIDI_BAR_WARNING in line and "in repeat" not in line)
        if result.returncode != 0 or errors or not target.is_file() or target.stat().st_size == 0:
            reason = errors[0] if errors else f"abc2midi wrote no MIDI file (exit {result.returncode})"
            return ParseResult(False, reason, bar_warnings=bar_warnings)
    return ParseResult(True, bar_warnings=bar_warnings)


# ------------------------------------------------------------------------------------------------ one whole tune


@dataclass(frozen=True)
class TuneQuality:
    """Every check and statistic of one tune."""

    header: HeaderCheck
    music21: ParseResult
    abc2midi: ParseResult
    bars: BarCheck
    n_bars: int
    repeat_problems: int
    finished: bool
    characters: int
    unreadable: int
    statistics: MusicStatistics = field(repr=False)

    @property
    def repeats_balanced(self) -> bool:
        return self.repeat_problems == 0

    @property
    def bars_ok(self) -> bool:
        """Every checked bar matches the meter, and there is at least one."""
        return self.bars.ok

    def row(self) -> dict:
        """The checks as one flat row of a table (numbers and booleans; None where a check was not run)."""
        stats = self.statistics
        return {
            "header_ok": self.header.ok,
            "meter": self.header.meter,
            "key": self.header.key,
            "music21_ok": self.music21.ok,
            "abc2midi_ok": self.abc2midi.ok,
            "music21_time_limit": self.music21.timed_out,
            "abc2midi_time_limit": self.abc2midi.timed_out,
            "bars_checked": self.bars.checked,
            "bars_matching": self.bars.matching,
            "bar_match_rate": self.bars.rate,
            "bars_ok": self.bars_ok,
            "n_bars": self.n_bars,
            "repeats_balanced": self.repeats_balanced,
            "finished": self.finished,
            "characters": self.characters,
            "unreadable": self.unreadable,
            "notes": stats.notes,
            "pitch_range": stats.pitch_range,
        }


def check_tune(abc: str, finished: bool = True, parsers: tuple[str, ...] = ("music21", "abc2midi")) -> TuneQuality:
    """All checks of one tune (without <start>/<end>); finished says whether it reached <end>."""
    if isinstance(parsers, str):
        raise TypeError(f"parsers must be a tuple of parser names, e.g. ({parsers!r},), got the string {parsers!r}")
    unknown = set(parsers) - {"music21", "abc2midi"}
    if unknown:
        raise ValueError(f"unknown parsers {sorted(unknown)}; expected 'music21' and/or 'abc2midi'")
    music = read_music(abc)
    return TuneQuality(
        header=check_header(abc),
        music21=parse_music21(abc) if "music21" in parsers else ParseResult(None, "not run"),
        abc2midi=parse_abc2midi(abc) if "abc2midi" in parsers else ParseResult(None, "not run"),
        bars=check_bars(music, finished),
        n_bars=len(music.bars) + (music.trailing is not None and finished),
        repeat_problems=repeat_problems(music.barlines),
        finished=finished,
        characters=len(abc),
        unreadable=music.unreadable,
        statistics=music_statistics(music.notes),
    )
