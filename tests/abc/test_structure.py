"""The structural labeller: every label of hand-written ABC snippets, at positions worked out by hand."""

import numpy as np
import pytest

from helpers.abc.structure import FACTS, label_lines, label_structure

BOOLEAN_LABELS = (
    "text",
    "marker",
    "tune",
    "header",
    "body",
    "field_X",
    "field_T",
    "field_R",
    "field_M",
    "field_L",
    "field_Q",
    "field_K",
    "field_other",
    "quoted",
    "grace",
    "chord",
    "note",
    "duration",
    "bar",
    "near_end",
)


def span(first: int, last: int) -> list[int]:
    """Positions first..last, both included."""
    return list(range(first, last + 1))


def check_every_label(text: str, expected: dict[str, list[int]], bar_position: dict[int, int]) -> None:
    """Each boolean label is True exactly at the expected positions (none where not listed)."""
    labels = label_structure(text)
    assert set(labels) == {*BOOLEAN_LABELS, "bar_position"}
    for name in BOOLEAN_LABELS:
        assert labels[name].shape == (len(text),) and labels[name].dtype == bool, name
        assert np.flatnonzero(labels[name]).tolist() == expected.get(name, []), name
    positions = labels["bar_position"]
    assert np.flatnonzero(~np.isnan(positions)).tolist() == sorted(bar_position), "bar_position defined"
    assert {i: int(positions[i]) for i in bar_position} == bar_position


def test_markers_header_fields_body_and_bar_position():
    text = "<start>\nX:1\nT:Hi\nK:G\nAB|c\n<end>"
    # <start>\n is 0..7; X:1\n 8..11; T:Hi\n 12..16; K:G\n 17..20; AB|c\n 21..25; <end> 26..30.
    assert len(text) == 31 and text[23] == "|" and text[26] == "<"
    expected = {
        "text": span(0, 30),
        "marker": span(0, 7) + span(26, 30),
        "tune": span(8, 25),
        "header": span(8, 20),
        "body": span(21, 25),
        "field_X": span(8, 10),
        "field_T": span(12, 15),
        "field_K": span(17, 19),
        "note": [21, 22, 24],
        "bar": [23],
        "near_end": [24, 25],  # 18 tune characters: the last ceil(1.8) = 2
    }
    check_every_label(text, expected, bar_position={21: 1, 22: 2, 23: 0, 24: 1, 25: 2})


def test_quotes_grace_chords_durations_endings_and_repeats():
    text = 'K:D\n"Am"A2 {g}[CE]/2 z3|[1 d,2:|]\n'
    assert len(text) == 34
    assert (text[4], text[11], text[14], text[17], text[23], text[24], text[30], text[32]) == tuple('"{[]|[:]')
    expected = {
        "text": span(0, 33),
        "tune": span(0, 33),
        "header": span(0, 3),
        "body": span(4, 33),
        "field_K": span(0, 2),
        "quoted": span(4, 7),  # the A inside the quotes is not a note
        "grace": span(11, 13),
        "chord": span(14, 17),
        "note": [8, 12, 15, 16, 27],
        "duration": [9, 18, 19, 22, 29],  # A2, [CE]/2, z3, d,2; not the 1 of the [1 ending
        "bar": [23, 30, 31, 32],
        "near_end": span(30, 33),  # 34 characters: the last ceil(3.4) = 4
    }
    bar_position = {i: i - 3 for i in range(4, 23)} | {23: 0} | {i: i - 23 for i in range(24, 31)}
    bar_position |= {31: 0, 32: 1, 33: 2}
    check_every_label(text, expected, bar_position)


def test_inline_fields_decorations_unclosed_quotes_body_fields_and_other_fields():
    text = 'X:2\nP:A\nK:C\n[|!D.C.! G [L:1/4] "x\nM:3/4\n|'
    assert len(text) == 41
    assert (text[12], text[14], text[23], text[31], text[34], text[40]) == tuple("[![*M|".replace("*", '"'))
    expected = {
        "text": span(0, 40),
        "tune": span(0, 40),
        "header": span(0, 11),
        "body": span(12, 40),
        "field_X": span(0, 2),
        "field_other": span(4, 6),
        "field_K": span(8, 10),
        "field_L": span(23, 29),  # the inline field [L:1/4], not a chord
        "field_M": span(34, 38),  # a field line in the body
        "quoted": [31, 32],  # an unclosed quote ends with its line
        "note": [21],  # not the D and C of the !D.C.! decoration
        "bar": [12, 13, 40],
        "near_end": span(36, 40),
    }
    bar_position = {12: 1, 13: 0} | {i: i - 13 for i in range(14, 40)} | {40: 0}
    check_every_label(text, expected, bar_position)


def test_quotes_in_the_header_are_not_annotations_and_a_tune_without_k_has_no_body():
    labels = label_structure('X:1\nT:The "Big" One\nM:C')
    assert labels["header"].all() and not labels["body"].any()
    assert not labels["quoted"].any() and not labels["note"].any()
    assert np.isnan(labels["bar_position"]).all()


def test_an_end_marker_on_a_line_of_music_is_a_marker_not_notes():
    text = "K:G\nab|<end>"
    labels = label_structure(text)
    assert np.flatnonzero(labels["marker"]).tolist() == span(7, 11)
    assert np.flatnonzero(labels["note"]).tolist() == [4, 5]
    assert np.flatnonzero(labels["body"]).tolist() == [4, 5, 6]


def test_every_fact_is_a_label_judged_within_a_label():
    labels = label_structure("<start>\nX:1\nK:G\nabc|\n<end>\n")
    for fact in FACTS:
        assert fact.name in labels and fact.within in labels
        assert labels[fact.name].dtype == (np.float64 if fact.numeric else bool)


def test_empty_text_gives_empty_labels_and_a_non_string_is_refused():
    assert all(len(values) == 0 for values in label_structure("").values())
    with pytest.raises(ValueError, match="str"):
        label_structure(b"X:1")


def test_label_lines_show_only_the_characters_that_carry_each_label():
    lines = label_lines('K:G\n"D"A2|', names=("header", "quoted", "note", "duration")).split("\n")
    assert lines == [
        '    text  K:G↵"D"A2|',
        "  header  K:G↵",
        '  quoted      "D"',
        "    note         A",
        "duration          2",
    ]
    with pytest.raises(ValueError, match="bar_position"):
        label_lines("K:G\n", names=("bar_position",))


def test_each_record_of_a_text_starts_with_a_header():
    text = "<start>\nK:G\nab\n<end>\n<start>\nK:D\nd\n<end>\n"
    labels = label_structure(text)
    assert "".join(c for c, on in zip(text, labels["header"], strict=True) if on) == "K:G\nK:D\n"
    assert "".join(c for c, on in zip(text, labels["note"], strict=True) if on) == "abd"


def test_labels_follow_the_reader_tuplet_colons_endings_and_quotes_with_bar_lines():
    text = 'K:G\n(3:2:3ABc|1 "D|G"d2:|\n'
    labels = label_structure(text)
    shown = {name: "".join(c for c, on in zip(text, labels[name], strict=True) if on) for name in labels}
    assert shown["bar"] == "|:|"  # the | of |1 and the :| of the repeat, not the colons of (3:2:3
    assert (shown["quoted"], shown["note"], shown["duration"]) == ('"D|G"', "ABcd", "2")
    assert labels["bar_position"][text.index("d")] == 8  # the | inside the quotes is no bar line


def test_any_text_gets_labels():
    for text in ("", "\x00\ufffd", 'K:\n[{("', "<start>\n<end>", "é|:" * 50):
        assert all(len(values) == len(text) for values in label_structure(text).values())
