"""Transposing a tune: its notes respelled in the new key and its K: fields moved; the rest of its text kept as written.

folk-rnn moves every tune to one tonic (C), keeping its mode, so that a model learns one key per mode instead of
twelve: normalise_key does that for data preparation, and transpose_to_key moves a generated tune to the key a
user picks. Every letter moves by as many letter steps as the tonic (G major -> C major: each G becomes a C), and
the accidental a note needs follows from its pitch; it is written only where the new key signature and the
accidentals earlier in the bar would not already give that pitch. Notes are read and written with the reader's own
rule (MusicReader.pitch: an accidental holds for its letter and octave until the bar line), and the new text is read
back, so that its pitches are the old ones moved by exactly the interval, or the tune is refused with a
TranspositionError; so is a tune whose notes would leave MIDI's range, 0-127. transpose moves by at most two
octaves. Grace notes, which the reader leaves out of the melody, take the bar's accidentals and their own, which
last to the end of their group.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from helpers.abc.fields import ACCIDENTAL_SHIFT, KEY_PATTERN, TONIC_FIFTHS, parse_key
from helpers.abc.music import NATURAL_PITCH, MusicReader, read_music
from helpers.abc.reader import AbcTune, Token, note_parts, read_tune, token_field

__all__ = ["TranspositionError", "check_tonic", "normalise_key", "transpose_to_key"]

LETTERS = "CDEFGAB"
ACCIDENTAL_TEXT = {shift: text for text, shift in ACCIDENTAL_SHIFT.items()}  # 1 -> '^', 0 -> '=', -2 -> '__'
TONIC_SHIFT = {"": 0, "#": 1, "b": -1}
TONIC_TEXT = {shift: text for text, shift in TONIC_SHIFT.items()}
TONIC = re.compile(r"[A-G][#b]?")
KEY_ACCIDENTAL = re.compile(r"(\^\^|\^|__|_|=)([A-Ga-g])")
SMALLEST_MOVE = -5  # a move "by the smaller move" lies in -5..+6 semitones: G -> C is +5, D -> C is -2, F# -> C is +6

# Why a tune is refused, in a few words each and the same for every tune, so that a corpus can count its refusals.
NO_KEY = "no K: field"
NO_TONIC = "K:none or K:HP, no tonic to move"
EXPLICIT_KEY = "K: exp, an explicit key signature"
UNREADABLE_KEY = "a K: field the reader cannot read"
UNWRITABLE_KEY = "the new key cannot be written (a double sharp or flat in its tonic, or over 7 sharps or flats)"
UNWRITABLE_NOTE = "a note would need more than a double sharp or flat"
READS_DIFFERENTLY = "the transposed text reads back differently"
OUTSIDE_MIDI = "a note would leave the MIDI range 0-127"
MIDI_LOWEST, MIDI_HIGHEST = 0, 127  # the reader's pitches are MIDI numbers: middle C is 60
MAX_SEMITONES = 24  # transpose moves a tune by at most two octaves, up or down


class TranspositionError(ValueError):
    """A tune that cannot be transposed faithfully; .reason says why in a few words, the same for every tune."""

    def __init__(self, reason: str, detail: str = "", tune: str = "") -> None:
        self.reason, self.detail, self.tune = reason, detail, tune
        where = f" {tune}" if tune else ""
        super().__init__(f"cannot transpose{where}: {reason}" + (f" ({detail})" if detail else ""))

    def of(self, tune: str) -> TranspositionError:
        """The same error, naming the tune."""
        return TranspositionError(self.reason, self.detail, tune)


def tune_name(fields: dict[str, str]) -> str:
    """How an error names a tune: "tune X:12 'The Kesh'"."""
    number = f"X:{fields['X']} " if "X" in fields else ""
    return f"tune {number}{fields['T']!r}" if "T" in fields else f"tune {number}(untitled)"


def staff_place(letter: str, octave: str = "") -> int:
    """A note's place on the staff in letter steps from middle C, as the reader counts octaves: C 0, c 7, B, -1."""
    register = (1 if letter.islower() else 0) + octave.count("'") - octave.count(",")
    return 7 * register + LETTERS.index(letter.upper())


def natural_pitch(place: int) -> int:
    """Semitones from middle C of the unaltered note at this staff place: 0 -> 0 (C), 6 -> 11 (B), 7 -> 12 (c)."""
    return 12 * (place // 7) + NATURAL_PITCH[LETTERS[place % 7]]


def written_note(place: int, accidental: str) -> tuple[str, str, str]:
    """The accidental, letter and octave marks that write a note at this staff place: -1 -> ('', 'B', ',')."""
    register, letter = divmod(place, 7)
    if register >= 1:
        return accidental, LETTERS[letter].lower(), "'" * (register - 1)
    return accidental, LETTERS[letter], "," * -register


def tonic_fifths(tonic: str) -> int:
    """The sharps (+) or flats (-) of the major key on this tonic: G -> 1, Bb -> -2, C# -> 7."""
    return TONIC_FIFTHS[tonic[0]] + 7 * TONIC_SHIFT[tonic[1:]]


def tonic_pitch(tonic: str) -> int:
    """The semitones of a tonic above C: G -> 7, Bb -> 10, Cb -> -1."""
    return NATURAL_PITCH[tonic[0]] + TONIC_SHIFT[tonic[1:]]


@dataclass(frozen=True)
class Interval:
    """A transposition as spelled: letters move by `steps` (G up to c: 3), pitches by `semitones` (G up to c: 5)."""

    steps: int
    semitones: int

    def respell(self, place: int, pitch: int) -> tuple[int, int]:
        """Where a note at this staff place and pitch (semitones from middle C) goes: its new place and its shift."""
        moved = place + self.steps
        return moved, pitch + self.semitones - natural_pitch(moved)

    def respell_tonic(self, tonic: str) -> str:
        """A tonic moved by this interval ('G' -> 'C'), or a TranspositionError where it needs a double accidental."""
        place, shift = self.respell(staff_place(tonic[0]), tonic_pitch(tonic))
        if shift not in TONIC_TEXT:
            raise TranspositionError(UNWRITABLE_KEY, f"tonic {tonic} moved by {self.semitones} semitones")
        return LETTERS[place % 7] + TONIC_TEXT[shift]

    def respell_key_accidental(self, accidental: str, letter: str) -> str:
        """An explicit accidental of a K: field moved by this interval: '^c' moved up from A to C -> '=e'."""
        place, shift = self.respell(
            staff_place(letter.upper()), NATURAL_PITCH[letter.upper()] + ACCIDENTAL_SHIFT[accidental]
        )
        if shift not in ACCIDENTAL_TEXT:
            raise TranspositionError(UNWRITABLE_KEY, f"{accidental}{letter} moved by {self.semitones} semitones")
        new_letter = LETTERS[place % 7]
        return ACCIDENTAL_TEXT[shift] + (new_letter.lower() if letter.islower() else new_letter)


def check_tonic(tonic: object) -> str:
    """The tonic, or a ValueError if it is not one like G, F# or Bb."""
    if not isinstance(tonic, str) or not TONIC.fullmatch(tonic):
        raise ValueError(f"tonic {tonic!r} is not a letter A-G with an optional # or b, like C, F# or Bb")
    return tonic


def interval_between(tonic: str, new_tonic: str, semitones: int | None = None) -> Interval:
    """The interval from one tonic to another: by this many semitones, or (None) by the smaller move, -5..+6."""
    steps = (LETTERS.index(check_tonic(new_tonic)[0]) - LETTERS.index(check_tonic(tonic)[0])) % 7
    upward = natural_pitch(staff_place(tonic[0]) + steps) + TONIC_SHIFT[new_tonic[1:]] - tonic_pitch(tonic)
    if semitones is None:
        octaves = -((upward - SMALLEST_MOVE) // 12)
    elif (semitones - upward) % 12:
        raise ValueError(f"tonic {new_tonic!r} is not {semitones} semitones from {tonic!r}; give another tonic")
    else:
        octaves = (semitones - upward) // 12
    return Interval(steps + 7 * octaves, upward + 12 * octaves)


def read_key(value: str) -> re.Match:
    """A K: value as tonic, mode and explicit accidentals; a TranspositionError for a key without a tonic to move."""
    match = KEY_PATTERN.match(value.strip())
    if match is None:
        raise TranspositionError(UNREADABLE_KEY, f"K:{value}")
    if match["special"]:
        raise TranspositionError(NO_TONIC, f"K:{value}")
    if match["mode"].lower() == "exp":
        raise TranspositionError(EXPLICIT_KEY, f"K:{value}")
    try:
        parse_key(value)
    except ValueError as error:
        raise TranspositionError(UNREADABLE_KEY, str(error)) from None
    return match


def mode_fifths(key: re.Match) -> int:
    """The mode of a read key, as the fifths it adds to its tonic's major key: major 0, dorian -2, minor -3."""
    return sum(parse_key(key["tonic"] + key["mode"]).values()) - tonic_fifths(key["tonic"])


def replace_spans(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """The text with each (start, stop, new) span replaced; spans in order and not overlapping."""
    pieces, done = [], 0
    for start, stop, new in replacements:
        pieces += [text[done:start], new]
        done = stop
    return "".join(pieces) + text[done:]


def transpose_key(value: str, interval: Interval) -> str:
    """A K: value moved by the interval: its tonic and explicit accidentals respelled, its mode and the rest kept."""
    key = read_key(value)
    first = key.start("accidentals")
    replacements = [(*key.span("tonic"), interval.respell_tonic(key["tonic"]))] + [
        (first + found.start(), first + found.end(), interval.respell_key_accidental(*found.groups()))
        for found in KEY_ACCIDENTAL.finditer(key["accidentals"])
    ]
    moved = replace_spans(value.strip(), replacements)
    try:
        parse_key(moved)
    except ValueError as error:
        raise TranspositionError(UNWRITABLE_KEY, str(error)) from None
    return moved


def moved_key_field(token: Token, interval: Interval) -> str:
    """The text of a K: field token ('K: G', '[K:Ador]') with its value moved by the interval."""
    value = token_field(token)[1]
    moved = transpose_key(value, interval)
    start = token.text.index(value, token.text.index(":") + 1)
    return token.text[:start] + moved + token.text[start + len(value) :]


class Respeller(MusicReader):
    """The reader in the new key, walking the old tokens: it writes each note so that the new text gives its new pitch.

    An inner reader in the old key gives each note's old pitch; both keep their own bar accidentals, reset at the
    same bar lines. Grace notes, which the reader leaves out of the melody, take the bar's accidentals and their own,
    which hold to the end of their group.
    """

    def __init__(self, fields: dict[str, str], interval: Interval) -> None:
        self.interval = interval
        self.old = MusicReader(fields)  # first: MusicReader.__init__ starts a bar, which starts one in the old key too
        super().__init__({**fields, "K": transpose_key(fields["K"], interval)})
        self.spellings: list[tuple[str, str, str]] = []  # accidental, letter and octave marks of each note token
        self.grace_accidentals: tuple[dict, dict] = ({}, {})  # the old and new accidentals inside a grace group

    def new_bar(self) -> None:
        super().new_bar()
        self.old.new_bar()

    def field(self, name: str, value: str) -> None:
        self.old.field(name, value)
        super().field(name, transpose_key(value, self.interval) if name == "K" else value)

    def read_token(self, token: Token) -> None:
        if token.kind == "grace_open":
            self.grace_accidentals = (dict(self.old.accidentals), dict(self.accidentals))
        elif token.kind == "note" and token.group == "grace":
            bar_accidentals = (self.old.accidentals, self.accidentals)
            self.old.accidentals, self.accidentals = self.grace_accidentals
            self.pitch(*note_parts(token))
            self.old.accidentals, self.accidentals = bar_accidentals
        super().read_token(token)

    def pitch(self, accidental: str, letter: str, octave: str) -> int:
        old = self.old.pitch(accidental, letter, octave)
        target = old + self.interval.semitones
        if not MIDI_LOWEST <= target <= MIDI_HIGHEST:
            written = f"{accidental}{letter}{octave}"
            raise TranspositionError(
                OUTSIDE_MIDI, f"{written} moved by {self.interval.semitones} would be MIDI {target}"
            )
        place, shift = self.interval.respell(staff_place(letter, octave), old - 60)  # pitches from middle C
        if shift not in ACCIDENTAL_TEXT:
            raise TranspositionError(UNWRITABLE_NOTE, f"{accidental}{letter}{octave} by {self.interval.semitones}")
        plain = written_note(place, "")
        if super().pitch(*plain) == target:  # the key and the bar already give it
            self.spellings.append(plain)
            return target
        spelled = written_note(place, ACCIDENTAL_TEXT[shift])
        self.spellings.append(spelled)
        return super().pitch(*spelled)


def key_tokens(tune: AbcTune) -> list[Token]:
    """The K: fields of a tune: its header's, then those of its body, lines and inline [K:...] alike."""
    tokens = (*tune.header, *tune.body)
    return [token for token in tokens if token.kind in ("field", "inline_field") and token_field(token)[0] == "K"]


def transposed(tune: AbcTune, interval: Interval) -> str:
    """The text of a tune moved by the interval, checked by reading it back; a TranspositionError if it cannot be."""
    new_keys = {token.start: moved_key_field(token, interval) for token in key_tokens(tune)}
    if interval == Interval(0, 0):
        return tune.text  # already there: the text stays as written, courtesy accidentals and all
    respeller = Respeller(tune.fields, interval)
    music = respeller.read(tune.body)
    spellings = iter(respeller.spellings)
    pieces = []
    for token in (*tune.header, *tune.body):
        if token.start in new_keys:
            pieces.append(new_keys[token.start])
        elif token.kind == "note":
            pieces.append("".join(next(spellings)) + token.length)
        else:
            pieces.append(token.text)
    text = "".join(pieces)
    found = read_music(text).notes
    if found != music.notes:
        index = next((i for i, pair in enumerate(zip(found, music.notes, strict=False)) if pair[0] != pair[1]), None)
        raise TranspositionError(READS_DIFFERENTLY, f"note {index}: {len(found)} notes read, {len(music.notes)} meant")
    return text


def moved_tune(text: str, choose: Callable[[re.Match], Interval]) -> tuple[str, Interval]:
    """A tune moved by the interval chosen from its header key, and that interval; errors name the tune."""
    tune = read_tune(text)
    try:
        if "K" not in tune.fields:
            raise TranspositionError(NO_KEY)
        interval = choose(read_key(tune.fields["K"]))
        return transposed(tune, interval), interval
    except TranspositionError as error:
        raise error.of(tune_name(tune.fields)) from None


def plainest_tonic(key: re.Match, semitones: int) -> str:
    """The tonic this many semitones above the key's, spelled for the fewest sharps or flats (sharps on a tie)."""
    pitch = tonic_pitch(key["tonic"]) + semitones
    mode = mode_fifths(key)
    tonics = [
        letter + mark for letter in LETTERS for mark in TONIC_SHIFT if (tonic_pitch(letter + mark) - pitch) % 12 == 0
    ]
    return min(tonics, key=lambda tonic: (abs(tonic_fifths(tonic) + mode), tonic_fifths(tonic) + mode < 0))


def transpose(text: str, semitones: int, tonic: str | None = None) -> str:
    """The tune moved by this many semitones (at most MAX_SEMITONES either way, and every note kept inside MIDI's
    0-127), its new tonic spelled `tonic`, or else for the fewest accidentals."""
    if isinstance(semitones, bool) or not isinstance(semitones, int):
        raise TypeError(f"semitones must be an int, got {semitones!r}")
    if not -MAX_SEMITONES <= semitones <= MAX_SEMITONES:
        raise ValueError(
            f"semitones must be between {-MAX_SEMITONES} and {MAX_SEMITONES} (two octaves), got {semitones}"
        )
    if tonic is not None:
        check_tonic(tonic)

    def choose(key: re.Match) -> Interval:
        new_tonic = tonic if tonic is not None else plainest_tonic(key, semitones)
        return interval_between(key["tonic"], new_tonic, semitones)

    return moved_tune(text, choose)[0]


def normalise_key(text: str, tonic: str = "C") -> tuple[str, int]:
    """The tune moved to this tonic by the smaller move (-5..+6 semitones), its mode kept; and the semitones moved."""
    check_tonic(tonic)
    new_text, interval = moved_tune(text, lambda key: interval_between(key["tonic"], tonic))
    return new_text, interval.semitones


def transpose_to_key(text: str, key: str) -> str:
    """The tune moved by the smaller move to a key the user picks: a tonic ('G', 'F#') or one in its mode ('Ador')."""
    wanted = KEY_PATTERN.match(key.strip()) if isinstance(key, str) else None
    if wanted is None or not wanted["tonic"] or wanted.end("mode") != len(key.strip()):
        raise ValueError(f"key {key!r} is not a tonic, alone or with a mode, like G, F#, Bb, Ador or Em")
    try:
        wanted_mode = mode_fifths(read_key(key))
    except TranspositionError as error:
        raise ValueError(f"key {key!r} is not a key to move to: {error.reason} ({error.detail})") from None

    def choose(tune_key: re.Match) -> Interval:
        if wanted["mode"] and wanted_mode != mode_fifths(tune_key):
            tonic = wanted["tonic"]
            raise ValueError(
                f"key {key!r} has another mode than the tune's K:{tune_key.string}, and transposing keeps the mode: "
                f"give the tonic alone ({tonic}) or with the tune's mode ({tonic}{tune_key['mode']})"
            )
        try:
            parse_key(wanted["tonic"] + tune_key["mode"])
        except ValueError as error:
            raise ValueError(f"key {key!r} in the tune's mode: {error}") from None
        return interval_between(tune_key["tonic"], wanted["tonic"])

    return moved_tune(text, choose)[0]
