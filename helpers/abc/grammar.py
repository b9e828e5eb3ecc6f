"""Valid ABC, one character at a time: the states of a tune being written, and which characters may come next.

The constrained sampler (helpers.rnn.constrain) asks `advance(state, char)` for every character of the model's
vocabulary and masks those that return None. The grammar is a strict subset of ABC that the package's one reader
(helpers.abc.reader, helpers.abc.music), its bar check (helpers.analysis.checks.check_bars), music21 and abc2midi
all read the same way:

- header: `X:` first, then `T:` (once or twice), `M:`, and optionally `L:` and `R:`, in any order, and `K:` last;
  meter, unit length and key are values the reader parses (but no key that music21 misreads: no locrian), and the
  rhythm is not `R:hornpipe` (which abc2midi swings, refusing it in most meters and rhythms);
- body: notes (accidental, letter, octave marks, a length from LENGTHS), rests, bar lines (`|`, `||`, `|]`, `|:`,
  `:|`, `::`), first and second endings (`|1` where a repeat may close, then `:|2`), broken rhythm between notes
  of one length, ties between equal notes, slurs, tuplets `(2` to `(4` of notes of one length, grace groups, the
  decorations `~` and `.` (not in a tuplet), single spaces, and a new line after a bar line;
  chords, annotations, inline fields and comments are left out;
- bars: a note never overflows its bar, and a bar line closes only a full bar, a pickup at the start of the tune,
  a short last bar of a section that completes the pickup, or, right after such a bar, a pickup of the same
  length (abc2midi counts a short closing bar and the bar after it as one); slurs, tuplets, grace groups and
  broken rhythm are closed before a bar line;
- repeats: balanced (`|:` only where no repeat is open; `||` and `|]` only where none is open), and `<end>` only
  right after a bar line that closes a section, once at least one section with a whole bar is closed;
- endings: `|1` opens a first ending where a repeat may close (not after a section's end without `|:`), in which
  only `|` and `:|2` may come; the second ending goes on like its section. A section after one with endings repeats
  only from a `|:` (abc2midi counts the pickup of a repeat back to a section's start alone there);
- form (start_state(prime, form), parse_form): a tune asked for a form such as 'AABB' has its parts in that order,
  each with the same number of whole bars in a pass (8 unless the form says 16, say), counted as
  helpers.analysis.form counts them: the pickup left out, the short bar that completes it counted, a first ending
  counted in the pass and a second one as long as the first. A part played twice closes with a repeat, one played
  once with || or |], and <end> comes right after the last part.

Completion(alphabet).text(state) is a short text that ends the tune validly from a state, written with the model's
characters: the sampler keeps every row within its length limit by allowing only characters after which that
completion still fits.
"""

from __future__ import annotations

import functools
import re
import string
from typing import NamedTuple

from helpers.abc.fields import Meter, default_unit_length, parse_key, parse_meter, parse_unit_length, tuplet_time
from helpers.abc.music import length_factor
from helpers.abc.reader import END, START

__all__ = [
    "BODY_CHARACTERS",
    "Completion",
    "FORMS",
    "TuneState",
    "advance",
    "max_completion",
    "parse_form",
    "start_state",
]

METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "3/8", "2/2", "3/2", "6/4", "C", "C|")
UNIT_LENGTHS = ("1/4", "1/8", "1/16")
MODE_SUFFIXES = ("", "m", "maj", "min", "ion", "aeo", "mix", "dor", "phr", "lyd", "loc")


def readable_key(value: str) -> bool:
    try:
        parse_key(value)
    except ValueError:
        return False
    return True


WRITTEN_KEYS = tuple(
    key
    for key in (f"{letter}{sign}{mode}" for letter in "ABCDEFG" for sign in ("", "#", "b") for mode in MODE_SUFFIXES)
    if readable_key(key)
)
# Keys that music21 (10.5) reads with another signature than the ABC standard and the package's reader: every
# locrian key as the major key of its tonic (K:Dloc as D major), and K:Fblyd as F major. The grammar leaves them
# out, so that music21 reads every tune it allows as written (tests/abc/test_grammar.py checks both lists).
MUSIC21_MISREADS = frozenset(key for key in WRITTEN_KEYS if key.endswith("loc") or key == "Fblyd")
KEYS = tuple(key for key in WRITTEN_KEYS if key not in MUSIC21_MISREADS)
LENGTHS = ("", "2", "3", "4", "6", "8", "/", "/2", "//", "/4", "3/2", "3/", "3/4", "7/2")
ACCIDENTALS = ("^", "^^", "_", "__", "=")
ENDINGS = ("|1", ":|2")  # the bar lines that open a first ending and a second one
BARLINES = ("|", "||", "|]", "|:", ":|", "::", *ENDINGS)
CLOSING = ("||", "|]", ":|", "::")  # bar lines that end a section
TUPLETS = "234"
DECORATIONS = "~."
MAX_TITLE = 60  # characters of a T: or R: value
MAX_TITLES = 2
MAX_OCTAVE_MARKS = 2
MAX_GRACE_NOTES = 4
TEXT_EXCLUDED = set('\n%\\<>"[]|\t')
FIELD_VALUES = {"M": METERS, "L": UNIT_LENGTHS, "K": KEYS}
HORNPIPE = "hornpipe"  # abc2midi swings an R:hornpipe tune and refuses it in many meters and rhythms


class TuneState(NamedTuple):
    """Where a tune being written stands; hashable, so that the sampler can number the states it meets."""

    literal: str = START + "\n"  # characters that must come next, in order
    phase: str = "header"  # header, body, done
    # header
    fields: str = ""  # letters of the fields written so far
    field: str = ""  # the field being written ('' at the start of a header line)
    value: str = ""  # its value so far (M, L, K; for R, what may still spell 'hornpipe', else '#')
    count: int = -1  # characters of the value (-1: the space after the colon may still come)
    meter: str = ""
    unit: str = ""
    tonic: str = "C"  # the letter of the key, which the completion writes
    # body: bar lengths in units of L
    compound: bool = False  # the meter is compound (6/8, 9/8, ...), for the time of tuplets
    full: int = 0  # times count in QUARTER units: a quarter of the unit note length L
    position: int = 0
    pending: str = ""  # the note, rest, bar line or '(' being written
    in_bar: bool = False  # the bar has an event
    first_of_section: bool = True
    pickup_allowed: bool = True
    pickup: int | None = None
    limit: int | None = None  # after a short bar that closed a section, the next bar is a pickup this long
    section_has_bar: bool = False
    repeat: str = "implicit"  # implicit (a :| repeats from the start), open (after |:), closed (after :|)
    ending: int = 0  # 1 in a first ending (after |1, until :|2), 2 in a second one (after :|2, until a section ends)
    after_endings: bool = False  # since a section with endings ended, until |: opens a repeat
    closed_section: bool = False
    after_bar: str = ""  # the bar line written since the last event, '' when there is none
    need_note: bool = False  # after '(', a tuplet, '>', a decoration or a grace group: a note must follow
    decoration: str = ""  # the decoration written before the coming note
    slur: int = 0  # 0 none, 1 open, 2 open with a note in it
    tuplet_left: int = 0
    tuplet_time: int = 0
    tuplet_length: str | None = None
    broken_length: str | None = None  # the written length the note after '>' must have (its time is counted)
    tie: str = ""  # letter and octave marks the next note must have
    last_note: str = ""  # the last event: 'N' + letter and octave and '/' + length for a note, 'R' for a rest
    grace: int = 0  # 0 none, 1 open, 2 open with a note, 3 closed: the note it ornaments must follow
    grace_notes: int = 0
    has_note: bool = False
    space: bool = False
    line_start: bool = False
    # form (helpers.abc.grammar.parse_form): 0 bars per part is any form
    part_bars: int = 0  # the whole bars of one pass through each part
    parts: tuple[bool, ...] = ()  # the parts still to close, the current one first: True where it is played twice
    bars: int = 0  # the bars of the current part's pass so far (its pickup left out, a first ending counted)
    ending_bars: int = 0  # the bars of the first ending so far; in the second, the bars it still needs


INITIAL = TuneState()


def prefixes(words) -> frozenset[str]:
    """Every prefix of every word (the words included)."""
    return frozenset(word[:i] for word in words for i in range(len(word) + 1))


VALUE_PREFIXES = {name: prefixes(values) for name, values in FIELD_VALUES.items()}
LENGTH_PREFIXES = prefixes(LENGTHS)
QUARTER = 4  # every length of LENGTHS is a whole number of quarters of the unit length
LENGTH_TIMES = {length: int(length_factor(length) * QUARTER) for length in LENGTHS}
BARLINE_PREFIXES = prefixes(BARLINES)


def advance(state: TuneState | None, text: str) -> TuneState | None:
    """The state after writing text, or None when text cannot continue a valid tune from this state."""
    for char in text:
        if state is None:
            return None
        state = advance_char(state, char)
    return state


def advance_char(state: TuneState, char: str) -> TuneState | None:
    if state.literal:
        if char != state.literal[0]:
            return None
        literal = state.literal[1:]
        if not literal and state.phase == "end":
            return state._replace(literal="", phase="done")
        return state._replace(literal=literal)
    if state.phase == "header":
        return header_char(state, char)
    if state.phase == "body":
        return body_char(state, char)
    return None


# ------------------------------------------------------------------------------------------------------- header


def header_char(state: TuneState, char: str) -> TuneState | None:
    if not state.field:
        return start_field(state, char)
    name, value, count = state.field, state.value, state.count
    if char == "\n":
        return end_field(state)
    if count == -1 and char == " ":
        return state._replace(count=0)
    count = max(count, 0)
    if name == "X":
        return state._replace(count=count + 1) if char.isdigit() and count < 5 and (count or char != "0") else None
    if name in ("T", "R"):
        if char in TEXT_EXCLUDED or count >= MAX_TITLE or (count == 0 and char == " "):
            return None
        if name == "R":
            value = value + char.lower() if value != "#" and HORNPIPE.startswith(value + char.lower()) else "#"
            if value == HORNPIPE:
                return None
        return state._replace(value=value, count=count + 1)
    return state._replace(value=value + char, count=count + 1) if value + char in VALUE_PREFIXES[name] else None


def start_field(state: TuneState, char: str) -> TuneState | None:
    written = state.fields
    if not written:
        allowed = char == "X"
    elif char == "T":
        allowed = written.count("T") < MAX_TITLES
    elif char in "MLR":
        allowed = char not in written
    else:
        allowed = char == "K" and "T" in written and "M" in written
    return state._replace(field=char, literal=":", value="", count=-1) if allowed else None


def end_field(state: TuneState) -> TuneState | None:
    """The newline after a field's value: the value must be whole; after K: the body begins."""
    name, value = state.field, state.value
    if state.count <= 0:
        return None
    done = state._replace(fields=state.fields + name, field="", value="", count=-1)
    if name == "M":
        return done._replace(meter=value) if value in METERS else None
    if name == "L":
        return done._replace(unit=value) if value in UNIT_LENGTHS else None
    if name == "K":
        if value not in KEYS:
            return None
        meter = parse_meter(state.meter)
        unit = parse_unit_length(state.unit) if state.unit else default_unit_length(meter)
        full = meter.bar_length / unit * QUARTER
        # the header's values are left behind, so that tunes that differ only there share their body states
        return TuneState(
            literal="",
            phase="body",
            compound=meter.compound,
            full=int(full),
            line_start=True,
            tonic=value[0],
            part_bars=state.part_bars,
            parts=state.parts,
        )
    return done


# --------------------------------------------------------------------------------------------------------- body


def body_char(state: TuneState, char: str) -> TuneState | None:
    if state.pending:
        extended = extend_pending(state, char)
        if extended is not None:
            return extended
        state = finish_pending(state)
        if state is None:
            return None
    return start_token(state, char)


def room(state: TuneState) -> int:
    return (state.full if state.limit is None else state.limit) - state.position


@functools.lru_cache(maxsize=4096)
def note_parts(text: str) -> tuple[str, str, str, str]:
    """Accidental, letter, octave marks and length of a note or rest being written ('' where not yet written)."""
    index = 0
    while index < len(text) and text[index] in "^_=":
        index += 1
    accidental, rest = text[:index], text[index:]
    if not rest:
        return accidental, "", "", ""
    letter, rest = rest[0], rest[1:]
    marks = len(rest) - len(rest.lstrip(",'"))
    return accidental, letter, rest[:marks], rest[marks:]


def required_length(state: TuneState) -> str | None:
    """The written length the next note must have: in a grace group none, after '>' or in a tuplet the same."""
    if state.grace in (1, 2):
        return ""
    if state.broken_length is not None:
        return state.broken_length
    if state.tuplet_left and state.tuplet_length is not None:
        return state.tuplet_length
    return None


def event_time(state: TuneState, length: str) -> int:
    """The time in the bar that writing a note of this length takes now (tuplets and '>' counted ahead)."""
    if state.grace in (1, 2) or state.broken_length is not None:
        return 0
    if state.tuplet_left:
        return 0 if state.tuplet_length is not None else state.tuplet_time * LENGTH_TIMES[length]
    return LENGTH_TIMES[length]


def note_may_end_as(state: TuneState, text: str) -> bool:
    """Whether a note or rest written as text may end here: its length is whole, allowed and fits the bar."""
    accidental, letter, marks, length = note_parts(text)
    if not letter or length not in LENGTHS:
        return False
    required = required_length(state)
    if required is not None and length != required or letter == "z" and state.broken_length is not None:
        return False
    if state.tie and accidental + letter + marks != state.tie:
        return False
    return event_time(state, length) <= room(state)


def note_may_continue(state: TuneState, text: str) -> bool:
    """Whether some way of finishing the note or rest written as text so far may end it validly."""
    accidental, letter, marks, length = note_parts(text)
    if accidental not in ("", *ACCIDENTALS):
        return False
    if not letter:  # an accidental (or nothing yet): some note must still fit
        if state.tie and not state.tie.startswith(accidental):
            return False
        target = state.tie or accidental + "C"
        return any(note_may_end_as(state, target + whole) for whole in LENGTHS)
    if letter == "z":
        if accidental or marks or state.grace in (1, 2) or state.tie or state.slur == 1:
            return False
    elif letter not in "ABCDEFGabcdefg":
        return False
    if marks and (len(marks) > MAX_OCTAVE_MARKS or set(marks) != {"," if letter.isupper() else "'"}):
        return False
    if state.tie and not state.tie.startswith(accidental + letter + marks):
        return False
    if length not in LENGTH_PREFIXES:
        return False
    pitch = state.tie if state.tie and not length else accidental + letter + marks  # a tied note's marks may follow
    return any(note_may_end_as(state, pitch + whole) for whole in LENGTHS if whole.startswith(length))


def extend_pending(state: TuneState, char: str) -> TuneState | None:
    """The pending token with char added, or None when char does not belong to it."""
    text = state.pending + char
    kind = state.pending[0]
    if kind in "|:":
        return state._replace(pending=text) if text in BARLINE_PREFIXES and may_write_barline(state, text) else None
    if kind == "(":
        if char in TUPLETS and len(text) == 2:
            return start_tuplet(state, int(char))
        return None
    if char in "^_=" and note_parts(state.pending)[1]:
        return None
    return state._replace(pending=text) if note_may_continue(state, text) else None


def may_write_barline(state: TuneState, text: str) -> bool:
    """Whether some bar line that starts with text may end the bar here."""
    return any(finish_barline(state, whole) is not None for whole in BARLINES if whole.startswith(text))


@functools.lru_cache(maxsize=65536)  # a row of the sampler's table finishes the same pending token for each symbol
def finish_pending(state: TuneState) -> TuneState | None:
    """Apply the token written so far, now that the next character does not belong to it."""
    text = state._replace(pending="")
    kind = state.pending[0]
    if kind in "|:":
        return finish_barline(text, state.pending)
    if kind == "(":
        return open_slur(text)
    return finish_note(text, state.pending) if note_may_end_as(text, state.pending) else None


def note_kind(state: TuneState) -> str:
    """N: a note that '>' or '-' may follow; P: the second of a>b, a note of a tuplet or a rolled note, which only a
    tie may follow (abc2midi cannot pair '~d3>D3'); S: a staccato note, which abc2midi can neither tie nor pair (a
    '.' changes its length)."""
    if state.decoration == ".":
        return "S"
    return "P" if state.broken_length is not None or state.tuplet_left or state.decoration else "N"


def finish_note(state: TuneState, text: str) -> TuneState:
    accidental, letter, marks, length = note_parts(text)
    if state.grace in (1, 2):
        return state._replace(grace=2, grace_notes=state.grace_notes + 1, last_note="")
    position = state.position + event_time(state, length)
    state = state._replace(
        position=position,
        in_bar=True,
        after_bar="",
        need_note=False,
        decoration="",
        grace=0,
        broken_length=None,
        tie="",
        slur=2 if state.slur else 0,
        last_note="R" if letter == "z" else f"{note_kind(state)}{accidental}{letter}{marks}/{length}",
        has_note=state.has_note or letter != "z",
    )
    if state.tuplet_left:
        left = state.tuplet_left - 1
        state = state._replace(
            tuplet_left=left,
            tuplet_length=state.tuplet_length if state.tuplet_length is not None else length,
        )
        if not left:
            state = state._replace(tuplet_length=None, tuplet_time=0)
    return state


def open_slur(state: TuneState) -> TuneState | None:
    if state.slur or state.tuplet_left or room(state) <= 0:
        return None
    return state._replace(slur=1, need_note=True, last_note="")


def tuplet_digit(state: TuneState) -> str | None:
    """A tuplet that may begin here, e.g. '3', or None."""
    return next((digit for digit in TUPLETS if start_tuplet(state, int(digit))), None)


def start_tuplet(state: TuneState, count: int) -> TuneState | None:
    """'(3': the next count notes of one length take the time of tuplet_time(count) of them."""
    if state.slur == 1 or state.tuplet_left or state.tie:  # abc2midi miscounts a tie into a tuplet
        return None
    time = tuplet_time(count, Meter(6, 8) if state.compound else None)
    if time * min(LENGTH_TIMES.values()) > room(state):
        return None
    return state._replace(
        pending="", tuplet_left=count, tuplet_time=time, tuplet_length=None, need_note=True, last_note=""
    )


def finish_barline(state: TuneState, written: str) -> TuneState | None:
    """A bar line ends a full bar, a pickup that leads in, or a short closing bar that completes the pickup.

    |1 opens a first ending where a repeat may close; in it only | and :|2 may come, and :|2 opens the second
    ending, which goes on like the section it ends (its last bar may complete the pickup) until a section ends.
    """
    if written not in BARLINES or state.need_note or state.slur or state.tuplet_left or state.grace:
        return None
    text = written.rstrip("12")
    if state.ending == 1 and written not in ("|", ":|2") or state.ending != 1 and written == ":|2":
        return None
    if written == "|1" and (
        state.ending or state.repeat == "closed" or state.repeat == "implicit" and state.closed_section
    ):
        return None  # abc2midi finds a first ending after a section's end only in a repeat opened by |:
    if state.tie and state.tie[0] not in "^_=":  # see start_token: a tie crosses a bar only with its accidental
        return None
    closing = text in CLOSING
    if state.in_bar and state.limit is not None:  # abc2midi joins a short closing bar to the next bar
        if state.position != state.limit or text not in ("|", "|:"):
            return None
        short, section_has_bar = True, state.section_has_bar
    elif state.in_bar:
        short = state.position < state.full
        if not short:
            section_has_bar = True
        elif state.first_of_section and state.pickup_allowed and text in ("|", "|:"):
            section_has_bar = state.section_has_bar
        elif closing and state.pickup is not None and state.position + state.pickup == state.full:
            if state.ending == 2 and not state.first_of_section:  # abc2midi miscounts it after a longer ending
                return None
            section_has_bar = state.section_has_bar
        else:
            return None
    else:
        if text != "|:" or state.after_bar not in (*CLOSING, ""):
            return None  # a second bar line only opens a repeat after a section's end, or at the start
        short, section_has_bar = False, state.section_has_bar
    if closing and not section_has_bar:
        return None
    repeat = state.repeat
    if text == "|:" or text in ("||", "|]"):
        if repeat == "open":
            return None
        repeat = "open" if text == "|:" else "implicit"
    elif text in (":|", "::"):
        # abc2midi wants a |: before a ::, and after endings before a :| too (it miscounts the pickup replayed)
        if not can_close_repeat(state) or text == "::" and repeat != "open":
            return None
        repeat = "open" if text == "::" else "closed"
    pickup = state.position if state.in_bar and short and not closing else state.pickup
    limit = state.limit if not state.in_bar else state.pickup if closing and short else None
    if written == ":|2":  # the second ending goes on with the section: no pickup comes, and its bars count
        limit, section_has_bar = None, True
    ending = {"|1": 1, ":|2": 2}.get(written, state.ending if text == "|" else 0)
    after_endings = state.ending == 2 and closing or state.after_endings and text != "|:"
    after = state._replace(
        ending=ending,
        after_endings=after_endings,
        pending="",
        position=0,
        limit=limit,
        in_bar=False,
        first_of_section=text != "|",
        pickup=pickup,
        pickup_allowed=state.pickup_allowed and not state.in_bar,
        section_has_bar=False if (closing or text == "|:") and written != ":|2" else section_has_bar,  # |: too
        repeat=repeat,
        closed_section=state.closed_section or closing,
        after_bar=written,
        last_note="",
        space=False,
        line_start=False,
    )
    return count_form(state, after, written) if state.part_bars else after


def can_close_repeat(state: TuneState) -> bool:
    """Whether a :| may still close the repeat of the current section: one opened by |:, or an implicit one from the
    start of a section that does not follow endings."""
    return state.repeat == "open" or state.repeat == "implicit" and not state.after_endings


def count_form(before: TuneState, after: TuneState, written: str) -> TuneState | None:
    """A bar line in a tune asked for a form: whole bars counted per part, each part closed as it is played.

    A part's pass has part_bars bars, its pickup left out and the short bar that completes the pickup counted (as
    helpers.analysis.form reads it); a first ending counts in the pass, and the second has as many bars. A part
    played twice closes with :| (or ::, or its second ending), one played once with || or |]; |: opens only a part
    played twice, and only where no bar of a part is open.
    """
    text, parts = written.rstrip("12"), before.parts
    if not parts:
        return None
    counted = int(before.in_bar and before.limit is None and (before.position == before.full or text in CLOSING))
    if text == "|:":
        return after if parts[0] and not counted and not before.bars else None
    if before.ending == 2:  # the second ending: as long as the first
        left = before.ending_bars - counted
        if text in CLOSING:
            return close_part(before, after) if left == 0 else None
        return after._replace(ending_bars=left) if left > 0 else None
    bars = before.bars + counted
    ending_bars = before.ending_bars + counted if before.ending == 1 else 0
    if text not in CLOSING:  # | or |1: the part goes on
        if bars >= before.part_bars or written == "|1" and not parts[0]:
            return None
        if parts[0] and not can_close_repeat(after):  # a part played twice could no longer close
            return None
        return after._replace(bars=bars, ending_bars=ending_bars)
    if bars != before.part_bars or parts[0] != (text in (":|", "::")):
        return None
    if written == ":|2":  # the second ending comes, as long as the first
        return after._replace(bars=0, ending_bars=ending_bars)
    if text == "::" and not parts[1:2] == (True,):
        return None
    return close_part(before, after)


def close_part(before: TuneState, after: TuneState) -> TuneState | None:
    """The current part is closed; the last one leaves no tie open (no note may follow it)."""
    if before.tie and len(before.parts) == 1:
        return None
    return after._replace(parts=before.parts[1:], bars=0, ending_bars=0)


def final_bar(state: TuneState) -> bool:
    """In a tune asked for a form, the bar being written is the tune's last: no bar line comes for a tie to cross."""
    return bool(state.part_bars and len(state.parts) == 1 and state.ending != 1 and bars_to_go(state) == 1)


def must_open_repeat(state: TuneState) -> bool:
    """A part played twice comes that no :| could close without a |: first (after a :|, or a section with endings)."""
    return bool(
        state.part_bars
        and state.parts
        and state.parts[0]
        and not state.in_bar
        and state.limit is None
        and not state.ending
        and not can_close_repeat(state)
    )


def start_token(state: TuneState, char: str) -> TuneState | None:
    """A character that begins a token, with no token pending."""
    if char == " ":
        ok = not (state.space or state.need_note or state.grace or state.line_start) and (
            state.in_bar or state.after_bar
        )
        return state._replace(space=True, last_note="") if ok else None
    if char == "\n":
        ok = state.after_bar and not state.in_bar and not state.line_start and not state.need_note
        return state._replace(line_start=True, space=False) if ok else None
    if state.part_bars and (not state.parts and char != "<" or must_open_repeat(state) and char != "|"):
        return None  # after the last part only <end>; where a repeat must open, its |:
    state = state._replace(space=False, line_start=False) if state.space or state.line_start else state
    if char == "<" and may_end(state):
        return state._replace(literal="end>", phase="end")
    if char in "<>":
        return broken_rhythm(state)
    if char in "|:":
        return state._replace(pending=char) if may_write_barline(state, char) else None
    if char == "(":
        ok = state.grace == 0 and not state.need_note and (open_slur(state) or tuplet_digit(state))
        return state._replace(pending=char) if ok else None
    if char == ")":
        ok = state.slur == 2 and not state.need_note and not state.tuplet_left and state.grace == 0
        return state._replace(slur=0, last_note="") if ok else None
    if char == "-":
        tie = state.last_note[1:].split("/")[0]
        ok = state.last_note[:1] in ("N", "P") and not state.tuplet_left and not state.space
        # across a bar line the key signature returns: only a note with its accidental written is the same pitch
        ok = ok and (tie[0] in "^_=" and not final_bar(state) or room(state) >= min(LENGTH_TIMES.values()))
        return state._replace(tie=tie, last_note="") if ok else None
    if char == "{":
        ok = state.grace == 0 and not state.decoration and state.broken_length is None and room(state) > 0
        ok = ok and not state.tuplet_left and not state.tie  # abc2midi finds no note after '(3{e}' or 'G-{A}G'
        return state._replace(grace=1, grace_notes=0, need_note=True, last_note="") if ok else None
    if char == "}":
        return state._replace(grace=3, need_note=True) if state.grace == 2 else None
    if char in DECORATIONS:
        ok = not state.decoration and state.grace == 0 and room(state) > 0 and not state.tie
        # abc2midi miscounts a decorated note after '>' or in a tuplet ('(2~g2f2' in 6/8 as 7 eighths)
        ok = ok and state.broken_length is None and not state.tuplet_left
        return state._replace(decoration=char, need_note=True, last_note="") if ok else None
    if state.grace == 2 and (char not in "^_=ABCDEFGabcdefg" or state.grace_notes >= MAX_GRACE_NOTES):
        return None
    if note_may_continue(state, char):
        return state._replace(pending=char, last_note="")
    return None


def may_end(state: TuneState) -> bool:
    """<end> comes right after a bar line that closes a section, with no repeat left open."""
    return (
        (state.after_bar in CLOSING and not state.in_bar and state.repeat != "open" and state.closed_section)
        and not (state.tie or state.need_note or state.grace)
        and state.has_note
        and not (state.part_bars and state.parts)
    )


def broken_rhythm(state: TuneState) -> TuneState | None:
    """a>b: the note before and the one after have the same written length; their time is counted now."""
    if not state.last_note.startswith("N") or state.tuplet_left or state.broken_length is not None or state.space:
        return None
    length = state.last_note.split("/", 1)[1]
    time = LENGTH_TIMES[length]
    if time > room(state):
        return None
    return state._replace(position=state.position + time, broken_length=length, need_note=True, last_note="")


# --------------------------------------------------------------------------------------------------- completion


MAX_COMPLETION = 128  # no completion is longer: the sampler checks the ones it needs against the characters left
COMPLETION_CHARACTERS = frozenset(
    "".join((START, "\n", END, "XTMK:123456789ABCDEFGabcdefg|]()}", TUPLETS, *METERS, *UNIT_LENGTHS, *KEYS, *LENGTHS))
)
BODY_CHARACTERS = frozenset("ABCDEFGabcdefgz^_=,'0123456789/|:()[]{}~.<>- \n")  # what a body may hold, <end> too


def bars_to_go(state: TuneState) -> int:
    """In a tune asked for a form, the bars the current part's pass (or second ending) still needs, this one too."""
    return state.ending_bars if state.ending == 2 else state.part_bars - state.bars


def max_completion(state: TuneState) -> int:
    """No completion from this state is longer: MAX_COMPLETION, and for a form its bars (at most 8 characters
    each, the longest notes that fit: C8C8C8| in 12/8 with L:1/16), a pass and a second ending for the current part
    and a pass for each later one."""
    return MAX_COMPLETION + 8 * state.part_bars * (len(state.parts) + 1)


class Completion:
    """Short texts that end a tune validly, written only with the characters of an alphabet (a model's vocabulary).

    From every state the completion follows one fixed rule (close what is open, fill the bar with the tonic, close
    the section, write <end>), so the completion after its own first character is the rest of it: a sampler that
    allows only characters whose completion fits in the characters left can never be left with none.
    """

    def __init__(self, alphabet=None) -> None:
        self.alphabet = None if alphabet is None else frozenset(alphabet)
        self.lengths: dict[TuneState, int | None] = {}
        # With every character the completion may choose, it ends every tune (and never exceeds MAX_COMPLETION).
        self.complete = self.alphabet is None or COMPLETION_CHARACTERS <= self.alphabet

    def writable(self, text: str) -> bool:
        return self.alphabet is None or set(text) <= self.alphabet

    def first(self, options) -> str | None:
        return next((option for option in options if option is not None and self.writable(option)), None)

    def length(self, state: TuneState) -> int | None:
        """The number of characters of the completion (0 once <end> is written); None when the alphabet has none."""
        path = []
        while state not in self.lengths and state.phase != "done":
            path.append(state)
            char = self.next_char(state)
            following = None if char is None else advance_char(state, char)
            if following is None:
                if char is not None:
                    raise AssertionError(f"the completion writes {char!r}, which the grammar refuses at {state}")
                self.lengths.update(dict.fromkeys(path))
                return None
            if len(path) > max_completion(path[0]):  # a bug: the sampler relies on the bound
                raise AssertionError(f"the completion from {path[0]} does not end")
            state = following
        known = 0 if state.phase == "done" else self.lengths[state]
        for steps, visited in enumerate(reversed(path), start=1):
            self.lengths[visited] = None if known is None else known + steps
        return self.lengths[path[0]] if path else known

    def text(self, state: TuneState) -> str | None:
        """The completion itself, <end> included; None when the alphabet has none."""
        text = []
        while state.phase != "done":
            char = self.next_char(state)
            if char is None or (state := advance_char(state, char)) is None:
                return None
            text.append(char)
        return "".join(text)

    def next_char(self, state: TuneState) -> str | None:
        """The first character of the completion, or None when the alphabet cannot end the tune from here."""
        if state.literal:
            char = state.literal[0]
        elif state.phase == "header":
            char = self.header_char(state)
        else:
            char = self.pending_char(state) if state.pending else ""
            if char == "":
                char = self.body_char(finish_pending(state) if state.pending else state)
        return char if char is not None and self.writable(char) else None

    def header_char(self, state: TuneState) -> str | None:
        if not state.field:
            missing = [name for name in ("X", "T", "M") if name not in state.fields]
            return missing[0] if missing else "K"
        if state.field in ("X", "T", "R"):
            if state.count > 0:
                return "\n"
            return self.first("123456789" if state.field == "X" else "ABCDEFGabcdefg")
        values = FIELD_VALUES[state.field]
        if state.value in values:
            return "\n"
        word = self.first(sorted((value for value in values if value.startswith(state.value)), key=len))
        return None if word is None else word[len(state.value)]

    def pending_char(self, state: TuneState) -> str | None:
        """The next character of the pending token, '' when it may end as it is, None when it cannot end."""
        text = state.pending
        if text[0] in "|:":
            plain = state._replace(pending="")
            preferred = [*self.closing_barlines(state), "|:"] if state.in_bar else ["|:"]
            wholes = [bar for bar in BARLINES if bar.startswith(text) and finish_barline(plain, bar) is not None]
            whole = self.first([bar for bar in preferred if bar in wholes] + sorted(wholes, key=len))
            return None if whole is None else whole[len(text) : len(text) + 1]
        if text[0] == "(":
            return "" if open_slur(state._replace(pending="")) else tuplet_digit(state)
        accidental, letter, marks, length = note_parts(text)
        pitch = accidental + letter + marks
        if state.tie and pitch != state.tie:
            return state.tie[len(pitch)]
        if not letter:
            return state.tonic
        # the longest note that fits (the shortest text among equals), so that a bar takes few characters
        wholes = [
            whole
            for whole in LENGTHS
            if whole.startswith(length) and self.writable(whole) and note_may_end_as(state, pitch + whole)
        ]
        if not wholes:
            return None
        whole = max(wholes, key=lambda whole: (LENGTH_TIMES[whole], -len(whole)))
        return whole[len(length) : len(length) + 1]

    def closing_barlines(self, state: TuneState) -> tuple[str, ...]:
        if state.part_bars and state.parts:  # the part closes as it is played
            return (":|",) if state.parts[0] and state.ending != 2 else ("|]", "||")
        return (":|",) if state.repeat == "open" or state.ending == 1 else ("|]", "||")

    def body_char(self, state: TuneState) -> str | None:
        if may_end(state):
            return "<"
        if state.grace == 2:
            return "}"
        if state.need_note or state.tuplet_left or state.grace == 1:
            return state.tie[0] if state.tie else state.tonic
        if state.slur == 2:
            return ")"
        if state.tie and (state.tie[0] not in "^_=" or final_bar(state)):
            return state.tie[0]
        if state.in_bar and state.limit is not None and state.position == state.limit or must_open_repeat(state):
            return "|"
        full = state.position == state.full
        completes = state.section_has_bar and state.pickup is not None and state.position + state.pickup == state.full
        completes = completes and (state.ending != 2 or state.first_of_section)  # as finish_barline allows
        if state.part_bars and bars_to_go(state) > 1:  # the part goes on: only a full bar ends here
            completes = False
            if state.in_bar and state.limit is None and full:
                return "|"
        if state.in_bar and state.limit is None and (full or completes):
            closing = self.first(self.closing_barlines(state))
            return None if closing is None else closing[0]
        return state.tie[0] if state.tie else state.tonic


FORMS = ("free", "AABB", "AB", "AABB16", "AB16")  # the forms that the generator panel offers
MAX_PARTS = 4
MAX_PART_BARS = 16
FORM_PATTERN = re.compile(r"(?P<parts>[A-Z]+?)(?P<bars>[0-9]*)")


def parse_form(form: str) -> tuple[tuple[bool, ...], int]:
    """The parts of a form (True where a part is played twice) and its bars per part; 'free' is ((), 0).

    A form names its parts as played, in order, each letter once or twice ('AABB', 'AB', 'AAB'), and may end with
    the bars of one pass through each part (8 when left out): 'AABB16' is two parts of 16 bars, each played twice.
    """
    if not isinstance(form, str):
        raise TypeError(f"form must be a str such as 'AABB', got {form!r} ({type(form).__name__})")
    if form == "free":
        return (), 0
    match = FORM_PATTERN.fullmatch(form)
    runs = [] if match is None else re.findall(r"(([A-Z])\2*)", match["parts"])
    letters = "".join(letter for _, letter in runs)
    bars = int(match["bars"] or 8) if match else 0
    if not runs or letters != string.ascii_uppercase[: len(letters)] or any(len(run) > 2 for run, _ in runs):
        raise ValueError(
            f"unknown form {form!r}: name the parts as played, each letter once or twice in order ('AABB', 'AB', "
            f"'AAB'), optionally followed by the bars per part ('AABB16'), or ask for 'free'"
        )
    if len(runs) > MAX_PARTS or not 1 <= bars <= MAX_PART_BARS:
        raise ValueError(
            f"the form {form!r} asks for {len(runs)} parts of {bars} bars: at most {MAX_PARTS} parts of 1 to "
            f"{MAX_PART_BARS} bars"
        )
    return tuple(len(run) == 2 for run, _ in runs), bars


def start_state(prime: str, form: str = "free") -> TuneState:
    """The state after the prime (e.g. '<start>\\n') for a tune of this form (parse_form); a prime that cannot begin
    a valid tune is an error."""
    parts, bars = parse_form(form)
    state: TuneState | None = INITIAL._replace(parts=parts, part_bars=bars)
    for index, char in enumerate(prime):
        following = advance_char(state, char)
        if following is None:
            raise ValueError(
                f"the prime {prime!r} cannot begin a valid tune of the constrained grammar at character {index} "
                f"({char!r}, after {prime[:index]!r}); start it with {START!r} and a header such as 'X:1'"
            )
        state = following
    return state
