"""The one ABC reader: a tune's header fields and its body as tokens, each with its kind and character span.

Every other module that needs to know what a piece of ABC text is (the quality checks, the structural labels,
the copying measures, cleaning) reads it through read_tune, so that they all agree on what is a note, a bar
line, a chord or a comment. The tokens of a tune tile its text: joined in order they give it back exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["END", "START", "Token", "header_fields", "read_tune", "split_header_body", "token_field", "token_lines"]

# The assignment's tune delimiters: each tune of a text to learn from is <start> ... <end>.
START, END = "<start>", "<end>"

FIELD_LINE = re.compile(r"^([A-Za-z]):\s*(.*)$")
COMMENT_START = re.compile(r"(?<!\\)%")

# A bar line (|, ||, |], [|, |:, :|, ::, ...), and the number of the ending it may open right after it (|1, :|2).
BARLINE = r":*\[\|+:*|:*\|+\]?:*|:{2,}"
ENDING_NUMBER = r"\d+(?:[,-]\d+)*"
LENGTH = r"\d*/*\d*"
ACCIDENTAL = r"\^\^|\^|__|_|="
DECORATION_LETTERS = ".~HJLMOPRSTuvy"

# One token of a line of music; the order of the alternatives matters (an inline field before a chord, ...).
MUSIC_TOKEN = re.compile(
    rf"""
    (?P<space>[ \t`]+)
  | (?P<comment>%.*)
  | (?P<continuation>\\)
  | (?P<annotation>"[^"%]*"?)
  | (?P<decoration>![^!\s]*!|\+[^+\s]*\+|[{re.escape(DECORATION_LETTERS)}])
  | (?P<inline_field>\[[A-Za-z]:[^\]%]*\]?)
  | (?P<bar>{BARLINE})(?P<bar_ending>{ENDING_NUMBER})?
  | (?P<ending>\[{ENDING_NUMBER})
  | (?P<chord_open>\[)
  | (?P<chord_close>\](?P<chord_length>{LENGTH}))
  | (?P<grace_open>\{{)
  | (?P<grace_close>\}})
  | (?P<tuplet>\(\d(?::\d*){{0,2}})
  | (?P<slur>[()])
  | (?P<broken>[<>]+)
  | (?P<tie>-)
  | (?P<note>(?:{ACCIDENTAL})?[A-Ga-g][,']*(?P<note_length>{LENGTH}))
  | (?P<rest>[zx](?P<rest_length>{LENGTH}))
  | (?P<multirest>Z\d*)
  | (?P<unknown>.)
    """,
    re.VERBOSE,
)
LENGTH_GROUPS = {"note": "note_length", "rest": "rest_length", "chord_close": "chord_length"}
NOTE_PARTS = re.compile(rf"({ACCIDENTAL})?([A-Ga-g])([,']*)")
TUPLET_PARTS = re.compile(r"\((\d)(?::(\d*))?(?::(\d*))?")
TOKEN_KINDS = (
    *("field", "inline_field", "comment", "space", "continuation", "annotation", "decoration"),
    *("bar", "ending", "chord_open", "chord_close", "grace_open", "grace_close", "acciaccatura"),
    *("tuplet", "slur", "broken", "tie", "note", "rest", "multirest", "unknown"),
)


class Token(NamedTuple):
    """One piece of a tune's text: its kind, its span text[start:stop], and the group ('chord', 'grace') it is in."""

    kind: str
    start: int
    stop: int
    text: str
    group: str = ""
    length: str = ""  # the written length of a note, rest or chord ('2', '/2', '3/2'; '' for one unit)


@dataclass(frozen=True)
class AbcTune:
    """A tune as read: its text, the first value of each header field, and its header and body tokens."""

    text: str
    fields: dict[str, str]
    header: tuple[Token, ...]  # lines up to and including the first K: field; they tile text[:body_start]
    body: tuple[Token, ...]  # everything after it; they tile text[body_start:]
    offset: int = 0  # where the tune sits in a longer text: the spans count from there

    @property
    def body_start(self) -> int:
        """Where the body begins (offset included); the end of the text when there is no body."""
        return self.body[0].start if self.body else self.offset + len(self.text)


def field_line(line: str) -> tuple[str, str] | None:
    """('K', 'G') for a line 'K: G', or None when the line is not an information field."""
    match = FIELD_LINE.match(line)
    return (match.group(1), match.group(2).strip()) if match else None


def header_length(tune: str) -> int:
    """Where the body begins: just after the line of the first K: field (the end of the text without one)."""
    line_start = 0
    for line in tune.split("\n"):
        line_start += len(line) + 1
        field = field_line(line)
        if field and field[0] == "K":
            return min(line_start, len(tune))
    return len(tune)


def split_header_body(tune: str) -> tuple[list[str], list[str]]:
    """Header lines up to and including the first K: field, and the non-blank body lines after it."""
    body_start = header_length(tune)
    body = [line for line in tune[body_start:].split("\n") if line.strip()]
    return tune[:body_start].removesuffix("\n").split("\n"), body


def header_fields(tune: str) -> dict[str, str]:
    """The first value of each header field, e.g. {'X': '1', 'M': '6/8', 'K': 'G'}; the body is not read."""
    return read_tune(tune[: header_length(tune)]).fields


def read_tune(text: str, offset: int = 0) -> AbcTune:
    """Header fields and the tokens of one tune; spans count from offset (where the tune sits in a longer text)."""
    if not isinstance(text, str):
        raise ValueError(f"expected the text of a tune as a str, got {type(text).__name__}")
    header: list[Token] = []
    body: list[Token] = []
    fields: dict[str, str] = {}
    in_header = True
    line_start = 0
    for line in text.split("\n"):
        tokens = header if in_header else body
        field = field_line(line)
        if field or (in_header and line):
            kind = "field" if field else "comment" if line.lstrip().startswith("%") else "unknown"
            pieces = line_tokens(kind, line, offset + line_start)
            if field and in_header:
                fields.setdefault(*token_field(pieces[0]))
            tokens += pieces
        elif line:
            tokens += music_tokens(line, offset + line_start)
        in_header = in_header and not (field and field[0] == "K")
        line_start += len(line) + 1
        if line_start <= len(text):
            tokens.append(Token("space", offset + line_start - 1, offset + line_start, "\n"))
    return AbcTune(text, fields, tuple(header), tuple(body), offset)


def line_tokens(kind: str, line: str, start: int) -> list[Token]:
    """A whole line as one token of this kind, and its comment (from an unescaped %) as a second one."""
    comment = COMMENT_START.search(line) if kind != "comment" else None
    split = comment.start() if comment else len(line)
    parts = [(kind, 0, split), ("comment", split, len(line))]
    return [Token(part, start + first, start + last, line[first:last]) for part, first, last in parts if last > first]


def music_tokens(line: str, offset: int = 0) -> list[Token]:
    """The tokens of one line of music; a chord or grace group left open ends with the line."""
    tokens = []
    group = ""
    for match in MUSIC_TOKEN.finditer(line):
        kind, start, stop = match.lastgroup, match.start() + offset, match.end() + offset
        if kind == "bar_ending":  # |1, :|2: the bar line, then the number of its ending
            split = match.start("bar_ending") + offset
            tokens.append(Token("bar", start, split, match["bar"], group))
            kind, start = "ending", split
        elif kind == "chord_close" and group != "chord" or kind == "chord_open" and group:
            kind = "unknown"
        elif kind == "grace_close" and group != "grace" or kind == "grace_open" and group:
            kind = "unknown"
        elif kind == "unknown" and match[0] == "/" and group == "grace":
            kind = "acciaccatura"
        length = match[LENGTH_GROUPS[kind]] if kind in LENGTH_GROUPS else ""
        if kind in ("chord_open", "grace_open"):
            group = kind.removesuffix("_open")
        tokens.append(Token(kind, start, stop, line[start - offset : stop - offset], group, length))
        if kind in ("chord_close", "grace_close"):
            group = ""
    return tokens


def token_lines(tokens: tuple[Token, ...]) -> list[list[Token]]:
    """The tokens line by line (each newline ends a line and is left out)."""
    lines: list[list[Token]] = [[]]
    for token in tokens:
        if token.text == "\n":
            lines.append([])
        else:
            lines[-1].append(token)
    return lines


def note_parts(token: Token) -> tuple[str, str, str]:
    """The accidental ('' when none), letter and octave marks of a note token: '^c'' -> ('^', 'c', "'")."""
    match = NOTE_PARTS.match(token.text)
    if token.kind != "note" or not match:
        raise ValueError(f"expected a note token, got {token.kind} {token.text!r}")
    return match[1] or "", match[2], match[3]


def tuplet_parts(token: Token) -> tuple[int, int | None, int | None]:
    """p, q and r of a tuplet (p:q:r: p notes in the time of q, for the next r notes); None where not written."""
    match = TUPLET_PARTS.fullmatch(token.text)
    if token.kind != "tuplet" or not match:
        raise ValueError(f"expected a tuplet token like (3 or (3:2:3, got {token.kind} {token.text!r}")
    return int(match[1]), int(match[2]) if match[2] else None, int(match[3]) if match[3] else None


def token_field(token: Token) -> tuple[str, str]:
    """The name and value of a field line ('M:3/4') or inline field ('[M:3/4]')."""
    text = token.text[1:].removesuffix("]") if token.kind == "inline_field" else token.text
    field = field_line(text)
    if token.kind not in ("field", "inline_field") or field is None:
        raise ValueError(f"expected a field token like M:3/4 or [M:3/4], got {token.kind} {token.text!r}")
    return field
