"""Is it music? Checks and statistics of one ABC tune: header, parsers, bar lengths, repeats, pitches and rhythm.

Everything is read from the ABC text by a small reader of the notation (notes, lengths, chords, tuplets,
broken rhythm, ties, bar lines, endings, inline fields), so the checks are exact on hand-written tunes and
fast on thousands of generated ones. Two real ABC readers give a second opinion: music21's parser and,
where it is installed (Debian's `abcmidi` package), `abc2midi`.
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
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from helpers.abc.reader import field_line, split_header_body

PARSE_TIMEOUT_S = 5.0
MODES = {"": 0, "m": -3, "maj": 0, "ion": 0, "min": -3, "aeo": -3, "mix": -1, "dor": -2, "phr": -4, "lyd": 1, "loc": -5}
MODE_NAMES = ("major", "minor", "ionian", "aeolian", "mixolydian", "dorian", "phrygian", "lydian", "locrian")
TONIC_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
SHARP_ORDER = "FCGDAEB"
NATURAL_PITCH = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
ACCIDENTAL_SHIFT = {"^": 1, "^^": 2, "_": -1, "__": -2, "=": 0}
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

KEY_PATTERN = re.compile(
    r"^(?:(?P<special>none|HP|Hp)|(?P<tonic>[A-G][#b]?)\s*(?P<mode>[A-Za-z]*))"
    r"(?P<accidentals>(?:\s+(?:\^\^|\^|__|_|=)[A-Ga-g])*)(?:\s+[A-Za-z\-]+=\S+)*\s*$"
)
METER_PATTERN = re.compile(r"^(?P<beats>\d+(?:\+\d+)*)/(?P<unit>\d+)$")
LENGTH_PATTERN = re.compile(r"^(?P<num>\d+)/(?P<den>\d+)$")

# A bar line (|, ||, |], [|, |:, :|, ::, ...) and the number of the ending it may open (|1, :|2, |[1).
BARLINE = r":*\[\|+:*|:*\|+\]?:*|:{2,}"
ENDING = r"\[?\d+(?:[,-]\d+)*"

# One token of the tune body; the order of the alternatives matters (a bar line before a chord, and so on).
TOKEN = re.compile(
    r"""
    (?P<space>[\s`]+)
  | (?P<annotation>"[^"]*(?:"|$))
  | (?P<decoration>![^!\s]*!|\+[^+\s]*\+)
  | (?P<grace>\{[^}]*(?:\}|$))
  | (?P<field>\[[A-Za-z]:[^\]]*\])
  | (?P<barline>(?P<bar>BARLINE)(?P<bar_ending>ENDING)?)
  | (?P<ending>\[\d+(?:[,-]\d+)*)
  | (?P<chord>\[(?P<chord_notes>[^\]\[|]*)\](?P<chord_length>\d*/*\d*))
  | (?P<tuplet>\((?P<p>\d)(?::(?P<q>\d*))?(?::(?P<r>\d*))?)
  | (?P<slur>[()])
  | (?P<broken>[<>]+)
  | (?P<tie>-)
  | (?P<note>(?P<accidental>\^\^|\^|__|_|=)?(?P<letter>[A-Ga-g])(?P<octave>[,']*)(?P<length>\d*/*\d*))
  | (?P<rest>[zx](?P<rest_length>\d*/*\d*))
  | (?P<multirest>Z\d*)
  | (?P<ornament>[.~HJLMOPRSTuvy])
  | (?P<junk>.)
    """.replace("BARLINE", BARLINE).replace("ENDING", ENDING),
    re.VERBOSE,
)
NOTE_IN_CHORD = re.compile(r"(\^\^|\^|__|_|=)?([A-Ga-g])([,']*)(\d*/*\d*)")


class ParseTimeout(BaseException):
    """A parser ran past its time limit (a BaseException, so that no `except Exception` in a parser hides it)."""


# ---------------------------------------------------------------------------------------------- header fields


def parse_meter(value: str) -> Fraction | None:
    """The length of one bar in whole notes ('6/8' -> 3/4, 'C' -> 1), or None for free meter ('none')."""
    value = value.strip()
    if value in ("C", "C|"):
        return Fraction(1)
    if value.lower() == "none":
        return None
    match = METER_PATTERN.match(value)
    if not match or int(match["unit"]) == 0 or sum(map(int, match["beats"].split("+"))) == 0:
        raise ValueError(f"meter {value!r} is not C, C|, none or a fraction like 6/8")
    return Fraction(sum(map(int, match["beats"].split("+"))), int(match["unit"]))


def parse_unit_length(value: str) -> Fraction:
    """The unit note length of an L: field in whole notes ('1/8' -> 1/8)."""
    match = LENGTH_PATTERN.match(value.strip())
    if not match or int(match["num"]) == 0 or int(match["den"]) == 0:
        raise ValueError(f"unit note length {value!r} is not a fraction like 1/8")
    return Fraction(int(match["num"]), int(match["den"]))


def default_unit_length(meter: Fraction | None) -> Fraction:
    """The ABC standard's unit length when L: is missing: 1/16 below a 3/4 bar, else (and without meter) 1/8."""
    return Fraction(1, 16) if meter is not None and meter < Fraction(3, 4) else Fraction(1, 8)


def parse_key(value: str) -> dict[str, int]:
    """The key signature of a K: field as {letter: semitone shift}, e.g. 'D' -> {'F': 1, 'C': 1}."""
    match = KEY_PATTERN.match(value.strip())
    if not match:
        raise ValueError(f"key {value!r} is not a tonic and mode like G, Ador or F#m (or none)")
    signature: dict[str, int] = {}
    if match["tonic"]:
        mode = match["mode"].lower()
        if mode == "exp":
            offset = None
        elif mode in ("", "m"):
            offset = MODES[mode]
        elif len(mode) >= 3 and any(name.startswith(mode) for name in MODE_NAMES):
            offset = MODES[mode[:3]]
        else:
            raise ValueError(f"key {value!r} has an unknown mode {match['mode']!r}")
        if offset is not None:
            tonic = match["tonic"]
            fifths = TONIC_FIFTHS[tonic[0]] + {"#": 7, "b": -7}.get(tonic[1:], 0) + offset
            if not -7 <= fifths <= 7:
                raise ValueError(f"key {value!r} needs {abs(fifths)} sharps or flats (at most 7)")
            letters = SHARP_ORDER[:fifths] if fifths > 0 else SHARP_ORDER[::-1][:-fifths]
            signature = {letter: 1 if fifths > 0 else -1 for letter in letters}
    for accidental, letter in re.findall(r"(\^\^|\^|__|_|=)([A-Ga-g])", match["accidentals"]):
        signature[letter.upper()] = ACCIDENTAL_SHIFT[accidental]
    return signature


@dataclass(frozen=True)
class HeaderCheck:
    """Which header fields a tune has, in which order, and whether meter, unit length and key can be read."""

    x_first: bool
    has_title: bool
    has_meter: bool
    has_unit_length: bool
    has_key: bool
    only_fields_before_key: bool
    meter_ok: bool
    unit_length_ok: bool
    key_ok: bool
    meter: str | None
    key: str | None

    @property
    def ok(self) -> bool:
        """X: first, T: and M:, L: or its default, K: last; meter, unit length and key all parse."""
        return (
            self.x_first
            and self.has_title
            and self.has_meter
            and self.has_key
            and self.only_fields_before_key
            and self.meter_ok
            and self.unit_length_ok
            and self.key_ok
        )


def check_header(abc: str) -> HeaderCheck:
    """The header of one tune: the lines up to and including its first K: field."""
    header, _ = split_header_body(abc)
    lines = [line for line in header if line.strip() and not line.lstrip().startswith("%")]
    fields = [field_line(line) for line in lines]
    values: dict[str, str] = {}
    for item in fields:
        if item:
            values.setdefault(*item)
    has_key = bool(fields) and fields[-1] is not None and fields[-1][0] == "K"
    meter_ok = unit_ok = key_ok = False
    if "M" in values:
        meter_ok = can_parse(parse_meter, values["M"])
    unit_ok = can_parse(parse_unit_length, values["L"]) if "L" in values else True
    if has_key:
        key_ok = can_parse(parse_key, values["K"])
    return HeaderCheck(
        x_first=bool(fields) and fields[0] is not None and fields[0][0] == "X",
        has_title="T" in values,
        has_meter="M" in values,
        has_unit_length="L" in values,
        has_key=has_key,
        only_fields_before_key=all(item is not None for item in fields),
        meter_ok=meter_ok,
        unit_length_ok=unit_ok,
        key_ok=key_ok,
        meter=values.get("M"),
        key=values.get("K") if has_key else None,
    )


def can_parse(parser, value: str) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


# -------------------------------------------------------------------------------------------- reading the body


@dataclass(frozen=True)
class Note:
    """One note (pitch as a MIDI number, 60 = middle C) or rest (pitch None), with its length in whole notes."""

    pitch: int | None
    duration: Fraction


@dataclass(frozen=True)
class Bar:
    """One bar: its length in whole notes, the meter's bar length, and where it stands in the tune."""

    duration: Fraction
    meter: Fraction | None
    starts_section: bool  # after the start of the tune, a double bar or a repeat sign
    ends_section: bool  # before a double bar, a repeat sign or the end of the tune
    ending: bool  # the first bar of a first / second ending
    multirest: bool = False


@dataclass(frozen=True)
class BodyReading:
    """What the reader found in a tune body: bars, notes, bar lines in order, and characters it could not read."""

    bars: list[Bar]
    notes: list[Note]
    barlines: list[str]
    unreadable: int
    trailing: Bar | None  # notes after the last bar line


def length_factor(text: str) -> Fraction:
    """The multiplier of an ABC note length: '' -> 1, '2' -> 2, '/' -> 1/2, '//' -> 1/4, '3/2' -> 3/2."""
    match = re.fullmatch(r"(\d*)(/*)(\d*)", text)
    if not match:
        raise ValueError(f"note length {text!r} is not like 2, /2, / or 3/2")
    numerator = int(match[1]) if match[1] else 1
    slashes = len(match[2])
    if not slashes:
        return Fraction(numerator)
    denominator = int(match[3]) * 2 ** (slashes - 1) if match[3] else 2**slashes
    return Fraction(numerator, max(denominator, 1))


class BodyReader:
    """Walks the body of one tune token by token, keeping meter, unit length, key and accidentals in force."""

    def __init__(self, header: dict[str, str]) -> None:
        self.meter = try_parse(parse_meter, header.get("M", "none"), None)
        self.unit = try_parse(parse_unit_length, header["L"], None) if "L" in header else None
        self.unit = self.unit or default_unit_length(self.meter)
        self.signature = try_parse(parse_key, header.get("K", "none"), {})
        self.bars: list[Bar] = []
        self.notes: list[Note] = []
        self.barlines: list[str] = []
        self.unreadable = 0
        self.new_bar(starts_section=True, ending=False)
        self.tuplet: list[Fraction] = []  # factors still to apply, one per note
        self.broken_next = Fraction(1)
        self.tie_open = False

    def new_bar(self, starts_section: bool, ending: bool) -> None:
        self.duration = Fraction(0)
        self.events = 0
        self.multirest = False
        self.starts_section, self.ending = starts_section, ending
        self.accidentals: dict[tuple[str, int], int] = {}
        self.last_event: tuple[int, Fraction] | None = None  # (index in notes, length) for broken rhythm

    def field(self, name: str, value: str) -> None:
        if name == "M":
            self.meter = try_parse(parse_meter, value, self.meter)
        elif name == "L":
            self.unit = try_parse(parse_unit_length, value, self.unit)
        elif name == "K":
            self.signature = try_parse(parse_key, value, self.signature)

    def pitch(self, accidental: str | None, letter: str, octave: str) -> int:
        step = letter.upper()
        register = (1 if letter.islower() else 0) + octave.count("'") - octave.count(",")
        if accidental is not None:
            self.accidentals[(step, register)] = ACCIDENTAL_SHIFT[accidental]
        shift = self.accidentals.get((step, register), self.signature.get(step, 0))
        return 60 + 12 * register + NATURAL_PITCH[step] + shift

    def add_event(self, pitch: int | None, duration: Fraction) -> None:
        """A note, chord or rest of the given written length, after tuplet and broken-rhythm factors."""
        if self.tuplet:
            duration *= self.tuplet.pop(0)
        duration *= self.broken_next
        self.broken_next = Fraction(1)
        self.duration += duration
        self.events += 1
        previous = self.notes[-1] if self.notes else None
        if self.tie_open and previous is not None and pitch is not None and previous.pitch == pitch:
            self.notes[-1] = Note(pitch, previous.duration + duration)
        else:
            self.notes.append(Note(pitch, duration))
        self.tie_open = False
        self.last_event = (len(self.notes) - 1, duration)

    def broken(self, marks: str) -> None:
        """a>b: the first note longer by 1/2 (3/4, 7/8 for >>, >>>), the second shorter by as much."""
        if self.last_event is None or len(marks) > 3 or len(set(marks)) > 1:
            self.unreadable += len(marks)
            return
        short = Fraction(1, 2 ** len(marks))
        first, second = (2 - short, short) if marks[0] == ">" else (short, 2 - short)
        index, duration = self.last_event
        self.duration += duration * (first - 1)
        note = self.notes[index]
        self.notes[index] = Note(note.pitch, note.duration + duration * (first - 1))
        self.last_event = None
        self.broken_next = second

    def barline(self, token: str, ending: bool) -> None:
        self.barlines.append(token)
        boundary = token not in ("|",)
        if self.events:
            self.bars.append(Bar(self.duration, self.meter, self.starts_section, boundary, self.ending, self.multirest))
            self.new_bar(starts_section=boundary, ending=ending)
        else:  # an empty bar between two bar lines (e.g. '|' at a line end and '|' at the next line's start)
            self.new_bar(starts_section=self.starts_section or boundary, ending=self.ending or ending)

    def read(self, body_lines: list[str]) -> BodyReading:
        for line in body_lines:
            if line.lstrip().startswith("%"):
                continue
            item = field_line(line)
            if item:
                self.field(*item)
                continue
            self.read_music(re.sub(r"(?<!\\)%.*$", "", line).rstrip().removesuffix("\\") + " ")
        trailing = None
        if self.events:
            trailing = Bar(self.duration, self.meter, self.starts_section, True, self.ending, self.multirest)
        return BodyReading(self.bars, self.notes, self.barlines, self.unreadable, trailing)

    def read_music(self, text: str) -> None:
        for match in TOKEN.finditer(text):
            kind = match.lastgroup
            if kind in ("space", "annotation", "decoration", "grace", "slur", "ornament"):
                continue
            if kind == "field":
                name, _, value = match["field"][1:-1].partition(":")
                self.field(name, value)
            elif kind == "barline":
                self.barline(match["bar"], ending=match["bar_ending"] is not None)
            elif kind == "ending":
                self.ending = True
            elif kind == "tuplet":
                self.start_tuplet(match["p"], match["q"], match["r"])
            elif kind == "broken":
                self.broken(match["broken"])
            elif kind == "tie":
                self.tie_open = bool(self.notes)
            elif kind == "note":
                pitch = self.pitch(match["accidental"], match["letter"], match["octave"])
                self.add_event(pitch, self.unit * length_factor(match["length"]))
            elif kind == "chord":
                self.chord(match["chord_notes"], match["chord_length"])
            elif kind == "rest":
                self.add_event(None, self.unit * length_factor(match["rest_length"]))
            elif kind == "multirest":
                self.multirest = True
                self.events += 1
            else:
                self.unreadable += 1

    def chord(self, inner: str, length: str) -> None:
        """[ceg]2: the length of its first note times the length after ']'; its top note is the melody's."""
        notes = NOTE_IN_CHORD.findall(inner)
        if not notes or NOTE_IN_CHORD.sub("", inner).strip(" -"):
            self.unreadable += len(inner) + 2
            return
        pitches = [self.pitch(acc or None, letter, octave) for acc, letter, octave, _ in notes]
        self.add_event(max(pitches), self.unit * length_factor(notes[0][3]) * length_factor(length))

    def start_tuplet(self, p: str, q: str | None, r: str | None) -> None:
        """(3abc: three notes in the time of two; (p:q:r in general, q from the ABC standard's table."""
        count = int(p)
        if count < 2:
            self.unreadable += 2
            return
        compound = self.meter is not None and self.meter.numerator % 3 == 0 and self.meter.numerator > 3
        default_q = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}.get(count, 3 if compound else 2)
        in_time_of = int(q) if q else default_q
        notes = int(r) if r else count
        self.tuplet = [Fraction(in_time_of, count)] * notes


def try_parse(parser, value: str, fallback):
    try:
        return parser(value)
    except ValueError:
        return fallback


def read_body(abc: str) -> BodyReading:
    """Bars, notes and bar lines of one tune, with the meter, unit length and key of its header."""
    header, body = split_header_body(abc)
    values: dict[str, str] = {}
    for line in header:
        item = field_line(line)
        if item:
            values.setdefault(*item)
    return BodyReader(values).read(body)


# ------------------------------------------------------------------------------------------ bars and structure


@dataclass(frozen=True)
class BarCheck:
    """Bars whose length was checked against the meter, how many matched, and the pickups set aside."""

    checked: int
    matching: int
    pickups: int
    closing: int

    @property
    def rate(self) -> float | None:
        """Matching / checked, or None when no bar could be checked (no meter, no complete bar)."""
        return self.matching / self.checked if self.checked else None


def check_bars(reading: BodyReading, finished: bool = True) -> BarCheck:
    """Bar lengths against the meter.

    A short first bar of the tune or of a section is a pickup (anacrusis) and is not checked. A short last
    bar of a section or of the tune is accepted when it and one of the tune's pickups make a whole bar (the
    usual way a section closes). The first bar of an ending is not a pickup. Every other bar, and every bar
    longer than the meter, must match it. Notes after the last bar line count as a final bar only in a
    finished tune (a tune cut at the maximum length ends mid-bar).
    """
    bars = list(reading.bars) + ([reading.trailing] if reading.trailing is not None and finished else [])
    if finished and bars:
        bars[-1] = replace(bars[-1], ends_section=True)
    bars = [bar for bar in bars if bar.meter is not None and not bar.multirest]
    is_pickup = [bar.starts_section and not bar.ending and 0 < bar.duration < bar.meter for bar in bars]
    pickups = {bar.duration for bar, pickup in zip(bars, is_pickup, strict=True) if pickup}
    checked = matching = closing = 0
    for bar, pickup in zip(bars, is_pickup, strict=True):
        if pickup:
            continue
        if bar.ends_section and bar.duration < bar.meter and any(bar.duration + p == bar.meter for p in pickups):
            closing += 1
            continue
        checked += 1
        matching += bar.duration == bar.meter
    return BarCheck(checked, matching, sum(is_pickup), closing)


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


def pitch_sequence(abc: str) -> list[int]:
    """The tune's pitches in order (MIDI numbers, rests left out), for n-gram statistics."""
    return [note.pitch for note in read_body(abc).notes if note.pitch is not None]


# ------------------------------------------------------------------------------------------------- real parsers


@dataclass(frozen=True)
class ParseResult:
    """Whether a parser read the tune without error (None: not run), and its first complaint."""

    ok: bool | None
    message: str = ""


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
        return ParseResult(False, f"music21 took longer than {timeout_s:g} s")
    except Exception as error:  # noqa: BLE001 - music21 raises many kinds of error on garbage; all mean "invalid"
        return ParseResult(False, f"music21: {type(error).__name__}: {str(error)[:120]}")
    return ParseResult(True) if found else ParseResult(False, "music21 found no notes")


def abc2midi_path() -> str | None:
    """Where abc2midi is installed (Debian package abcmidi), or None."""
    return shutil.which("abc2midi")


def parse_abc2midi(abc: str, timeout_s: float = PARSE_TIMEOUT_S) -> ParseResult:
    """abc2midi on the tune: ok when it writes a MIDI file and reports no error; ok=None when not installed."""
    program = abc2midi_path()
    if program is None:
        return ParseResult(None, "abc2midi is not installed")
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "tune.abc", Path(folder) / "tune.mid"
        source.write_text(abc, encoding="utf-8")
        try:
            result = subprocess.run(
                [program, str(source), "-o", str(target)],
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                timeout=timeout_s,
            )
        except subprocess.TimeoutExpired:
            return ParseResult(False, f"abc2midi took longer than {timeout_s:g} s")
        errors = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("Error")]
        if result.returncode != 0 or errors or not target.is_file() or target.stat().st_size == 0:
            reason = errors[0] if errors else f"abc2midi wrote no MIDI file (exit {result.returncode})"
            return ParseResult(False, reason)
    return ParseResult(True)


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
        return self.bars.checked > 0 and self.bars.matching == self.bars.checked

    def row(self) -> dict:
        """The checks as one flat row of a table (numbers and booleans; None where a check was not run)."""
        stats = self.statistics
        return {
            "header_ok": self.header.ok,
            "meter": self.header.meter,
            "key": self.header.key,
            "music21_ok": self.music21.ok,
            "abc2midi_ok": self.abc2midi.ok,
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
    unknown = set(parsers) - {"music21", "abc2midi"}
    if unknown:
        raise ValueError(f"unknown parsers {sorted(unknown)}; expected 'music21' and/or 'abc2midi'")
    reading = read_body(abc)
    return TuneQuality(
        header=check_header(abc),
        music21=parse_music21(abc) if "music21" in parsers else ParseResult(None, "not run"),
        abc2midi=parse_abc2midi(abc) if "abc2midi" in parsers else ParseResult(None, "not run"),
        bars=check_bars(reading, finished),
        n_bars=len(reading.bars) + (reading.trailing is not None and finished),
        repeat_problems=repeat_problems(reading.barlines),
        finished=finished,
        characters=len(abc),
        unreadable=reading.unreadable,
        statistics=music_statistics(reading.notes),
    )
