"""Structural facts about every character of an ABC tune, read from the text itself.

These are the "answers" that a hidden unit may or may not have learned: is this character in the header,
inside a quoted annotation, a note letter, how far it is from the last bar line. helpers.analysis.neurons ranks the
units of a network by how well each one predicts these facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.abc.reader import END, START, field_line

FIELD_LETTERS = ("X", "T", "R", "M", "L", "Q", "K")
NOTE_LETTERS = frozenset("ABCDEFGabcdefg")
RESTS = frozenset("zxZ")
OCTAVE_MARKS = frozenset(",'")


@dataclass(frozen=True)
class Fact:
    """One labelled fact: its label name, a description, the characters it is judged on, and a short table label."""

    name: str
    description: str
    within: str  # the label whose True characters form the domain: "text", "tune", "header" or "body"
    label: str
    numeric: bool = False


FACTS = (
    Fact("marker", "<start> / <end> marker", "text", "<start>/<end>"),
    Fact("header", "in the header (vs the body)", "tune", "header vs body"),
    *(
        Fact(f"field_{letter}", f"in the {letter}: field line", "header", f"{letter}: field")
        for letter in FIELD_LETTERS
    ),
    Fact("quoted", 'inside a "quoted" chord or annotation', "body", '"quoted" text'),
    Fact("grace", "inside a {grace} group", "body", "{grace} group"),
    Fact("chord", "inside a [chord]", "body", "[chord]"),
    Fact("note", "a note letter", "body", "note letter"),
    Fact("duration", "a duration digit or slash", "body", "duration"),
    Fact("bar", "a bar line or repeat sign", "body", "bar line"),
    Fact("near_end", "in the last 10% of the tune", "tune", "last 10%"),
    Fact("bar_position", "characters since the last |", "body", "since last |", numeric=True),
)
FACTS_BY_NAME = {fact.name: fact for fact in FACTS}
NEAR_END_FRACTION = 0.1


def marker_mask(text: str) -> np.ndarray:
    """True on every <start> and <end> marker and on the newline right after one."""
    mask = np.zeros(len(text), dtype=bool)
    for marker in (START, END):
        start = text.find(marker)
        while start >= 0:
            stop = start + len(marker)
            if text[stop : stop + 1] == "\n":
                stop += 1
            mask[start:stop] = True
            start = text.find(marker, stop)
    return mask


def empty_labels(n: int) -> dict[str, np.ndarray]:
    labels = {name: np.zeros(n, dtype=bool) for name in ("text", "tune", "body", "field_other")}
    labels |= {fact.name: np.zeros(n, dtype=bool) for fact in FACTS if not fact.numeric}
    labels["bar_position"] = np.full(n, np.nan)
    return labels


def label_structure(text: str) -> dict[str, np.ndarray]:
    """Name -> array of len(text): boolean labels of each character, and bar_position (NaN outside the body).

    Labels: text (all True), marker, tune (not a marker), header (the lines up to and including the first
    K: line, newlines included), body (the rest of the tune), field_X, field_T, ... and field_other (the
    characters of an information field line such as "T: Title" or an inline field "[L:1/16]", newline
    excluded), quoted ("..." in the body, quote marks included), grace ({...}, braces included), chord
    ([...] holding notes, brackets included; not [1 endings, [| bars or inline fields), note (A-G, a-g in
    the music), duration (digits and / right after a note, rest, octave mark or chord), bar (| and the :
    of repeat signs, with the [ or ] of [| and |]), near_end (the last 10% of the tune's characters) and
    bar_position (0 on a |, counting up by one per body character; the body starts at 1).
    """
    if not isinstance(text, str):
        raise ValueError(f"expected the text of a tune as a str, got {type(text).__name__}")
    labels = empty_labels(len(text))
    labels["text"][:] = True
    labels["marker"] = marker_mask(text)
    labels["tune"] = ~labels["marker"]
    in_header = True
    line_start = 0
    for line in text.split("\n"):
        stop = line_start + len(line) + 1  # the line's newline, if there is one, belongs to it
        span = slice(line_start, min(stop, len(text)))
        tune_here = labels["tune"][span]
        in_header = in_header or START in line  # a text may hold several records
        if tune_here.any():
            content = "".join(char for char, keep in zip(line, tune_here, strict=False) if keep)
            field = field_line(content)
            labels["header" if in_header else "body"][span] = tune_here
            if field:
                name = f"field_{field[0]}" if field[0] in FIELD_LETTERS else "field_other"
                labels[name][line_start : line_start + len(line)] = tune_here[: len(line)]
            elif not in_header:
                label_music_line(text, line_start, line_start + len(line), labels)
            if in_header and field and field[0] == "K":
                in_header = False
        line_start = stop
    label_bar_position(text, labels)
    tune_positions = np.flatnonzero(labels["tune"])
    n_end = int(np.ceil(NEAR_END_FRACTION * len(tune_positions)))
    labels["near_end"][tune_positions[len(tune_positions) - n_end :]] = True
    return labels


def label_music_line(text: str, start: int, stop: int, labels: dict[str, np.ndarray]) -> None:
    """Labels of one line of music, text[start:stop]; quotes, groups and decorations end with the line."""
    in_quote = in_grace = in_chord = in_decoration = False
    inline_field = None  # the label of the inline field [X:...] being read
    after_note = False  # a duration may follow
    for i in range(start, stop):
        if labels["marker"][i]:
            continue
        char, following = text[i], text[i + 1 : i + 3]
        if in_quote or char == '"':
            labels["quoted"][i] = True
            in_quote = not in_quote if char == '"' else in_quote
            after_note = False
            continue
        if inline_field:
            labels[inline_field][i] = True
            inline_field = None if char == "]" else inline_field
            continue
        if char == "[" and not in_chord and not in_decoration:
            if len(following) == 2 and following[0].isalpha() and following[1] == ":":
                inline_field = f"field_{following[0]}" if following[0] in FIELD_LETTERS else "field_other"
                labels[inline_field][i] = True
                after_note = False
                continue
            in_chord = following[:1] != "|" and not following[:1].isdigit()
        in_grace = in_grace or char == "{"
        labels["grace"][i] = in_grace
        labels["chord"][i] = in_chord
        in_grace = in_grace and char != "}"
        if in_decoration or char == "!":
            in_decoration = not in_decoration if char == "!" else in_decoration
            after_note = False
        elif char == "]" and in_chord:
            in_chord, after_note = False, True
        elif char in "|:" or (char == "[" and following[:1] == "|") or (char == "]" and text[i - 1 : i] == "|"):
            labels["bar"][i] = True
            after_note = False
        elif char in NOTE_LETTERS:
            labels["note"][i] = True
            after_note = True
        elif char in RESTS or (char in OCTAVE_MARKS and after_note):
            after_note = True
        elif (char.isdigit() or char == "/") and after_note:
            labels["duration"][i] = True
        else:
            after_note = False


def label_bar_position(text: str, labels: dict[str, np.ndarray]) -> None:
    """Characters since the last | in the body: 0 on a |, and the body begins as if a | came just before."""
    since_bar = 0
    for i in np.flatnonzero(labels["body"]):
        since_bar = 0 if text[i] == "|" and labels["bar"][i] else since_bar + 1
        labels["bar_position"][i] = since_bar


def label_lines(text: str, names: tuple[str, ...] | None = None) -> str:
    """The text once per boolean label, showing only the characters that carry it: a quick visual check."""
    labels = label_structure(text)
    names = names or tuple(fact.name for fact in FACTS if not fact.numeric)
    shown = text.replace("\n", "\u21b5")
    width = max(len(name) for name in names)
    lines = [f"{'text':>{width}}  {shown}"]
    for name in names:
        if name not in labels or labels[name].dtype != bool:
            raise ValueError(
                f"unknown boolean label {name!r}; expected one of {[n for n in labels if n != 'bar_position']}"
            )
        lines.append(
            f"{name:>{width}}  " + "".join(c if on else " " for c, on in zip(shown, labels[name], strict=True)).rstrip()
        )
    return "\n".join(lines)
