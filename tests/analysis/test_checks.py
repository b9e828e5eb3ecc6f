"""Per-tune checks on small hand-written tunes whose answers are known."""

import random
from collections import Counter

import pytest

from helpers.abc.music import read_music
from helpers.analysis import checks as quality
from helpers.analysis.checks import (
    check_bars,
    check_header,
    check_tune,
    header_in_order,
    header_lines,
    music_statistics,
    repeat_problems,
)

HEADER = "X:1\nT:Test\nM:6/8\nL:1/8\nK:G\n"
# A jig with a pickup, a start repeat and a last bar that completes the pickup.
VALID = HEADER + "D|:GAB cBA|BGE D2D|GAB cde|dBG G2:|\n"


def bar_check(body: str, header: str = HEADER, finished: bool = True, lenient: bool = False) -> quality.BarCheck:
    return check_bars(read_music(header + body), finished, lenient)


# ------------------------------------------------------------------------------------------------ header


def test_valid_header():
    header = check_header(VALID)
    assert header.ok
    assert (header.meter, header.key) == ("6/8", "G")


def test_missing_key_fails_the_header():
    header = check_header("X:1\nT:Test\nM:6/8\nL:1/8\nGAB cBA|\n")
    assert not header.in_order and not header.key_ok and header.key is None and not header.ok


@pytest.mark.parametrize(
    "abc, failing",
    [
        ("T:Test\nX:1\nM:6/8\nL:1/8\nK:G\nGAB|", "in_order"),
        ("X:1\nM:6/8\nL:1/8\nK:G\nGAB|", "in_order"),
        ("X:1\nT:Test\nL:1/8\nK:G\nGAB|", "in_order"),
        ("X:1\nT:Test\nM:6/q\nL:1/8\nK:G\nGAB|", "meter_ok"),
        ("X:1\nT:Test\nM:6/8\nL:eighth\nK:G\nGAB|", "unit_length_ok"),
        ("X:1\nT:Test\nM:6/8\nL:1/8\nK:Hx\nGAB|", "key_ok"),
        ("X:1\nT:Test\nM:6/8\nL:1/8\nK:Bn\nGAB|", "key_ok"),
        ("X:1\nT:Test\nM:6/8\nGAB cBA|\nL:1/8\nK:G\nGAB|", "in_order"),
    ],
)
def test_each_header_fault_is_named(abc, failing):
    header = check_header(abc)
    assert not header.ok
    assert getattr(header, failing) is False


def test_key_must_come_last_in_the_header():
    # A meter after K: belongs to the body, so the header itself has none.
    header = check_header("X:1\nT:Test\nK:G\nM:6/8\nGAB cBA|")
    assert header.meter is None and not header.in_order and not header.ok


def test_missing_unit_length_is_allowed():
    assert check_header("X:1\nT:Test\nM:6/8\nK:G\nGAB|").ok


def test_header_lines_are_the_fields_up_to_the_key_without_comments():
    abc = "X:1\n% a comment\nT:Test\nM:6/8\nnot a field\n\nK:G % the key\nGAB|\nK:D\n"
    assert header_lines(abc) == [("X", "1"), ("T", "Test"), ("M", "6/8"), None, ("K", "G")]


@pytest.mark.parametrize(
    "fields, in_order",
    [
        ([("X", "1"), ("T", "A"), ("M", "6/8"), ("L", "1/8"), ("K", "G")], True),
        ([("X", "1"), ("M", "6/8"), ("T", "A"), ("R", "jig"), ("T", "B"), ("K", "G")], True),
        ([], False),
        ([("T", "A"), ("X", "1"), ("M", "6/8"), ("K", "G")], False),
        ([("X", "1"), ("T", "A"), ("M", "6/8"), ("K", "G"), ("L", "1/8")], False),
        ([("X", "1"), ("T", "A"), None, ("M", "6/8"), ("K", "G")], False),
        ([("X", "1"), ("M", "6/8"), ("K", "G")], False),
    ],
)
def test_header_in_order(fields, in_order):
    assert header_in_order(fields) is in_order


# ------------------------------------------------------------------------------------------------ bars


def test_valid_tune_has_every_bar_right():
    bars = check_bars(read_music(VALID))
    # D is the pickup; dBG G2 (5/8) closes the section with it; the three bars between are checked.
    assert (bars.checked, bars.matching, bars.pickups, bars.closing) == (3, 3, 1, 1)
    assert bars.rate == 1.0


def test_wrong_bar_length_is_counted():
    bars = bar_check("GAB cBA|BGE D2|GAB cde|dBG G3|\n")
    assert (bars.checked, bars.matching) == (4, 3)
    assert bars.rate == pytest.approx(0.75)


def test_the_first_bar_of_the_tune_may_be_a_pickup_but_not_a_too_long_one():
    assert (bar_check("D|GAB cBA|BGE D3|\n").checked, bar_check("D|GAB cBA|BGE D3|\n").pickups) == (2, 1)
    too_long = bar_check("GAB cBA D|GAB cBA|\n")
    assert (too_long.checked, too_long.matching, too_long.pickups) == (2, 1, 0)


@pytest.mark.parametrize("opening", ["|:", "||", "[|", "::", ":|"])
def test_the_first_bar_of_a_section_may_be_a_pickup(opening):
    bars = bar_check(f"|:GAB cBA|BGE D3:|{opening}d|gfe dcB|AGF G3|]\n")
    assert (bars.checked, bars.matching, bars.pickups) == (4, 4, 1)


def test_a_short_bar_after_a_plain_bar_line_is_wrong():
    assert bar_check("GAB cBA|d|gfe dcB|\n").rate == pytest.approx(2 / 3)


def test_a_pickup_must_lead_into_its_section():
    # d alone between :| and :| is a whole repeated part one eighth long, not a pickup; the old rule passed it.
    body = "|:GAB cBA|BGE D3:|d:|gfe dcB|]\n"
    assert bar_check(body).rate == 0.75 and bar_check(body, lenient=True).rate == 1.0
    assert bar_check("D|:GAB cBA|BGE D3|]\n").rate == 1.0  # a pickup before |: leads into the repeat


def test_short_last_bar_passes_only_when_it_completes_the_pickup():
    # dBG G2 is 5/8: with a 1/8 pickup it closes the tune; without one it is a short bar.
    assert bar_check("D|GAB cBA|dBG G2|\n").rate == 1.0
    assert bar_check("GAB cBA|dBG G2|\n").rate == 0.5
    # A 2/8 pickup needs a 4/8 closing bar; 5/8 does not complete it.
    assert bar_check("DE|GAB cBA|dBG G2|\n").rate == 0.5
    assert bar_check("DE|GAB cBA|dBG G|\n").rate == 1.0


def test_the_closing_bar_completes_the_pickup_of_its_own_section_not_any_pickup():
    # AGF G2 (5/8) would complete the first section's pickup D, but the second section began with dB (2/8).
    body = "D|:GAB cBA|dBG G2:|\n|:dB|gfe dcB|AGF G2:|\n"
    assert bar_check(body).rate == pytest.approx(2 / 3) and bar_check(body, lenient=True).rate == 1.0
    assert bar_check(body.replace("AGF G2", "AGF G")).rate == 1.0


def test_a_section_without_pickup_may_not_close_short():
    # dBG G2 makes a whole bar only with the pickup of the next section: the old rule let it pass.
    body = "GAB cBA|dBG G2:|\n|:d|gfe dcB|AGF G2:|\n"
    assert (bar_check(body).checked, bar_check(body).matching, bar_check(body).closing) == (3, 2, 1)
    lenient = bar_check(body, lenient=True)
    assert (lenient.checked, lenient.matching, lenient.pickups, lenient.closing) == (2, 2, 1, 2)


def test_sections_of_one_short_bar_between_repeat_signs_are_wrong():
    body = "AB::A::B::GAB cBA|\n"  # three of four bars are short: the old rule passed them all
    assert bar_check(body).rate == 0.25
    assert bar_check(body, lenient=True).rate == 1.0


@pytest.mark.parametrize("first, second", [("|1", ":|2"), ("|[1", ":|[2"), ("| [1", ":| [2")])
def test_first_and_second_endings(first, second):
    bars = bar_check(f"|:GAB cBA|BGE D3{first} GAB AGF{second} GAB G3||\n")
    assert (bars.checked, bars.matching) == (4, 4)


def test_endings_close_with_the_pickup_of_their_section():
    # Both endings end short (5/8) and complete the pickup D; a 4/8 ending does not.
    assert bar_check("D|:GAB cBA|1 dBG G2:|2 dBG G2||\n").rate == 1.0
    assert bar_check("D|:GAB cBA|1 dBG G2:|2 dBG G||\n").rate == 0.5
    assert bar_check("|:GAB cBA|1 dBG G2:|2 dBG G2||\n").rate == pytest.approx(1 / 3)


def test_the_first_bar_of_an_ending_is_not_a_pickup():
    # GAB after :|2 opens an ending: it is a short bar, not an anacrusis.
    bars = bar_check("|:GAB cBA:|2 GAB|cBA GAB||\n")
    assert (bars.checked, bars.matching, bars.pickups) == (3, 2, 0)


def test_a_tune_cut_at_the_maximum_length_ignores_its_last_unfinished_bar():
    body = "GAB cBA|BGE D3|GA"
    assert (bar_check(body, finished=False).checked, bar_check(body).checked) == (2, 3)
    assert bar_check(body, finished=False).rate == 1.0


def test_compound_meter_tuplets_in_the_bar_check():
    # (5ABcde is 3/8 in 6/8 (the old reader, which read 6/8 as 3/4, made it 1/4).
    assert bar_check("(5ABcde G2A|(3:2:3ABc d2e f|\n").rate == 1.0


def test_no_meter_means_no_bar_check():
    bars = bar_check("GAB|cBAG|", header="X:1\nT:t\nM:none\nL:1/8\nK:G\n")
    assert bars.checked == 0 and bars.rate is None


def test_meter_change_in_the_body():
    assert bar_check("GAB cBA|\nM:3/4\nGABc BA|[M:2/4]GABc|\n").rate == 1.0


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


def test_music_statistics():
    stats = music_statistics(read_music("X:1\nT:t\nM:C\nL:1/8\nK:C\nCEG c4 z|\n").notes)
    assert (stats.notes, stats.lowest, stats.highest, stats.pitch_range) == (4, 60, 72, 12)
    assert stats.pitch_classes == Counter({"C": 2, "E": 1, "G": 1})
    assert stats.durations == Counter({"1/8": 3, "1/2": 1})
    assert stats.intervals == Counter({4: 1, 3: 1, 5: 1})


def random_texts(seed: int, n: int) -> list[str]:
    """ABC-like noise, non-ASCII text and random bytes decoded as text, with and without a header."""
    rng = random.Random(seed)
    alphabet = "ABCDEFGabcdefgzxZ|:[]()<>-/123456789,'^_=\"!{}~.+%\\KLMTX \n\téü€\x00"
    texts = ["", "\n", "K:", "X:1\nK:G\n[K:", "\u00e9t\u00e9 \u266b|"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))) for _ in range(n)]
    texts += [bytes(rng.randrange(256) for _ in range(100)).decode("latin-1") for _ in range(n // 4)]
    return texts + [HEADER + text for text in texts]


def test_random_text_never_raises():
    for text in random_texts(seed=11, n=200):
        result = check_tune(text, finished=len(text) % 2 == 0, parsers=())
        assert result.bars.matching <= result.bars.checked
        assert isinstance(result.row(), dict)


@pytest.mark.slow
def test_random_text_never_raises_in_the_real_parsers():
    for text in random_texts(seed=12, n=4):
        result = check_tune(text)
        assert result.music21.ok in (True, False, None) and result.abc2midi.ok in (True, False, None)


def test_garbage_is_counted_not_raised():
    result = check_tune("X:1\nT:?\nK:G\n$$ @@ ;; AB|", parsers=())
    assert result.unreadable == 6
    assert result.statistics.notes == 2


# ------------------------------------------------------------------------------------------------ real parsers


def test_music21_reads_a_valid_tune_and_rejects_garbage():
    assert quality.parse_music21(VALID).ok is True
    bad = quality.parse_music21("garbage $$ %% ((( ]]]")
    assert bad.ok is False and bad.message.startswith("music21")


def test_a_time_limit_is_not_invalidity():
    result = quality.parse_music21(VALID * 20, timeout_s=1e-6)
    assert result.ok is None and result.timed_out and "not checked (time limit)" in result.message
    long_tune = HEADER + "GAB cBA|" * 1000 + "\n"
    quality_row = check_tune(long_tune, parsers=()).row()
    assert quality_row["bars_ok"] and not quality_row["music21_time_limit"]


def test_abc2midi_reports_bar_lengths_it_disagrees_with():
    wrong = quality.parse_abc2midi(HEADER + "GAB cBA|GAB c|GAB cBA|\n")
    assert len(wrong.bar_warnings) == 1 and "time units" in wrong.bar_warnings[0]
    # abc2midi also complains when it plays a repeat after a pickup; only bars as written count.
    assert quality.parse_abc2midi(VALID).bar_warnings == ()


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


def test_one_parser_name_as_a_string_is_refused_not_split_into_letters():
    with pytest.raises(TypeError, match="'music21'"):
        check_tune(VALID, parsers="music21")
