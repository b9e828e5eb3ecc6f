"""The music of a tune read from its tokens: notes (pitch and length) and bars (length, and the bar lines around them).

Meter, unit length and key come from the header and change with body fields and inline fields; lengths
follow tuplets, broken rhythm, chords and ties; accidentals last until the bar line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from fractions import Fraction

from helpers.abc.fields import (
    ACCIDENTAL_SHIFT,
    Meter,
    default_unit_length,
    parse_key,
    parse_meter,
    parse_unit_length,
    tuplet_time,
)
from helpers.abc.reader import Token, note_parts, read_tune, token_field, tuplet_parts

__all__ = ["Bar", "MusicReader", "NATURAL_PITCH", "Note", "PITCH_NAMES", "TuneMusic", "pitch_sequence", "read_music"]

NATURAL_PITCH = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
SILENT = frozenset({"space", "comment", "continuation", "annotation", "decoration", "slur"})
LENGTH_PARTS = re.compile(r"(\d*)(/*)(\d*)")


@dataclass(frozen=True)
class Note:
    """One note (pitch as a MIDI number, 60 = middle C) or rest (pitch None), with its length in whole notes."""

    pitch: int | None
    duration: Fraction


@dataclass(frozen=True)
class Bar:
    """One bar: its length in whole notes, the meter in force, the bar lines around it, and its music as text."""

    duration: Fraction
    meter: Meter | None
    opened_by: tuple[str, ...]  # the bar lines since the previous bar; () for the first bar without one
    closed_by: tuple[str, ...]  # the bar lines up to the next bar; () at the end of the tune
    ending: bool  # the first bar of a first / second ending (|1, :|2, [2)
    multirest: bool
    text: str  # its notes, chords and so on, without spaces and bar lines


@dataclass(frozen=True)
class TuneMusic:
    """What the reader found in a tune body: bars, notes, bar lines in order, and characters it could not read."""

    bars: list[Bar]  # each closed by a bar line
    notes: list[Note]
    barlines: list[str]
    unreadable: int
    trailing: Bar | None  # notes after the last bar line


@functools.lru_cache(maxsize=256)
def length_factor(text: str) -> Fraction:
    """The multiplier of an ABC note length: '' -> 1, '2' -> 2, '/' -> 1/2, '//' -> 1/4, '3/2' -> 3/2."""
    match = LENGTH_PARTS.fullmatch(text)
    if not match:
        raise ValueError(f"note length {text!r} is not like 2, /2, / or 3/2")
    numerator = int(match[1]) if match[1] else 1
    slashes = len(match[2])
    if not slashes:
        return Fraction(numerator)
    denominator = int(match[3]) * 2 ** (slashes - 1) if match[3] else 2**slashes
    return Fraction(numerator, max(denominator, 1))


def try_parse(parser, value: str, fallback):
    """parser(value), or fallback where the value does not parse."""
    try:
        return parser(value)
    except ValueError:
        return fallback


class MusicReader:
    """Walks the body tokens of one tune, keeping meter, unit length, key and accidentals in force."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.meter = try_parse(parse_meter, fields.get("M", "none"), None)
        self.unit = try_parse(parse_unit_length, fields["L"], None) if "L" in fields else None
        self.unit = self.unit or default_unit_length(self.meter)
        self.signature = try_parse(parse_key, fields.get("K", "none"), {})
        self.bars: list[Bar] = []
        self.notes: list[Note] = []
        self.barlines: list[str] = []
        self.opening: list[str] = []  # bar lines since the last bar with music
        self.unreadable = 0
        self.tuplet: list[Fraction] = []  # factors still to apply, one per note
        self.broken_next: Fraction | None = None  # the factor of the note after a broken rhythm mark
        self.lengths: dict[str, Fraction] = {}  # each written length times the unit in force: Fractions are slow
        self.tie_open = False
        self.chord: list[tuple[int, Fraction]] = []  # (pitch, length factor) of the notes of an open chord
        self.new_bar()

    def new_bar(self) -> None:
        self.duration = Fraction(0)
        self.events = 0
        self.multirest = self.ending = False
        self.text: list[str] = []
        self.accidentals: dict[tuple[str, int], int] = {}
        self.last_event: tuple[int, Fraction] | None = None  # (index in notes, length) for broken rhythm

    def finished_bar(self, closed_by: tuple[str, ...] = ()) -> Bar:
        text = "".join(self.text)
        return Bar(self.duration, self.meter, tuple(self.opening), closed_by, self.ending, self.multirest, text)

    def read(self, tokens: tuple[Token, ...]) -> TuneMusic:
        for token in tokens:
            if self.chord and token.group != "chord" and token.kind != "chord_close":
                self.close_chord("")  # a chord left open at the end of its line
                self.unreadable += 1
            if token.kind not in SILENT and token.kind not in ("field", "bar", "ending") and token.group != "grace":
                self.text.append(token.text)
            self.read_token(token)
        return self.music()

    def music(self) -> TuneMusic:
        """What the tokens read so far hold (read calls it at the end; a reader fed token by token may too)."""
        closings = [bar.opened_by for bar in self.bars[1:]] + [tuple(self.opening)]  # what follows each bar
        bars = [replace(bar, closed_by=closing) for bar, closing in zip(self.bars, closings, strict=False)]
        trailing = self.finished_bar() if self.events else None
        return TuneMusic(bars, self.notes, self.barlines, self.unreadable, trailing)

    def read_token(self, token: Token) -> None:
        kind = token.kind
        if kind in SILENT or token.group == "grace" or kind in ("grace_open", "grace_close", "chord_open"):
            return
        if kind in ("field", "inline_field"):
            self.field(*token_field(token))
        elif kind == "bar":
            self.barline(token.text)
        elif kind == "ending":
            self.ending = True
        elif kind == "tuplet":
            self.start_tuplet(*tuplet_parts(token))
        elif kind == "broken":
            self.broken(token.text)
        elif kind == "tie":
            self.tie_open = bool(self.notes)
        elif kind == "note" and token.group == "chord":
            self.chord.append((self.pitch(*note_parts(token)), length_factor(token.length)))
        elif kind == "note":
            self.add_event(self.pitch(*note_parts(token)), self.length(token.length))
        elif kind == "chord_close":
            self.close_chord(token.length)
        elif kind == "rest":
            self.add_event(None, self.length(token.length))
        elif kind == "multirest":
            self.multirest = True
            self.events += 1
        else:
            self.unreadable += len(token.text)

    def length(self, written: str) -> Fraction:
        """A note's written length in whole notes, in the unit length in force."""
        found = self.lengths.get(written)
        if found is None:
            found = self.lengths[written] = self.unit * length_factor(written)
        return found

    def field(self, name: str, value: str) -> None:
        if name == "M":
            self.meter = try_parse(parse_meter, value, self.meter)
        elif name == "L":
            self.unit = try_parse(parse_unit_length, value, self.unit)
            self.lengths = {}
        elif name == "K":
            self.signature = try_parse(parse_key, value, self.signature)

    def pitch(self, accidental: str, letter: str, octave: str) -> int:
        step = letter.upper()
        register = (1 if letter.islower() else 0) + octave.count("'") - octave.count(",")
        if accidental:
            self.accidentals[(step, register)] = ACCIDENTAL_SHIFT[accidental]
        shift = self.accidentals.get((step, register), self.signature.get(step, 0))
        return 60 + 12 * register + NATURAL_PITCH[step] + shift

    def add_event(self, pitch: int | None, duration: Fraction) -> None:
        """A note, chord or rest of the given written length, after tuplet and broken-rhythm factors."""
        if self.tuplet:
            duration *= self.tuplet.pop(0)
        if self.broken_next is not None:
            duration *= self.broken_next
            self.broken_next = None
        self.duration += duration
        self.events += 1
        previous = self.notes[-1] if self.notes else None
        if self.tie_open and previous is not None and pitch is not None and previous.pitch == pitch:
            self.notes[-1] = Note(pitch, previous.duration + duration)
        else:
            self.notes.append(Note(pitch, duration))
        self.tie_open = False
        self.last_event = (len(self.notes) - 1, duration)

    def close_chord(self, length: str) -> None:
        """[ceg]2: the length of its first note times the length after ']'; its top note is the melody's."""
        if not self.chord:
            self.unreadable += 2  # [] holds no note
            return
        pitches = [pitch for pitch, _ in self.chord]
        self.add_event(max(pitches), self.unit * self.chord[0][1] * length_factor(length))
        self.chord = []

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

    def barline(self, text: str) -> None:
        self.barlines.append(text)
        if self.events:
            self.bars.append(self.finished_bar())
            self.opening = []
            self.new_bar()
        self.opening.append(text)

    def start_tuplet(self, count: int, in_time_of: int | None, notes: int | None) -> None:
        """(3abc: three notes in the time of two; (p:q:r in general, q by default from the ABC standard's table."""
        if count < 2:
            self.unreadable += 2
            return
        in_time_of = in_time_of or tuplet_time(count, self.meter)
        self.tuplet = [Fraction(in_time_of, count)] * (notes or count)


def read_music(abc: str) -> TuneMusic:
    """Bars, notes and bar lines of one tune, with the meter, unit length and key of its header."""
    tune = read_tune(abc)
    return MusicReader(tune.fields).read(tune.body)


def pitch_sequence(abc: str) -> list[int]:
    """The tune's pitches in order (MIDI numbers, rests left out), for n-gram statistics."""
    return [note.pitch for note in read_music(abc).notes if note.pitch is not None]
