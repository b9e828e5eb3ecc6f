"""One canonical ABC: a tune rewritten into the notation that the grammar (helpers.abc.grammar) accepts, its music kept.

folk-rnn got valid tunes by normalising its corpus into one clean notation before training; this is that step. The
rewritten tune has the header `X: T: (one or two) M: L: (R:) K:`, one unit length (1/8 where the rhythm allows it,
else 1/16 or 1/4), each note length spelled one way, `M:4/4` and `M:2/2` for `C` and `C|`, short key names (`K:E
Major` -> `K:E`, `K:D Dorian` -> `K:Ddor`), and a body of notes, rests, ties, broken rhythm, tuplets, grace groups,
bar lines, repeats and first and second endings (`|1`, `:|2`). Decorations, bowings (slurs), fingerings,
annotations, chord symbols, part labels and tempo are removed; a chord becomes its top note, which is the note the
reader takes as the melody; `!` line breaks and line continuations are resolved (a line breaks only after a bar
line); a tie across a bar line writes its note's accidental on both sides.

A rewritten tune is kept only when it is accepted by the grammar, character by character, and read back by the one
reader (helpers.abc.music) with the same notes (pitch and length) and the same bars (lengths, endings and repeat
signs) as the original. Any other tune raises CanonicalError, whose .reason says why in a few words, the same for
every tune, so that a corpus can count its refusals: nothing is ever half rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from helpers.abc.fields import KEY_PATTERN, MODE_NAMES, parse_key, parse_meter, tuplet_time
from helpers.abc.grammar import KEYS, METERS, TEXT_EXCLUDED, TuneState, advance, start_state
from helpers.abc.music import MusicReader, TuneMusic, length_factor, read_music
from helpers.abc.reader import END, START, Token, note_parts, read_tune, token_field, tuplet_parts

__all__ = ["CanonicalError", "canonical_abc", "canonical_key"]

# Each length (in units of L) written one way; the grammar allows these and a few spellings more.
LENGTH_TEXT = {
    Fraction(1): "",
    Fraction(2): "2",
    Fraction(3): "3",
    Fraction(4): "4",
    Fraction(6): "6",
    Fraction(8): "8",
    Fraction(1, 2): "/",
    Fraction(1, 4): "//",
    Fraction(3, 2): "3/2",
    Fraction(3, 4): "3/4",
    Fraction(7, 2): "7/2",
}
UNITS = (Fraction(1, 8), Fraction(1, 16), Fraction(1, 4))  # the first that writes every length is chosen
METER_TEXT = {"C": "4/4", "C|": "2/2"}
MODE_SUFFIX = {"maj": "", "ion": "", "min": "m", "aeo": "m", "mix": "mix", "dor": "dor", "phr": "phr", "lyd": "lyd"}
MODE_SUFFIX |= {"loc": "loc", "": "", "m": "m"}
MAX_TITLE = 60
MAX_GRACE_NOTES = 4
ACCIDENTAL_TEXT = {1: "^", 2: "^^", -1: "_", -2: "__", 0: "="}
SILENT_KINDS = frozenset({"comment", "continuation", "annotation", "decoration", "slur", "acciaccatura"})
LINE_BREAK_MARKS = frozenset({"!", "k"})  # '!' line breaks (abcm2ps's old convention), Ryan's 'k' marks: no music
SKIPPED_FIELDS = frozenset("PQTRWNw")  # part labels, tempo, a part's title, ...: no notes

# Why a tune is refused, in a few words each and the same for every tune.
NO_METER = "no M: field"
NO_TITLE = "no title"
METER_OUTSIDE = "a meter outside the grammar"
METER_CHANGES = "the meter changes in the tune"
KEY_UNREADABLE = "a K: field the reader cannot read (K:none, K:HP, an unknown mode)"
KEY_ACCIDENTALS = "a K: field with explicit accidentals"
KEY_OUTSIDE = "a key outside the grammar (locrian, or one music21 misreads)"
KEY_CHANGES = "the key changes in the tune"
VOICES = "several voices (V:)"
NO_UNIT = "note lengths that no unit length of 1/8, 1/16 or 1/4 writes"
MULTIREST = "a multi-bar rest (Z)"
UNREADABLE = "characters the reader cannot read"
TUPLET = "a tuplet other than (2, (3 or (4"
BROKEN = "double broken rhythm (>> or <<)"
ENDING = "an ending other than a first after | or a second after :|"
LONG_BAR = "a note that overflows its bar"
NOTE_REFUSED = "a note the grammar refuses here (in a tuplet, a tie or broken rhythm)"
BAR_LENGTH = "a bar of the wrong length (not a pickup, nor a closing bar that completes one)"
BAR_REFUSED = "a bar line the grammar refuses (an unbalanced repeat, or a tie, tuplet or group open across it)"
NO_END = "the tune does not end with a bar line that closes a section"
NO_MUSIC = "no notes"
READS_DIFFERENTLY = "the rewritten tune reads back differently"


class CanonicalError(ValueError):
    """A tune that cannot be rewritten canonically; .reason says why in a few words, the same for every tune."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason, self.detail = reason, detail
        super().__init__(f"cannot rewrite the tune canonically: {reason}" + (f" ({detail})" if detail else ""))


def canonical_key(value: str) -> str:
    """The short name of a key: 'E Major' -> 'E', 'D Dorian' -> 'Ddor', 'Amin' -> 'Am'; a CanonicalError if none."""
    match = KEY_PATTERN.match(value.strip())
    if not match or not match["tonic"]:
        raise CanonicalError(KEY_UNREADABLE, f"K:{value}")
    if match["accidentals"].strip() or re.search(r"\s\S+=\S", value):
        raise CanonicalError(KEY_ACCIDENTALS, f"K:{value}")
    mode = match["mode"].lower()
    if mode not in ("", "m"):
        if len(mode) < 3 or not any(name.startswith(mode) for name in MODE_NAMES):
            raise CanonicalError(KEY_UNREADABLE, f"K:{value}")
        mode = mode[:3]
    key = match["tonic"] + MODE_SUFFIX[mode]
    try:
        parse_key(key)
    except ValueError:
        raise CanonicalError(KEY_UNREADABLE, f"K:{value}") from None
    if key not in KEYS:
        raise CanonicalError(KEY_OUTSIDE, f"K:{value}")
    return key


def canonical_title(value: str) -> str:
    """A title the grammar allows: no characters it excludes, single spaces, at most MAX_TITLE characters."""
    text = " ".join("".join(char for char in value if char not in TEXT_EXCLUDED).split())
    return text[:MAX_TITLE].rstrip()


def canonical_meter(value: str) -> str:
    text = METER_TEXT.get(value.strip(), value.strip())
    try:
        meter = parse_meter(text)
    except ValueError:
        meter = None
    if meter is None or text not in METERS:
        raise CanonicalError(METER_OUTSIDE, f"M:{value}")
    return text


@dataclass
class Unit:
    """One piece of the rewritten body: its text, whether it may be left out, and what it is (for the reason)."""

    text: str
    kind: str
    optional: bool = False
    length: Fraction | None = None  # a note or rest: its written length in whole notes
    spelling: tuple[str, str, str] = ("", "", "")  # a note: accidental, letter, octave marks as written
    shift: int = 0  # a note: the semitones its accidental (written or from the key and bar) gives it


class BodyRewriter:
    """Reads the body tokens with the one reader, and turns them into units of canonical text."""

    def __init__(self, fields: dict[str, str], meter: str, key: str) -> None:
        self.reader = MusicReader(fields)
        self.meter, self.key = parse_meter(meter), key
        self.units: list[Unit] = []
        self.bar_group: list[Token] = []
        self.group_breaks = False
        self.chord_notes: list[Token] = []
        self.grace_notes: list[Token] = []
        self.tie: tuple[Unit, int] | None = None  # the tie written last, and how many notes the reader had then

    def rewrite(self, tokens: tuple[Token, ...]) -> list[Unit]:
        reader = self.reader
        for token in tokens:
            if reader.chord and token.group != "chord" and token.kind != "chord_close":
                raise CanonicalError(UNREADABLE, "a chord left open")
            if self.bar_group and token.kind not in ("bar", "ending", "space", "field", *SILENT_KINDS):
                self.close_bar_group()
            if token.kind == "chord_close":
                self.chord(token)  # before the reader closes it
            self.reader.read_token(token)
            self.token(token)
            if self.tie is not None and token.group == "" and token.kind in ("note", "rest", "chord_close"):
                unit, notes = self.tie
                if len(self.reader.notes) != notes:  # a tie between two pitches joins nothing: a slur, left out
                    unit.text, unit.kind = "", "silent"
                self.tie = None
        if self.bar_group:
            self.close_bar_group()
        return self.units

    def token(self, token: Token) -> None:
        kind = token.kind
        if kind in ("field", "inline_field"):
            self.field(token)
        elif token.group == "grace" or kind in ("grace_open", "grace_close"):
            self.grace(token)
        elif kind in ("bar", "ending"):
            self.bar_group.append(token)
        elif kind == "space":
            if self.bar_group:
                self.group_breaks = self.group_breaks or token.text == "\n"
            else:
                self.units.append(Unit(" ", "space", optional=True))
        elif kind in SILENT_KINDS:
            pass
        elif kind == "unknown":
            if token.text not in LINE_BREAK_MARKS:
                raise CanonicalError(UNREADABLE, repr(token.text))
        elif kind == "multirest":
            raise CanonicalError(MULTIREST)
        elif kind == "tuplet":
            count, in_time_of, notes = tuplet_parts(token)
            if count not in (2, 3, 4) or in_time_of not in (None, tuplet_time(count, self.meter)):
                raise CanonicalError(TUPLET, token.text)
            if notes not in (None, count):
                raise CanonicalError(TUPLET, token.text)
            self.units.append(Unit(f"({count}", "tuplet"))
        elif kind == "broken":
            if len(token.text) > 1:
                raise CanonicalError(BROKEN, token.text)
            self.units.append(Unit(token.text, "broken"))
        elif kind == "tie":
            self.units.append(Unit("-", "tie"))
            self.tie = (self.units[-1], len(self.reader.notes))
        elif kind == "note" and token.group == "chord":
            self.chord_notes.append(token)
        elif kind == "chord_open":
            self.chord_notes = []
        elif kind == "chord_close":
            pass  # rewritten before the reader read it
        elif kind in ("note", "rest"):
            self.note(token)
        else:
            raise CanonicalError(UNREADABLE, f"{kind} {token.text!r}")

    def field(self, token: Token) -> None:
        name, value = token_field(token)
        if name == "V":
            raise CanonicalError(VOICES)
        if name == "M":
            if parse_meter(canonical_meter(value)) != self.meter:
                raise CanonicalError(METER_CHANGES, f"M:{value}")
        elif name == "K":
            if canonical_key(value) != self.key:
                raise CanonicalError(KEY_CHANGES, f"K:{value}")
        elif name != "L" and name not in SKIPPED_FIELDS:  # the reader keeps L: in force
            raise CanonicalError(UNREADABLE, f"the field {name}:")

    def note(self, token: Token) -> None:
        length = self.reader.length(token.length)
        if token.kind == "rest":
            self.units.append(Unit("z", "rest", length=length))
            return
        accidental, letter, marks = note_parts(token)
        self.units.append(self.note_unit((accidental, letter, marks), length))

    def note_unit(self, spelling: tuple[str, str, str], length: Fraction) -> Unit:
        """A note as written, with the shift that the reader gave it (its accidental, the bar's or the key's)."""
        _, letter, marks = spelling
        register = (1 if letter.islower() else 0) + marks.count("'") - marks.count(",")
        step = letter.upper()
        shift = self.reader.accidentals.get((step, register), self.reader.signature.get(step, 0))
        return Unit("".join(spelling), "note", length=length, spelling=spelling, shift=shift)

    def chord(self, token: Token) -> None:
        """A chord becomes its top note (the reader's melody), as long as the chord."""
        reader = self.reader
        if not reader.chord:
            raise CanonicalError(UNREADABLE, "an empty chord")
        pitches = [pitch for pitch, _ in reader.chord]
        top = self.chord_notes[pitches.index(max(pitches))]
        length = reader.unit * reader.chord[0][1] * length_factor(token.length)
        spelling = note_parts(top)
        # the top note's own accidental state, as the reader left it after the chord's notes
        self.units.append(self.note_unit(spelling, length))
        self.chord_notes = []

    def grace(self, token: Token) -> None:
        if token.kind == "grace_open":
            self.grace_notes = []
        elif token.kind == "note":
            self.grace_notes.append(token)
        elif token.kind == "grace_close":
            if 0 < len(self.grace_notes) <= MAX_GRACE_NOTES:
                text = "".join("".join(note_parts(note)) for note in self.grace_notes)
                self.units.append(Unit("{" + text + "}", "grace", optional=True))
            self.grace_notes = []
        elif token.kind not in SILENT_KINDS and token.kind != "space":
            raise CanonicalError(UNREADABLE, f"{token.text!r} in a grace group")

    def close_bar_group(self) -> None:
        """Bar lines, endings and line breaks between two pieces of music, as one canonical bar line."""
        bars = [token.text for token in self.bar_group if token.kind == "bar"]
        endings = [token.text.lstrip("[") for token in self.bar_group if token.kind == "ending"]
        self.bar_group, breaks = [], self.group_breaks
        self.group_breaks = False
        text = "".join(bars)
        if len(endings) > 1 or endings and endings[0] not in ("1", "2"):
            raise CanonicalError(ENDING, ",".join(endings))
        closes = any(bar.startswith(":") for bar in bars) or text.startswith(":")
        opens = any(bar.endswith(":") for bar in bars)
        section = any(set(bar) & set("[]") or "||" in bar for bar in bars)  # | and | around a line break: one |
        ending = endings[0] if endings else ""
        if not any(unit.kind in ("note", "rest") for unit in self.units):  # bar lines before the first note
            if ending or closes:
                raise CanonicalError(ENDING if ending else BAR_REFUSED, text)
            self.units.append(Unit("|:", "bar") if opens else Unit("", "bar"))
            return
        if ending == "1":
            if closes or opens:
                raise CanonicalError(ENDING, text + ending)
            choices = ["|1"]
        elif ending == "2":
            if not closes or opens:
                raise CanonicalError(ENDING, text + ending)
            choices = [":|2"]
        elif closes and opens:
            choices = ["::", ":| |:"]
        elif closes:
            choices = [":|"]
        elif opens:
            choices = ["|:", "|| |:"] if section else ["|:"]
        elif section:
            choices = ["|]"] if "]" in text and "[" not in text else ["||"]
        else:
            choices = ["|"]
        self.units.append(Unit("\t".join(choices), "bar"))
        if breaks:
            self.units.append(Unit("\n", "newline", optional=True))


def unit_for(lengths: list[Fraction]) -> Fraction:
    """The first unit length of UNITS that writes every length with LENGTH_TEXT, else a CanonicalError."""
    for unit in UNITS:
        if all(length / unit in LENGTH_TEXT for length in lengths):
            return unit
    odd = sorted({length for length in lengths if all(length / unit not in LENGTH_TEXT for unit in UNITS)})
    raise CanonicalError(NO_UNIT, ", ".join(str(length) for length in odd[:3]) + " of a whole note")


def tie_across_bars(units: list[Unit]) -> None:
    """A tie over a bar line: write the note's accidental on both sides, as the grammar (and abc2midi) need."""
    music = [i for i, unit in enumerate(units) if unit.kind not in ("space", "newline", "grace")]
    for before, tie, bar in zip(music, music[1:], music[2:], strict=False):
        if (units[before].kind, units[tie].kind, units[bar].kind) != ("note", "tie", "bar"):
            continue
        after = next((i for i in music if i > bar and units[i].kind != "bar"), None)
        for index in (before, after) if after is not None and units[after].kind == "note" else ():
            unit = units[index]
            unit.spelling = (ACCIDENTAL_TEXT[unit.shift], *unit.spelling[1:])


def written(unit: Unit, base: Fraction) -> str:
    if unit.kind == "note":
        return "".join(unit.spelling) + LENGTH_TEXT[unit.length / base]
    if unit.kind == "rest":
        return "z" + LENGTH_TEXT[unit.length / base]
    return unit.text


def refusal(state: TuneState, unit: Unit) -> str:
    """Why the grammar refuses a unit of music here, in a few words."""
    if unit.kind in ("note", "rest"):
        return LONG_BAR if advance(state, "|") is not None else NOTE_REFUSED  # the bar is full already
    if unit.kind == "bar":
        return BAR_LENGTH if advance(state, "|") is None and advance(state, "|]") is None else BAR_REFUSED
    return NOTE_REFUSED


def write_body(prefix: str, units: list[Unit], base: Fraction) -> tuple[str, TuneState]:
    """The body text, walking the grammar unit by unit: optional units it refuses are left out."""
    state = advance(start_state(START + "\n"), prefix)
    if state is None:
        raise CanonicalError(UNREADABLE, "a header the grammar refuses")
    pieces: list[str] = []
    for unit in units:
        choices = written(unit, base).split("\t")
        if unit.kind == "space" and (not pieces or pieces[-1] in (" ", "\n")):
            continue
        for text in choices:
            following = advance(state, text) if text else state
            if following is not None:
                state = following
                pieces.append(text)
                break
        else:
            if not unit.optional:
                raise CanonicalError(refusal(state, unit), f"{choices[0]!r} after {''.join(pieces)[-40:]!r}")
    return "".join(pieces).strip(" "), state


def bar_shape(music: TuneMusic) -> list[tuple[Fraction, bool]]:
    bars = list(music.bars) + ([music.trailing] if music.trailing is not None else [])
    return [(bar.duration, bar.ending) for bar in bars]


def repeat_signs(music: TuneMusic) -> list[tuple[bool, bool]]:
    """(closes a repeat, opens one) of each bar line with music before it, the last one left out."""
    signs = []
    for bar in music.bars[:-1] if music.trailing is None else music.bars:
        lines = "".join(bar.closed_by)
        signs.append((lines.startswith(":") or ":|" in lines, lines.endswith(":") or "|:" in lines))
    return signs


def canonical_abc(text: str) -> str:
    """The tune rewritten in the one canonical notation; a CanonicalError (with its .reason) if it cannot be."""
    tune = read_tune(text)
    fields = tune.fields
    if "V" in fields:
        raise CanonicalError(VOICES)
    if "M" not in fields:
        raise CanonicalError(NO_METER)
    if "K" not in fields:
        raise CanonicalError(KEY_UNREADABLE, "no K: field")
    meter, key = canonical_meter(fields["M"]), canonical_key(fields["K"])
    titles = [canonical_title(token_field(t)[1]) for t in tune.header if t.kind == "field" and t.text[:1] == "T"]
    titles = [title for title in titles if title][:2]
    if not titles:
        raise CanonicalError(NO_TITLE)
    rhythm = canonical_title(fields.get("R", ""))
    number = fields.get("X", "").strip()
    number = number if re.fullmatch(r"[1-9]\d{0,4}", number) else "1"

    rewriter = BodyRewriter(fields, meter, key)
    units = rewriter.rewrite(tune.body)
    lengths = [unit.length for unit in units if unit.length is not None]
    if not any(unit.kind == "note" for unit in units):
        raise CanonicalError(NO_MUSIC)
    base = unit_for(lengths)
    tie_across_bars(units)
    if units[-1].kind != "bar" and not (units[-1].kind == "newline" and units[-2].kind == "bar"):
        units.append(Unit("|", "bar"))
    last = max(i for i, unit in enumerate(units) if unit.kind == "bar")
    if units[last].text in ("|", "||"):
        units[last] = Unit("|]", "bar")
    units = units[: last + 1]

    header = [f"X:{number}", *(f"T:{title}" for title in titles), f"M:{meter}", f"L:{base}"]
    header += [f"R:{rhythm}"] if rhythm and "hornpipe" not in rhythm.lower() else []
    header.append(f"K:{key}")
    prefix = "\n".join(header) + "\n"
    body, state = write_body(prefix, units, base)
    end = advance(state, "\n" + END)
    if end is None or end.phase != "done":
        raise CanonicalError(NO_END, body[-20:])
    rewritten = prefix + body

    before, after = rewriter.reader.music(), read_music(rewritten)
    if after.unreadable or before.notes != after.notes or bar_shape(before) != bar_shape(after):
        raise CanonicalError(READS_DIFFERENTLY)
    if repeat_signs(before) != repeat_signs(after):
        raise CanonicalError(READS_DIFFERENTLY, "repeat signs")
    return rewritten
