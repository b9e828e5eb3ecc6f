"""The one ABC reader: tokens and their spans, header values (meter, unit length, key), notes and bars."""

import random
from fractions import Fraction

import pytest

from helpers.abc.fields import Meter, default_unit_length, parse_key, parse_meter, parse_unit_length
from helpers.abc.music import length_factor, pitch_sequence, read_music
from helpers.abc.reader import (
    TOKEN_KINDS,
    note_parts,
    read_tune,
    split_header_body,
    token_field,
    token_lines,
    tuplet_parts,
)
from helpers.abc.structure import label_structure
from helpers.analysis.checks import check_tune
from helpers.corpus.load import load_collections

HEADER = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\n"
TRICKY = (
    HEADER + '"A|m"(3:2:3ABc [C2E2]2 {/g}A !trill!B|\n'
    "[K:D] ~d2 d>e (ce)|1 f3-f3:|2 ^f,3 z3 [2 g'3 x3 \\\n"
    "|[M:9/8] a3 b3 c'3|] % a comment | not a bar\n"
    '+fermata+ _B .C u=D HE T"x"F|\n'
)


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each body token that is not a space."""
    return [(token.kind, token.text) for token in read_tune(text).body if token.kind != "space"]


def durations(abc: str) -> list[Fraction]:
    return [bar.duration for bar in read_music(abc).bars]


def assert_tiles(text: str) -> None:
    """The tokens, in order and without gaps, give back the text; every token has a known kind."""
    tune = read_tune(text)
    tokens = (*tune.header, *tune.body)
    assert "".join(token.text for token in tokens) == text
    assert all(a.stop == b.start for a, b in zip(tokens, tokens[1:], strict=False))
    assert all(text[token.start : token.stop] == token.text for token in tokens)
    assert {token.kind for token in tokens} <= set(TOKEN_KINDS)


# ------------------------------------------------------------------------------------------------ tokens


def test_the_tokens_of_a_tricky_tune_tile_it():
    assert_tiles(TRICKY)
    tune = read_tune(TRICKY)
    assert tune.fields == {"X": "1", "T": "Test", "M": "6/8", "L": "1/8", "K": "G"}
    assert TRICKY[tune.body_start :].startswith('"A|m"')


def test_a_tuplet_with_colons_is_one_tuplet_not_bar_lines():
    assert kinds_and_texts(HEADER + "(3:2:3ABc (3::2d2e (5abcde|")[:6] == [
        ("tuplet", "(3:2:3"),
        ("note", "A"),
        ("note", "B"),
        ("note", "c"),
        ("tuplet", "(3::2"),
        ("note", "d2"),
    ]
    tuplet = next(token for token in read_tune(HEADER + "(3:2:3ABc").body if token.kind == "tuplet")
    assert tuplet_parts(tuplet) == (3, 2, 3)
    labels = label_structure(HEADER + "(3:2:3ABc|")
    assert labels["bar"].sum() == 1  # only the |, not the colons of the tuplet


def test_chords_with_lengths_grace_groups_and_quotes_holding_bar_lines():
    tokens = [token for token in read_tune(HEADER + '"G|D"[C2E2]3/2{/g}A|').body if token.kind != "space"]
    assert [(token.kind, token.text, token.group, token.length) for token in tokens] == [
        ("annotation", '"G|D"', "", ""),
        ("chord_open", "[", "chord", ""),
        ("note", "C2", "chord", "2"),
        ("note", "E2", "chord", "2"),
        ("chord_close", "]3/2", "chord", "3/2"),
        ("grace_open", "{", "grace", ""),
        ("acciaccatura", "/", "grace", ""),
        ("note", "g", "grace", ""),
        ("grace_close", "}", "grace", ""),
        ("note", "A", "", ""),
        ("bar", "|", "", ""),
    ]


def test_endings_after_bar_lines_and_on_their_own():
    assert kinds_and_texts(HEADER + "A|1 B:|2 c|[1 d :|[2 e [3 f||")[1:] == [
        ("bar", "|"),
        ("ending", "1"),
        ("note", "B"),
        ("bar", ":|"),
        ("ending", "2"),
        ("note", "c"),
        ("bar", "|"),
        ("ending", "[1"),
        ("note", "d"),
        ("bar", ":|"),
        ("ending", "[2"),
        ("note", "e"),
        ("ending", "[3"),
        ("note", "f"),
        ("bar", "||"),
    ]


def test_inline_fields_decorations_continuations_and_comments():
    assert kinds_and_texts(HEADER + '[K:D]!trill!A+fermata+ ~B .c HT"x"d \\\n% all of this | is a comment\ne|')[:9] == [
        ("inline_field", "[K:D]"),
        ("decoration", "!trill!"),
        ("note", "A"),
        ("decoration", "+fermata+"),
        ("decoration", "~"),
        ("note", "B"),
        ("decoration", "."),
        ("note", "c"),
        ("decoration", "H"),
    ]
    body = kinds_and_texts(HEADER + "A \\\n% all of this | is a comment\ne|")
    assert body == [("note", "A"), ("continuation", "\\"), ("comment", "% all of this | is a comment"), *[]] + [
        ("note", "e"),
        ("bar", "|"),
    ]


def test_fields_and_their_comments_in_header_and_body():
    tune = read_tune("X:1\nT:Tune % with a comment\nK:G\nAB|\nM:3/4\nABC|")
    assert tune.fields["T"] == "Tune"
    assert [token.kind for token in tune.header if token.kind != "space"] == ["field", "field", "comment", "field"]
    field = next(token for token in tune.body if token.kind == "field")
    assert token_field(field) == ("M", "3/4")
    inline = next(token for token in read_tune(HEADER + "[M:2/4]AB|").body if token.kind == "inline_field")
    assert token_field(inline) == ("M", "2/4")
    with pytest.raises(ValueError, match="field token"):
        token_field(field.__class__("note", 0, 1, "A"))


def test_lines_of_tokens_and_the_header_body_split():
    tune = read_tune(HEADER + "AB|\ncd|")
    assert ["".join(token.text for token in line) for line in token_lines(tune.body)] == ["AB|", "cd|"]
    assert split_header_body(HEADER + "AB|\n\ncd|\n") == (HEADER.rstrip("\n").split("\n"), ["AB|", "cd|"])
    assert split_header_body("X:1\nT:no key\n") == (["X:1", "T:no key"], [])


def test_note_parts_and_unknown_characters():
    note = next(token for token in read_tune(HEADER + "^^c''3/2").body if token.kind == "note")
    assert note_parts(note) == ("^^", "c", "''") and note.length == "3/2"
    assert [kind for kind, _ in kinds_and_texts(HEADER + "$]}@")] == ["unknown"] * 4
    with pytest.raises(ValueError, match="note token"):
        note_parts(read_tune(HEADER + "|").body[0])


def test_a_non_string_is_refused():
    with pytest.raises(ValueError, match="str"):
        read_tune(b"X:1")


@pytest.mark.untraced
@pytest.mark.slow
def test_every_tune_of_oneills_1850_is_read_and_tiled():
    tunes = load_collections(["oneills1850"])
    assert len(tunes) > 1900
    unread = 0
    for tune in tunes:
        assert_tiles(tune.text)
        music = read_music(tune.text)
        assert music.notes, tune.text[:80]
        unread += music.unreadable
    # Real transcriptions are read, not guessed: almost nothing is left unread.
    assert unread < 0.001 * sum(len(tune.text) for tune in tunes)


def test_random_text_is_read_labelled_and_checked_without_an_exception():
    rng = random.Random(5)
    alphabet = "ABCDEFGabcdefgzxZ|:[]()<>-/123456789,'^_=\"!{}~.+%\\KLMTX \n\téü€\x00"
    texts = ["", "\n", "K:", "[", "{", '"', "(", "X:1\nK:G\n[K:", b"\xff\xfe\x80abc".decode("latin-1")]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(300)]
    texts += [bytes(rng.randrange(256) for _ in range(80)).decode("utf-8", errors="replace") for _ in range(50)]
    for text in texts + [HEADER + text for text in texts]:
        assert_tiles(text)
        read_music(text)
        pitch_sequence(text)
        labels = label_structure(text)
        assert all(len(values) == len(text) for values in labels.values())
        check_tune(text, finished=rng.random() < 0.5, parsers=())


# ------------------------------------------------------------------------------------------------ header values


@pytest.mark.parametrize(
    "text, beats, unit, bar, compound",
    [
        ("6/8", 6, 8, Fraction(3, 4), True),
        ("3/4", 3, 4, Fraction(3, 4), False),
        ("9/8", 9, 8, Fraction(9, 8), True),
        ("12/8", 12, 8, Fraction(3, 2), True),
        ("C", 4, 4, 1, False),
        ("C|", 2, 2, 1, False),
        ("2+3/8", 5, 8, Fraction(5, 8), False),
    ],
)
def test_meters_are_kept_as_written(text, beats, unit, bar, compound):
    meter = parse_meter(text)
    assert (meter.beats, meter.unit, meter.bar_length, meter.compound) == (beats, unit, bar, compound)


@pytest.mark.parametrize("text", ["6/0", "x", "", "6-8", "0/4"])
def test_bad_meters_raise(text):
    with pytest.raises(ValueError, match="meter"):
        parse_meter(text)


def test_free_meter_and_unit_lengths():
    assert parse_meter("none") is None
    assert parse_unit_length("1/16") == Fraction(1, 16)
    with pytest.raises(ValueError, match="unit note length"):
        parse_unit_length("1/0")


def test_default_unit_length_from_the_meter():
    assert default_unit_length(Meter(2, 4)) == Fraction(1, 16)  # 2/4 is below 3/4
    assert default_unit_length(Meter(6, 8)) == Fraction(1, 8)
    assert default_unit_length(None) == Fraction(1, 8)
    # In 2/4 without L: a note is a sixteenth, so eight of them fill the bar.
    assert durations("X:1\nT:t\nM:2/4\nK:D\nABcd ABcd|ABcd ABcd|") == [Fraction(1, 2)] * 2


@pytest.mark.parametrize(
    "key, signature",
    [
        ("C", {}),
        ("G", {"F": 1}),
        ("D", {"F": 1, "C": 1}),
        ("Bb", {"B": -1, "E": -1}),
        ("Em", {"F": 1}),
        ("F#m", {"F": 1, "C": 1, "G": 1}),
        ("Ador", {"F": 1}),
        ("ADor", {"F": 1}),
        ("Dmix", {"F": 1}),
        ("G minor", {"B": -1, "E": -1}),
        ("Ephr", {}),
        ("Flyd", {}),
        ("none", {}),
        ("D exp ^f ^c", {"F": 1, "C": 1}),
        ("G =f", {"F": 0}),
        ("G clef=bass", {"F": 1}),
    ],
)
def test_key_signatures(key, signature):
    assert parse_key(key) == signature


@pytest.mark.parametrize("key", ["Hx", "Bn", "Dmixm", "H", "", "g", "C#mix#"])
def test_bad_keys_raise(key):
    with pytest.raises(ValueError, match="key"):
        parse_key(key)


# ------------------------------------------------------------------------------------------------ notes and bars


@pytest.mark.parametrize(
    "text, factor",
    [("", 1), ("2", 2), ("12", 12), ("/", Fraction(1, 2)), ("//", Fraction(1, 4)), ("/2", Fraction(1, 2))]
    + [("3/2", Fraction(3, 2)), ("3/", Fraction(3, 2)), ("/4", Fraction(1, 4))],
)
def test_note_lengths(text, factor):
    assert length_factor(text) == factor


def test_durations_of_tuplets_broken_rhythm_chords_rests_and_grace_notes():
    abc = 'X:1\nT:t\nM:2/4\nL:1/8\nK:C\n(3ABc d2|A>B c/d/e|[CEG]2 z2|"Am"{g}A<B !trill!c2|'
    assert durations(abc) == [Fraction(1, 2)] * 4


def test_tuplets_follow_the_meter_as_written():
    # (5 takes the time of 3 notes in compound meter (6/8), of 2 in simple meter: 3/8 and 1/4 here.
    assert durations(HEADER + "(5ABcde|") == [Fraction(3, 8)]
    assert durations("X:1\nT:t\nM:3/4\nL:1/8\nK:G\n(5ABcde|") == [Fraction(1, 4)]
    assert durations(HEADER + "(3:2:3ABc d3|(3::2A2B c3|") == [Fraction(5, 8), Fraction(5, 8)]


def test_chord_lengths_multiply():
    assert durations(HEADER + "[C2E2]3/2 [CE]/ A|") == [Fraction(3, 8) + Fraction(1, 16) + Fraction(1, 8)]


def test_broken_rhythm_moves_length_between_the_two_notes():
    notes = read_music("X:1\nT:t\nM:2/4\nL:1/8\nK:C\nA>B c<d|A>>B c2|\n").notes
    eighths = [note.duration * 8 for note in notes]
    assert eighths[:5] == [Fraction(3, 2), Fraction(1, 2), Fraction(1, 2), Fraction(3, 2), Fraction(7, 4)]
    assert eighths[5:] == [Fraction(1, 4), 2]


def test_bars_record_the_bar_lines_around_them_and_their_endings():
    bars = read_music(HEADER + "D|:GAB cBA|1 dBG G2:|2 dBG G3||\n").bars
    assert [(bar.opened_by, bar.closed_by, bar.ending, bar.text) for bar in bars] == [
        ((), ("|:",), False, "D"),
        (("|:",), ("|",), False, "GABcBA"),
        (("|",), (":|",), True, "dBGG2"),
        ((":|",), ("||",), True, "dBGG3"),
    ]


def test_bars_split_over_lines_continuations_and_empty_bars():
    music = read_music(HEADER + "GAB cBA|\n|BGE D3|\\\nGAB cBA|\n")
    assert [bar.duration for bar in music.bars] == [Fraction(3, 4)] * 3
    assert music.bars[0].closed_by == ("|", "|") and music.bars[1].opened_by == ("|", "|")


def test_pitches_follow_key_signature_accidentals_octaves_and_ties():
    notes = read_music("X:1\nT:t\nM:C\nL:1/8\nK:D\nFf^fc=c C,c'|F A2-A2 z|\n").notes
    assert [note.pitch for note in notes] == [66, 78, 78, 73, 72, 49, 85, 66, 69, None]
    assert notes[-2].duration == Fraction(1, 2)  # A2-A2 is one tied note


def test_accidentals_last_until_the_bar_line_and_inline_keys_change_the_signature():
    assert pitch_sequence("X:1\nT:t\nM:C\nL:1/8\nK:C\n^FF|F|\n") == [66, 66, 65]
    assert pitch_sequence("X:1\nT:t\nM:C\nL:1/8\nK:C\nF[K:G]F|\nK:F\nB|") == [65, 66, 70]


def test_garbage_is_counted_as_unreadable():
    music = read_music("X:1\nT:?\nK:G\n$$ @@ ;; AB|[]")
    assert music.unreadable == 8 and len(music.notes) == 2
