"""The form of a tune: parts between repeat signs and double bars, bars per part, and whether it ends on the tonic."""

import pytest

from helpers.analysis.form import Part, TuneForm, hand_reading, key_tonic, tune_form
from helpers.report import quality_section

HEADER = "X:1\nT:Test\nM:C|\nL:1/8\nK:D\n"
REEL_A = "d2fd AdFA|dfaf gefe|d2fd AdFA|BGAF D4|d2fd AdFA|dfaf gefe|d2fd AdFA|BGAF D4"
REEL_B = "faaf gbbg|faaf gefe|faaf gbbg|fdec d4|faaf gbbg|faaf gefe|afge fded|BGAF D4"
# A jig in G with pickups: D before the first part, B at the start of the second; each part ends on a short bar.
JIG = (
    "X:2\nT:Pickup Jig\nM:6/8\nL:1/8\nK:G\n"
    "D|:GAB cBA|BGE D2D|GAB cde|dBG GAB|GAB cBA|BGE D2D|GAB cde|dBG G2:|\n"
    "|:B|dBG G2d|e3 f3|gfe dBG|ABA A2B|dBG G2d|e3 f3|gfe dBA|G3 G2:|\n"
)
# Each part has a first and a second ending; one pass is 7 bars and an ending.
ENDINGS = (
    HEADER + "|:d2fd AdFA|dfaf gefe|d2fd AdFA|BGAF D4|d2fd AdFA|dfaf gefe|d2fd AdFA|1 BGAF D4:|2 BGAF D2FA||\n"
    "|:faaf gbbg|faaf gefe|faaf gbbg|fdec d4|faaf gbbg|faaf gefe|afge fded|[1 BGAF D4:|[2 BGAF D4|]\n"
)


def test_an_aabb_reel():
    form = tune_form(f"{HEADER}|:{REEL_A}:|\n|:{REEL_B}:|\n")
    assert form.parts == (Part(8, True), Part(8, True))
    assert form.label == "AABB" and form.aabb and form.eight_bar_parts
    assert form.row() == {
        "parts": 2,
        "bars_per_part_mean": 8.0,
        "aabb": True,
        "eight_bar_parts": True,
        "standard_parts": True,
        "ends_on_tonic": True,
    }


def test_a_double_repeat_sign_closes_one_part_and_opens_the_next():
    assert tune_form(f"{HEADER}|:{REEL_A}::{REEL_B}:|\n").label == "AABB"


def test_pickups_do_not_count_and_the_closing_short_bar_does():
    form = tune_form(JIG)
    assert form.bars_per_part == (8, 8)
    assert form.aabb and form.eight_bar_parts


def test_first_and_second_endings_belong_to_their_part():
    form = tune_form(ENDINGS)
    assert form.parts == (Part(8, True), Part(8, True))
    assert form.label == "AABB"


def test_unrepeated_parts():
    form = tune_form(f"{HEADER}{REEL_A}||\n{REEL_B}|]\n")
    assert form.label == "AB" and not form.aabb
    assert form.eight_bar_parts
    assert tune_form(f"{HEADER}|:{REEL_A}:|\n{REEL_B}|]\n").label == "AAB"
    assert tune_form(f"{HEADER}{REEL_A}|{REEL_B}|]\n").label == "A"  # no section boundary: one part of 16 bars


def test_parts_that_are_not_eight_bars():
    half = "|".join(REEL_A.split("|")[:4])
    form = tune_form(f"{HEADER}|:{half}:|\n|:{REEL_B}:|\n")
    assert form.bars_per_part == (4, 8)
    assert form.aabb and not form.eight_bar_parts and not form.standard_parts
    assert form.row()["bars_per_part_mean"] == 6.0
    long_part = tune_form(f"{HEADER}{REEL_A}|{REEL_B}|]\n")
    assert long_part.bars_per_part == (16,) and long_part.standard_parts and not long_part.eight_bar_parts


def test_ends_on_the_tonic():
    assert tune_form(JIG).ends_on_tonic is True  # G major, last note G
    assert tune_form(JIG.replace("G3 G2:|", "G3 D2:|")).ends_on_tonic is False  # ... last note D
    dorian = "X:3\nT:Dorian\nM:C|\nL:1/8\nK:Ador\nEAAG A2Bd|eaag edBA|\n"
    assert tune_form(dorian).ends_on_tonic is True
    assert tune_form(dorian.replace("edBA|", "edBG|")).ends_on_tonic is False


def test_ends_on_tonic_is_unknown_without_tonic_or_notes():
    assert tune_form("X:1\nT:t\nM:C\nL:1/8\nK:none\nGABc|\n").ends_on_tonic is None
    empty = tune_form("X:1\nT:t\nM:C\nL:1/8\nK:G\n")
    assert empty.ends_on_tonic is None
    assert empty.parts == () and empty.label == "" and not empty.aabb and not empty.eight_bar_parts
    assert not empty.standard_parts
    assert empty.row()["bars_per_part_mean"] is None


@pytest.mark.parametrize(
    ("key", "tonic"),
    [("G", 7), ("D", 2), ("Ador", 9), ("Bbmix", 10), ("F#m", 6), ("Eb", 3), ("C", 0), ("none", None), ("HP", None)],
)
def test_key_tonic(key, tonic):
    assert key_tonic(key) == tonic


def test_an_unreadable_key_has_no_tonic():
    assert key_tonic("Gxyz") is None
    assert key_tonic("H") is None


def test_form_label_doubles_repeated_parts_only():
    assert TuneForm((Part(8, False), Part(8, True), Part(4, False)), None).label == "ABBC"


def test_bad_input_is_refused():
    with pytest.raises(TypeError, match="expected the ABC text of a tune as a str, got bytes"):
        tune_form(b"X:1\nK:G\nGABc|\n")
    with pytest.raises(TypeError, match="K: field value as a str, got int"):
        key_tonic(7)


def test_the_hand_reading_finds_every_tune_it_names_and_measures_each():
    read = hand_reading()
    assert len(read) == 20 and len({(tune.source, tune.title) for tune in read}) == 20
    for tune in read:
        assert set(tune.label) <= set("ABCDEFGHIJKLMNOPQ") and len(tune.bars) == len(set(tune.label))
        assert tune.label_agrees == (tune.measured.label == tune.label)
        assert tune.bars_agree == (tune.measured.bars_per_part == tune.bars)
        assert tune.label_agrees and tune.bars_agree or tune.note, f"{tune.title}: a disagreement without a note"
    text = quality_section.form_reading_text(read)
    agreeing = sum(tune.label_agrees and tune.bars_agree for tune in read)
    assert f"on both for {agreeing}." in text and "\\label{tab:form_reading}" in text
    assert "& 8$\\times$4 17 16 16 4$\\times$10 &" in text  # The Fox Chase's bars, runs shortened


def test_a_hand_reading_that_names_no_packaged_tune_is_refused(tmp_path):
    reading = tmp_path / "reading.csv"
    reading.write_text("source,X,title,label,bars,note\noneills1850,570,No Such Tune,AABB,8 8,\n")
    with pytest.raises(ValueError, match="0 tunes of oneills1850 have X:570 and T:No Such Tune"):
        hand_reading(reading)
    reading.write_text('source,X,title,label,bars,note\noneills1850,570,"Irish Hautboy., The",AABB,8 8,\n')
    (wrong,) = hand_reading(reading)
    assert not wrong.label_agrees and not wrong.bars_agree  # the measure reads AAB with parts of 4 and 8 bars
    assert "on both for 0. Where they differ: Irish Hautboy., The" in quality_section.form_reading_text([wrong])
