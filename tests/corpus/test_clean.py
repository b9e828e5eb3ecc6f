"""Cleaning tunes before the model sees them: what is changed, what is dropped, and the report of it."""

import pytest

from helpers.corpus.clean import clean_tunes, same_music_key
from helpers.corpus.load import Tune, load_abc_path, load_collections

HEADER = "X:1\nT:The Kesh\nM:6/8\nL:1/8\nK:G"
BODY = "GAB AGE|GAB AGE|"


def clean_one(text: str, source: str = "test"):
    """The cleaned text of one tune (or None if dropped) and the report."""
    kept, report = clean_tunes([Tune(source, text)])
    return (kept[0].text if kept else None), report


def test_clean_tune_passes_through_unchanged():
    text, report = clean_one(f"{HEADER}\n{BODY}")
    assert text == f"{HEADER}\n{BODY}"
    assert (report.tunes_in, report.tunes_out) == (1, 1)
    assert not report.dropped


def test_crlf_files_reach_cleaning_without_carriage_returns(tmp_path):
    path = tmp_path / "windows.abc"
    path.write_bytes(f"{HEADER}\n{BODY}\n".replace("\n", "\r\n").encode())
    kept, report = clean_tunes(load_abc_path(path))
    assert kept[0].text == f"{HEADER}\n{BODY}"
    assert "\r" not in report.removed_chars


def test_accents_are_transliterated_and_counted():
    text, report = clean_one(f"X:1\nT:Caf\u00e9 \u00c9ire na n\u00d3g\nK:G\n{BODY}")
    assert "T:Cafe Eire na nOg" in text
    assert report.transliterated_chars == 3


def test_control_and_other_non_ascii_characters_are_removed_and_counted():
    text, report = clean_one(f"X:1\nT:Snow\u2603man\x07\nK:G\n{BODY}\x0c")
    assert "T:Snowman" in text
    assert all(" " <= char <= "~" for char in text.replace("\n", ""))
    assert report.removed_chars == {"\u2603": 1, "\x07": 1, "\x0c": 1}
    assert report.transliterated_chars == 0


def test_comment_lines_and_inline_comments_are_removed():
    text, report = clean_one(f"%abc-2.1\n{HEADER}\n% transcribed by ear\n{BODY} % second time slower")
    assert "%" not in text
    assert text == f"{HEADER}\n{BODY}"
    assert report.removed_comment_lines == 2


def test_only_music_fields_are_kept():
    text, report = clean_one(
        "X:1\nT:The Kesh\nZ:someone@example.org\nN:learned from a recording\nB:O'Neill's 1001\nM:6/8\nL:1/8\nK:G\n"
        f"{BODY}\nW:words after the tune"
    )
    kept_fields = [line[0] for line in text.split("\n") if line[1:2] == ":"]
    assert kept_fields == ["X", "T", "M", "L", "K"]
    assert report.removed_field_lines == {"Z": 1, "N": 1, "B": 1, "W": 1}


def test_tunes_without_music_are_dropped_with_their_reasons():
    tunes = [
        Tune("a", f"{HEADER}\n{BODY}"),
        Tune("a", "% only a comment\n%% and a directive"),
        Tune("a", "X:2\nT:No Key\nM:4/4\nABcd|"),
        Tune("a", "X:3\nT:Header Only\nM:4/4\nK:D"),
    ]
    kept, report = clean_tunes(tunes)
    assert [tune.text for tune in kept] == [f"{HEADER}\n{BODY}"]
    assert (report.tunes_in, report.tunes_out) == (4, 1)
    assert report.dropped == {"empty": 1, "no K: field, so no tune body can be found": 1, "header only, no notes": 1}


def test_copies_that_differ_only_in_x_are_dropped():
    tunes = [Tune("a", f"{HEADER}\n{BODY}"), Tune("b", f"{HEADER.replace('X:1', 'X:57')}\n{BODY}")]
    kept, report = clean_tunes(tunes)
    assert [tune.source for tune in kept] == ["a"]
    assert report.dropped == {"exact duplicate of an earlier tune": 1}


def test_second_transcription_from_the_same_source_is_dropped():
    other_body = "BAG GED|BAG G3|"
    tunes = [
        Tune("book", f"{HEADER}\n{BODY}"),
        Tune("book", f"{HEADER}\n{other_body}"),
        Tune("other book", f"{HEADER}\n{other_body}"),
    ]
    kept, report = clean_tunes(tunes)
    assert [(tune.source, tune.text) for tune in kept] == [
        ("book", f"{HEADER}\n{BODY}"),
        ("other book", f"{HEADER}\n{other_body}"),
    ]
    assert report.dropped == {"second transcription of a tune (same source, X: and T:)": 1}


def test_the_same_tune_in_another_collection_key_or_layout_is_dropped_and_counted():
    original = f"{HEADER}\n{BODY}"
    # Another collection's copy: other title and number, in A instead of G, unit length 1/16, other spacing.
    copy = "X:310\nT:Kesh Jig, The\nM:6/8\nL:1/16\nK:A\nA2B2c2 B2A2F2 | A2B2c2B2A2F2 |"
    changed_note = copy.replace("c2 B2", "d2 B2")
    changed_length = copy.replace("c2 B2", "c4 B2")
    kept, report = clean_tunes([Tune("book", original), Tune("other", copy), Tune("third", changed_note)])
    assert [tune.source for tune in kept] == ["book", "third"]
    assert report.dropped == {"the same notes as a tune of book (in any key, any title)": 1}
    kept, _ = clean_tunes([Tune("book", original), Tune("other", changed_length)])
    assert len(kept) == 2, "a rhythm that differs is another tune"


def test_the_music_key_of_a_tune_is_the_same_in_any_key_unit_length_or_title_and_differs_with_a_note():
    copy = "X:310\nT:Kesh Jig, The\nM:6/8\nL:1/16\nK:A\nA2B2c2 B2A2F2 | A2B2c2B2A2F2 |"
    assert same_music_key(f"{HEADER}\n{BODY}") == same_music_key(copy)
    assert same_music_key(f"{HEADER}\n{BODY}") != same_music_key(copy.replace("c2 B2", "d2 B2"))


@pytest.mark.untraced
def test_the_dance_corpus_keeps_one_copy_of_each_tune_across_collections():
    tunes = load_collections(["dance"])
    kept, report = clean_tunes(tunes)
    across = sum(count for reason, count in report.dropped.items() if reason.startswith("the same notes"))
    assert across > 0 and report.tunes_out == len(kept) == report.tunes_in - sum(report.dropped.values())
    assert len({same_music_key(tune.text) for tune in kept}) == len(kept)


def test_summary_names_every_drop_reason_and_the_counts():
    tunes = [
        Tune("a", f"{HEADER}\n{BODY}"),
        Tune("a", f"{HEADER}\n{BODY}"),
        Tune("a", "X:2\nT:No Key\nABcd|"),
        Tune("a", ""),
    ]
    kept, report = clean_tunes(tunes)
    summary = report.summary()
    assert "4 tunes read, 1 kept" in summary
    assert len(report.dropped) == 3
    for reason in report.dropped:
        assert reason in summary


def test_report_as_dict_matches_the_report():
    _, report = clean_one(f"%note\nX:1\nT:Caf\u00e9\u2603\nZ:me\nK:G\n{BODY}")
    assert report.to_dict() == {
        "tunes_in": 1,
        "tunes_out": 1,
        "dropped": {},
        "transliterated_chars": 1,
        "removed_chars": 1,
        "removed_comment_lines": 1,
        "removed_field_lines": {"Z": 1},
        "unreadable_fields": {},
    }


@pytest.mark.parametrize("field", ["M:0/4", "M:4/0", "L:1/0", "L:0", "L:abc"])
def test_an_unreadable_meter_or_unit_length_is_removed_and_counted_with_its_reason(field):
    text, report = clean_one(f"X:1\nT:The Kesh\n{field}\nK:G\n{BODY}")
    assert text == f"X:1\nT:The Kesh\nK:G\n{BODY}"
    [reason] = report.unreadable_fields
    assert reason.startswith(f"{field} (") and f"{field[2:]!r} is not" in reason
    assert field in report.summary()


def test_an_unreadable_inline_meter_is_removed_from_its_line_and_counted():
    text, report = clean_one(f"{HEADER}\nGAB [M:0/4] AGE|")
    assert text == f"{HEADER}\nGAB  AGE|"
    assert sum(report.unreadable_fields.values()) == 1


def test_a_readable_meter_and_unit_length_are_kept_untouched():
    text, report = clean_one("X:1\nT:t\nM:C|\nL:1/16\nK:G\nGAB [M:3/4] AGE|")
    assert text == "X:1\nT:t\nM:C|\nL:1/16\nK:G\nGAB [M:3/4] AGE|"
    assert not report.unreadable_fields
