"""Per-tune checks on small hand-written tunes whose answers are known."""

import random
from collections import Counter
from fractions import Fraction

import pytest

from helpers.analysis import checks as quality
from helpers.analysis.checks import (
    check_bars,
    check_header,
    check_tune,
    length_factor,
    music_statistics,
    parse_key,
    parse_meter,
    parse_unit_length,
    read_body,
    repeat_problems,
)

HEADER = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\n"
# A jig with a pickup, a start repeat and a last bar that completes the pickup.
VALID = HEADER + "D|:GAB cBA|BGE D2D|GAB cde|dBG G2:|\n"


def durations(abc: str) -> list[Fraction]:
    return [bar.duration for bar in read_body(abc).bars]


# ------------------------------------------------------------------------------------------------ header


def test_valid_header():
    header = check_header(VALID)
    assert header.ok
    assert (header.meter, header.key) == ("6/8", "G")


def test_missing_key_fails_the_header():
    header = check_header("X:1\nT:Test\nM:6/8\nL:1/8\nGAB cBA|\n")
    assert not header.has_key and not header.ok


@pytest.mark.parametrize(
    "abc, failing",
    [
        ("T:Test\nX:1\nM:6/8\nL:1/8\nK:G\nGAB|", "x_first"),
        ("X:1\nM:6/8\nL:1/8\nK:G\nGAB|", "has_title"),
        ("X:1\nT:Test\nL:1/8\nK:G\nGAB|", "has_meter"),
        ("X:1\nT:Test\nM:6/q\nL:1/8\nK:G\nGAB|", "meter_ok"),
        ("X:1\nT:Test\nM:6/8\nL:eighth\nK:G\nGAB|", "unit_length_ok"),
        ("X:1\nT:Test\nM:6/8\nL:1/8\nK:Hx\nGAB|", "key_ok"),
        ("X:1\nT:Test\nM:6/8\nL:1/8\nK:Bn\nGAB|", "key_ok"),
        ("X:1\nT:Test\nM:6/8\nGAB cBA|\nL:1/8\nK:G\nGAB|", "only_fields_before_key"),
    ],
)
def test_each_header_fault_is_named(abc, failing):
    header = check_header(abc)
    assert not header.ok
    assert getattr(header, failing) is False


def test_key_must_come_last_in_the_header():
    # A meter after K: belongs to the body, so the header itself has none.
    header = check_header("X:1\nT:Test\nK:G\nM:6/8\nGAB cBA|")
    assert not header.has_meter and not header.ok


def test_missing_unit_length_is_allowed_and_defaults_from_the_meter():
    assert check_header("X:1\nT:Test\nM:6/8\nK:G\nGAB|").ok
    assert quality.default_unit_length(Fraction(1, 2)) == Fraction(1, 16)  # 2/4 is below 3/4
    assert quality.default_unit_length(Fraction(3, 4)) == Fraction(1, 8)
    assert quality.default_unit_length(None) == Fraction(1, 8)
    # In 2/4 without L: a note is a sixteenth, so eight of them fill the bar.
    assert durations("X:1\nT:t\nM:2/4\nK:D\nABcd ABcd|ABcd ABcd|") == [Fraction(1, 2)] * 2


@pytest.mark.parametrize(
    "text, bar", [("6/8", Fraction(3, 4)), ("C", 1), ("C|", 1), ("3/4", Fraction(3, 4)), ("2+3/8", Fraction(5, 8))]
)
def test_meters(text, bar):
    assert parse_meter(text) == bar


@pytest.mark.parametrize("text", ["6/0", "x", "", "6-8", "0/4"])
def test_bad_meters_raise(text):
    with pytest.raises(ValueError, match="meter"):
        parse_meter(text)


def test_free_meter_and_unit_lengths():
    assert parse_meter("none") is None
    assert parse_unit_length("1/16") == Fraction(1, 16)
    with pytest.raises(ValueError, match="unit note length"):
        parse_unit_length("1/0")


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


# ------------------------------------------------------------------------------------------------ lengths and bars


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


def test_broken_rhythm_moves_length_between_the_two_notes():
    notes = read_body("X:1\nT:t\nM:2/4\nL:1/8\nK:C\nA>B c<d|A>>B c2|\n").notes
    eighths = [note.duration * 8 for note in notes]
    assert eighths[:5] == [Fraction(3, 2), Fraction(1, 2), Fraction(1, 2), Fraction(3, 2), Fraction(7, 4)]
    assert eighths[5:] == [Fraction(1, 4), 2]


def test_valid_tune_has_every_bar_right():
    reading = read_body(VALID)
    bars = check_bars(reading)
    # D is the pickup; dBG G2 (5/8) closes the section with it; the three bars between are checked.
    assert (bars.checked, bars.matching, bars.pickups, bars.closing) == (3, 3, 1, 1)
    assert bars.rate == 1.0


def test_wrong_bar_length_is_counted():
    bars = check_bars(read_body(HEADER + "GAB cBA|BGE D2|GAB cde|dBG G3|\n"))
    assert (bars.checked, bars.matching) == (4, 3)
    assert bars.rate == pytest.approx(0.75)


def test_pickup_is_not_checked_but_a_too_long_first_bar_is():
    assert check_bars(read_body(HEADER + "D|GAB cBA|BGE D3|\n")).checked == 2
    too_long = check_bars(read_body(HEADER + "GAB cBA D|GAB cBA|\n"))
    assert (too_long.checked, too_long.matching, too_long.pickups) == (2, 1, 0)


def test_short_last_bar_counts_only_when_it_completes_a_pickup():
    # dBG G2 is 5/8: with a 1/8 pickup it closes the tune; without one it is a short bar.
    assert check_bars(read_body(HEADER + "D|GAB cBA|dBG G2|\n")).rate == 1.0
    assert check_bars(read_body(HEADER + "GAB cBA|dBG G2|\n")).rate == 0.5


def test_pickup_of_a_second_section():
    abc = HEADER + "GAB cBA|dBG G2:|\n|:d|gfe dcB|AGF G2:|\n"
    bars = check_bars(read_body(abc))
    assert (bars.checked, bars.matching, bars.pickups, bars.closing) == (2, 2, 1, 2)


@pytest.mark.parametrize("first, second", [("|1", ":|2"), ("|[1", ":|[2"), ("| [1", ":| [2")])
def test_first_and_second_endings(first, second):
    abc = HEADER + f"|:GAB cBA|BGE D3{first} GAB AGF{second} GAB G3||\n"
    bars = check_bars(read_body(abc))
    assert (bars.checked, bars.matching) == (4, 4)


def test_the_first_bar_of_an_ending_is_not_a_pickup():
    # GAB after :|2 starts a section but opens an ending: it is a short bar, not an anacrusis.
    abc = HEADER + "|:GAB cBA:|2 GAB|cBA GAB||\n"
    bars = check_bars(read_body(abc))
    assert (bars.checked, bars.matching, bars.pickups) == (3, 2, 0)


def test_a_tune_cut_at_the_maximum_length_ignores_its_last_unfinished_bar():
    abc = HEADER + "GAB cBA|BGE D3|GA"
    assert (check_bars(read_body(abc), finished=False).checked, check_bars(read_body(abc)).checked) == (2, 3)
    assert check_bars(read_body(abc), finished=False).rate == 1.0


def test_bars_split_over_lines_and_empty_bars():
    abc = HEADER + "GAB cBA|\n|BGE D3|\\\nGAB cBA|\n"
    assert durations(abc) == [Fraction(3, 4)] * 3


def test_no_meter_means_no_bar_check():
    bars = check_bars(read_body("X:1\nT:t\nM:none\nL:1/8\nK:G\nGAB|cBAG|"))
    assert bars.checked == 0 and bars.rate is None


def test_meter_change_in_the_body():
    abc = HEADER + "GAB cBA|\nM:3/4\nGABc BA|[M:2/4]GABc|\n"
    assert check_bars(read_body(abc)).rate == 1.0


# ------------------------------------------------------------------------------------------------ repeats


@pytest.mark.parametrize(
    "barlines, problems",
    [
        (["|:", "|", ":|"], 0),
        (["|", ":|"], 0),  # implicit start repeat at the beginning
        (["|", ":|", "|", ":|"], 0),  # A :| B :| repeats each part
        (["|:", "::", ":|"], 0),
        (["|:", "|", ":|", "|:", "|", ":|2", "||"], 0),
        (["|:", "|", "|"], 1),  # never closed
        (["|:", "|:", ":|"], 1),  # a second start before the end
        (["|:", "::", "|"], 1),
    ],
)
def test_repeat_balance(barlines, problems):
    assert repeat_problems(barlines) == problems


def test_unbalanced_repeats_in_a_tune():
    assert not check_tune(HEADER + "|:GAB cBA|BGE D3|\n|:GAB cBA|BGE D3:|\n", parsers=()).repeats_balanced
    assert check_tune(VALID, parsers=()).repeats_balanced


# ------------------------------------------------------------------------------------------------ pitches


def test_pitches_follow_key_signature_accidentals_octaves_and_ties():
    notes = read_body("X:1\nT:t\nM:C\nL:1/8\nK:D\nFf^fc=c C,c'|F A2-A2 z|\n").notes
    assert [note.pitch for note in notes] == [66, 78, 78, 73, 72, 49, 85, 66, 69, None]
    assert notes[-2].duration == Fraction(1, 2)  # A2-A2 is one tied note


def test_accidentals_last_until_the_bar_line():
    pitches = [note.pitch for note in read_body("X:1\nT:t\nM:C\nL:1/8\nK:C\n^FF|F|\n").notes]
    assert pitches == [66, 66, 65]


def test_music_statistics():
    stats = music_statistics(read_body("X:1\nT:t\nM:C\nL:1/8\nK:C\nCEG c4 z|\n").notes)
    assert (stats.notes, stats.lowest, stats.highest, stats.pitch_range) == (4, 60, 72, 12)
    assert stats.pitch_classes == Counter({"C": 2, "E": 1, "G": 1})
    assert stats.durations == Counter({"1/8": 3, "1/2": 1})
    assert stats.intervals == Counter({4: 1, 3: 1, 5: 1})


def test_random_text_never_raises():
    rng = random.Random(11)
    alphabet = "ABCDEFGabcdefgzxZ|:[]()<>-/123456789,'^_=\"!{}~.KLMTX \n"
    for _ in range(300):
        text = HEADER + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        result = check_tune(text, finished=rng.random() < 0.5, parsers=())
        assert result.bars.matching <= result.bars.checked


def test_garbage_is_counted_not_raised():
    result = check_tune("X:1\nT:?\nK:G\n$$ @@ ;; AB|", parsers=())
    assert result.unreadable == 6
    assert result.statistics.notes == 2


# ------------------------------------------------------------------------------------------------ real parsers


def test_music21_reads_a_valid_tune_and_rejects_garbage():
    assert quality.parse_music21(VALID).ok is True
    bad = quality.parse_music21("garbage $$ %% ((( ]]]")
    assert bad.ok is False and bad.message.startswith("music21")


def test_music21_time_limit():
    result = quality.parse_music21(VALID * 20, timeout_s=1e-6)
    assert result.ok is False and "longer than" in result.message


def test_abc2midi_reads_a_valid_tune_and_rejects_a_tune_without_key():
    assert quality.abc2midi_path() is not None, "abc2midi is missing: `make setup` installs Debian's abcmidi"
    assert quality.parse_abc2midi(VALID).ok is True
    missing_key = quality.parse_abc2midi("X:1\nT:Test\nM:6/8\nL:1/8\nGAB cBA|\n")
    assert missing_key.ok is False and "K:" in missing_key.message


def test_abc2midi_is_skipped_when_not_installed(monkeypatch):
    monkeypatch.setattr(quality, "abc2midi_path", lambda: None)
    assert quality.parse_abc2midi(VALID).ok is None
    assert check_tune(VALID, parsers=("abc2midi",)).row()["abc2midi_ok"] is None


# ------------------------------------------------------------------------------------------------ the whole tune


def test_check_tune_row_of_a_valid_tune():
    row = check_tune(VALID, parsers=("music21",)).row()
    assert row["header_ok"] and row["music21_ok"] and row["bars_ok"] and row["repeats_balanced"]
    assert row["abc2midi_ok"] is None  # not run
    assert (row["n_bars"], row["finished"], row["meter"], row["key"]) == (5, True, "6/8", "G")


def test_check_tune_of_an_unfinished_tune():
    result = check_tune(HEADER + "GAB cBA|BGE D3|GA", finished=False, parsers=())
    assert (result.finished, result.n_bars, result.bars_ok) == (False, 2, True)


def test_unknown_parser_is_refused():
    with pytest.raises(ValueError, match="unknown parsers"):
        check_tune(VALID, parsers=("abcm2ps",))
