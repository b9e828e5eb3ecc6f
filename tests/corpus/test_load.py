"""Loading tunes: the user's .abc and <start>/<end> files, folders, music21's collections, and bad input."""

import os
import re
from pathlib import Path

import pytest

from helpers.corpus.load import (
    DANCE_COLLECTIONS,
    FOLK_COLLECTIONS,
    CorpusError,
    load_abc_path,
    load_collections,
    load_corpus,
)

FIRST = "X:1\nT:The First Reel\nM:4/4\nL:1/8\nK:D\nABcd efge|fdec d4|"
SECOND = "X:2\nT:The Second Jig\nM:6/8\nK:G\nGAB cBA|BAG E3|"


def write(path: Path, text: str) -> Path:
    """A UTF-8 text file made for one test."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- the two input formats ------------------------------------------------------------------------


def test_abc_file_gives_one_tune_per_x_field_and_skips_free_text_before_the_first(tmp_path):
    preamble = "My session tunes, typed in 2024.\nPlay them slowly.\n"
    path = write(tmp_path / "session.abc", f"{preamble}\n{FIRST}\n\n\n{SECOND}\n")
    tunes = load_abc_path(path)
    assert [tune.text for tune in tunes] == [FIRST, SECOND]
    assert {tune.source for tune in tunes} == {"session.abc"}


def test_free_text_just_above_an_x_field_is_not_part_of_the_tune(tmp_path):
    path = write(tmp_path / "notes.abc", f"From my teacher:\n{FIRST}\n\n{SECOND}\n")
    assert [tune.text for tune in load_abc_path(path)] == [FIRST, SECOND]


def test_an_x_field_starts_a_new_tune_even_without_a_blank_line(tmp_path):
    path = write(tmp_path / "packed.abc", f"{FIRST}\n{SECOND}\n")
    assert [tune.text for tune in load_abc_path(path)] == [FIRST, SECOND]


def test_record_file_gives_the_text_between_start_and_end(tmp_path):
    path = write(tmp_path / "records.txt", f"<start>\n{FIRST}\n<end>\n<start>\n{SECOND}\n<end>\n")
    tunes = load_abc_path(path)
    assert [tune.text for tune in tunes] == [FIRST, SECOND]
    assert {tune.source for tune in tunes} == {"records.txt"}


def test_folder_gives_the_tunes_of_every_abc_and_txt_file_below_it(tmp_path):
    write(tmp_path / "b.abc", f"{SECOND}\n")
    write(tmp_path / "nested" / "a.abc", f"{FIRST}\n")
    third = "X:3\nT:Third\nK:A\nabc|"
    write(tmp_path / "records.txt", f"<start>\n{third}\n<end>\n")
    write(tmp_path / "README.md", "X:9\nT:Not a tune file\nK:C\nCDE|\n")
    tunes = load_abc_path(tmp_path)
    assert len(tunes) == 3
    assert {(tune.source, tune.text) for tune in tunes} == {("a.abc", FIRST), ("b.abc", SECOND), ("records.txt", third)}


def test_crlf_line_endings_are_read_as_plain_newlines(tmp_path):
    path = tmp_path / "windows.abc"
    path.write_bytes(f"{FIRST}\n\n{SECOND}\n".replace("\n", "\r\n").encode())
    tunes = load_abc_path(path)
    assert [tune.text for tune in tunes] == [FIRST, SECOND]


def test_windows_1252_bytes_still_load(tmp_path):
    path = tmp_path / "cp1252.abc"
    path.write_bytes("X:1\nT:Caf\u00e9 na Sp\u00e9ire\nK:G\nGAB|\n".encode("cp1252"))
    (tune,) = load_abc_path(path)
    assert "T:Caf\u00e9 na Sp\u00e9ire" in tune.text


def test_utf8_file_with_a_byte_order_mark_keeps_its_first_tune(tmp_path):
    path = tmp_path / "notepad.abc"
    path.write_bytes(f"{FIRST}\n\n{SECOND}\n".encode("utf-8-sig"))
    assert [tune.text for tune in load_abc_path(path)] == [FIRST, SECOND]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_load(tmp_path, encoding):
    path = tmp_path / "notepad.abc"
    path.write_bytes("\ufeff".encode(encoding) + f"{FIRST}\n\n{SECOND}\n".encode(encoding))
    assert [tune.text for tune in load_abc_path(path)] == [FIRST, SECOND]


def test_utf16_file_with_a_broken_byte_order_mark_names_the_encoding(tmp_path):
    path = tmp_path / "cut.abc"
    path.write_bytes("\ufeffX:1\nK:G\n".encode("utf-16-le") + b"\x00\xdc")  # a lone low surrogate
    with pytest.raises(CorpusError, match="UTF-16-LE"):
        load_abc_path(path)


def test_utf16_file_without_a_byte_order_mark_is_refused_saying_what_was_tried(tmp_path):
    path = tmp_path / "no_mark.abc"
    path.write_bytes(f"{FIRST}\n".encode("utf-16-le"))
    with pytest.raises(CorpusError, match="byte-order mark") as raised:
        load_abc_path(path)
    assert "UTF-16-LE" in str(raised.value) and "UTF-8" in str(raised.value)


# --- bad input ------------------------------------------------------------------------------------


def test_corpus_error_is_a_value_error():
    assert issubclass(CorpusError, ValueError)


def test_missing_file_raises_file_not_found_naming_it(tmp_path):
    missing = tmp_path / "nowhere.abc"
    with pytest.raises(FileNotFoundError, match="nowhere.abc"):
        load_abc_path(missing)
    with pytest.raises(FileNotFoundError, match="nowhere.abc"):
        load_corpus(str(missing))


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"], ids=["no-bytes", "whitespace"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.abc"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match="empty"):
        load_abc_path(path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "tunes.abc"
    path.write_bytes(b"PK\x03\x04\x00\x00X:1\nK:G\n" + bytes(range(256)))
    with pytest.raises(CorpusError, match="binary"):
        load_abc_path(path)


def test_folder_without_tune_files_is_refused(tmp_path):
    write(tmp_path / "README.md", "no tunes here\n")
    with pytest.raises(CorpusError, match=r"no \.abc or \.txt files"):
        load_abc_path(tmp_path)


def test_record_file_whose_record_never_ends_is_refused_naming_the_start_line(tmp_path):
    path = write(tmp_path / "broken.txt", f"<start>\n{FIRST}\n")
    with pytest.raises(CorpusError, match=r"broken\.txt line 1: <start> without an <end>"):
        load_abc_path(path)


def test_text_file_without_x_fields_or_records_holds_no_tunes(tmp_path):
    path = write(tmp_path / "readme.txt", "These are my notes on the session.\nNothing to play here.\n")
    with pytest.raises(CorpusError, match="no tunes"):
        load_abc_path(path)


@pytest.mark.parametrize("spec", ["noSuchCollection", "miscFolk,noSuchCollection", "miscfolk"])
def test_unknown_collection_name_is_refused_naming_it(spec):
    with pytest.raises(CorpusError, match="unknown corpus") as raised:
        load_corpus(spec)
    assert spec.split(",")[-1] in str(raised.value)


def test_blank_corpus_names_are_refused():
    with pytest.raises(CorpusError, match="no collection names"):
        load_collections([])
    with pytest.raises(CorpusError, match="no collection names"):
        load_corpus(" , ")


@pytest.mark.parametrize("spec", [None, 42, ["miscFolk"]])
def test_a_spec_that_is_not_text_is_refused_naming_it(spec):
    with pytest.raises(TypeError, match=re.escape(repr(spec))):
        load_corpus(spec)


def test_load_collections_refuses_one_string_instead_of_a_list():
    with pytest.raises(TypeError, match="'miscFolk'"):
        load_collections("miscFolk")


def test_empty_spec_is_refused_rather_than_read_as_the_current_folder(tmp_path, monkeypatch):
    write(tmp_path / "stray.abc", f"{FIRST}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CorpusError):
        load_corpus("")


# --- music21's packaged collections and corpus specs ----------------------------------------------


def test_packaged_collection_gives_tunes_named_after_it():
    tunes = load_collections(["miscFolk"])
    assert len(tunes) > 0
    assert {tune.source for tune in tunes} == {"miscFolk"}
    assert all(tune.text.startswith("X:") for tune in tunes)


def test_spec_of_one_collection_matches_load_collections():
    assert load_corpus("miscFolk") == load_collections(["miscFolk"])


def test_spec_of_several_collections_gives_all_of_their_tunes():
    tunes = load_corpus("miscFolk, nottingham-dataset")
    sources = [tune.source for tune in tunes]
    assert set(sources) == {"miscFolk", "nottingham-dataset"}
    assert len(tunes) == len(load_collections(["miscFolk"])) + len(load_collections(["nottingham-dataset"]))


def test_spec_all_loads_every_collection():
    assert {tune.source for tune in load_corpus("all")} == set(FOLK_COLLECTIONS)


def test_dance_is_every_instrumental_collection_and_leaves_out_the_essen_songs():
    sources = [tune.source for tune in load_corpus("dance")]
    assert set(sources) == set(DANCE_COLLECTIONS) == set(FOLK_COLLECTIONS) - {"essenFolksong"}
    assert load_corpus("dance") == load_corpus(",".join(reversed(DANCE_COLLECTIONS))), "one order for one set"
    assert len(sources) > 4000


def test_all_with_a_named_collection_is_all_and_a_repeated_name_is_read_once():
    assert load_corpus("miscFolk,all") == load_collections(["all"])
    assert load_corpus("miscFolk, miscFolk") == load_collections(["miscFolk"])


def test_path_spec_loads_the_file(tmp_path):
    path = write(tmp_path / "mine.abc", f"{FIRST}\n\n{SECOND}\n")
    assert load_corpus(str(path)) == load_corpus(path) == load_abc_path(path)
    assert [tune.text for tune in load_corpus(str(tmp_path))] == [FIRST, SECOND]


# --- odd line breaks, stray delimiters and paths that are not files --------------------------------


@pytest.mark.parametrize(
    "newline", ["\r\r\n", "\r", "\u2028", "\u2029"], ids=["CR-CR-LF", "lone CR", "U+2028", "U+2029"]
)
def test_every_kind_of_line_break_reads_as_a_newline(tmp_path, newline):
    path = write(tmp_path / "odd.abc", f"{FIRST}\n\n{SECOND}\n".replace("\n", newline))
    assert [tune.text for tune in load_abc_path(path)] == [FIRST, SECOND]


def test_a_stray_start_line_in_an_abc_file_is_refused_with_its_line_number(tmp_path):
    path = write(tmp_path / "stray.abc", f"{FIRST}\n<start>\n\n{SECOND}\n")
    with pytest.raises(CorpusError, match=r"stray\.abc line 7: .*<start>"):
        load_abc_path(path)


def test_an_end_line_in_the_body_of_an_abc_tune_is_refused_with_its_line_number(tmp_path):
    path = write(tmp_path / "cut.abc", f"{FIRST}\n<end>\nfga|\n")
    with pytest.raises(CorpusError, match=r"cut\.abc line 7: .*<end>"):
        load_abc_path(path)


def test_text_after_an_end_line_of_a_record_file_is_refused_not_cut(tmp_path):
    path = write(tmp_path / "records.txt", f"<start>\n{FIRST}\n<end>\nfga|\n<end>\n")
    with pytest.raises(CorpusError, match=r"records\.txt line 9: .*outside"):
        load_abc_path(path)


def test_a_start_line_inside_an_open_record_is_refused_with_its_line_number(tmp_path):
    path = write(tmp_path / "nested.txt", f"<start>\n{FIRST}\n<start>\n{SECOND}\n<end>\n")
    with pytest.raises(CorpusError, match=r"nested\.txt line 8: .*<start>"):
        load_abc_path(path)


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_device_is_refused_as_not_a_regular_file(device):
    with pytest.raises(CorpusError, match=f"{device} is not a regular file"):
        load_corpus(device)


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "tunes.abc"
    os.mkfifo(fifo)
    with pytest.raises(CorpusError, match="tunes.abc is not a regular file"):
        load_corpus(str(fifo))
