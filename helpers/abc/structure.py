"""Structural facts about every character of an ABC tune, read from the text itself.

These are the "answers" that a hidden unit may or may not have learned: is this character in the header,
inside a quoted annotation, a note letter, how far it is from the last bar line. helpers.analysis.neurons ranks the
units of a network by how well each one predicts these facts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.abc.reader import END, START, Token, note_parts, read_tune, token_field

__all__ = ["FACTS", "Fact", "label_lines", "label_structure"]

FIELD_LETTERS = ("X", "T", "R", "M", "L", "Q", "K")


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
    the music), duration (the written length of a note, rest or chord), bar (bar lines and repeat signs,
    with the [ or ] of [| and |]), near_end (the last 10% of the tune's characters) and bar_position (0 on
    a |, counting up by one per body character; the body starts at 1). Every label comes from the tokens of
    helpers.abc.reader; each stretch of text between <start>/<end> markers is read as one tune.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected the text of a tune as a str, got {type(text).__name__}")
    labels = empty_labels(len(text))
    labels["text"][:] = True
    labels["marker"] = marker_mask(text)
    labels["tune"] = ~labels["marker"]
    for start, stop in tune_spans(labels["tune"]):
        tune = read_tune(text[start:stop], offset=start)
        labels["header"][start : tune.body_start] = True
        labels["body"][tune.body_start : stop] = True
        for token in (*tune.header, *tune.body):
            label_token(token, labels)
    label_bar_position(text, labels)
    tune_positions = np.flatnonzero(labels["tune"])
    n_end = int(np.ceil(NEAR_END_FRACTION * len(tune_positions)))
    labels["near_end"][tune_positions[len(tune_positions) - n_end :]] = True
    return labels


def tune_spans(in_tune: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of tune characters between markers."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], in_tune.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def label_token(token: Token, labels: dict[str, np.ndarray]) -> None:
    """Set the labels that one token of the reader carries."""
    span = slice(token.start, token.stop)
    if token.kind in ("field", "inline_field"):
        name = token_field(token)[0]
        labels[f"field_{name}" if name in FIELD_LETTERS else "field_other"][span] = True
    elif token.kind == "annotation":
        labels["quoted"][span] = True
    elif token.kind == "bar":
        labels["bar"][span] = True
    if token.group:
        bracket_only = token.kind == "chord_close"  # ']' is the chord's, its length is a duration
        labels[token.group][token.start : token.start + 1 if bracket_only else token.stop] = True
    if token.kind == "note":
        letter = token.start + len(note_parts(token)[0])
        labels["note"][letter] = True
    if token.kind in ("note", "rest", "chord_close") and token.length:
        labels["duration"][token.stop - len(token.length) : token.stop] = True


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
