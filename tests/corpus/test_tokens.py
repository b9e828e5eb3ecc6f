"""Tokens of ABC text: they give the text back exactly, on every tune of two collections, and a vocabulary of them."""

import json

import numpy as np
import pytest

from helpers.corpus.clean import clean_tunes
from helpers.corpus.load import load_collections
from helpers.corpus.split import to_records
from helpers.corpus.tokens import tokenize
from helpers.corpus.vocab import KIND, UNKNOWN, TokenVocabulary, Vocabulary

HEADER = "X: 12\nT:Kesh\nM:6/8\nL:1/8\nR:jig\nK:G\n"
HEADER_TOKENS = ["X:", " ", "1", "2", "\n", "T:", "K", "e", "s", "h", "\n", "M:6/8", "\n", "L:1/8", "\n"]
HEADER_TOKENS += ["R:jig", "\n", "K:G", "\n"]
RECORDS = f"<start>\n{HEADER}|:^c'3/2 =F,/2 B z2|[CEG]2 (3ABc:|\n<end>\n<start>\n{HEADER}GAB c2d|]\n<end>\n"


def round_trip_failures(tokenizer, texts: list[str]) -> list[str]:
    """Where the joined tokens of each text first differ from it: one line per text that does not come back."""
    failures = []
    for number, text in enumerate(texts):
        joined = "".join(tokenizer(text))
        if joined != text:
            where = next((i for i, (a, b) in enumerate(zip(joined, text, strict=False)) if a != b), len(joined))
            failures.append(
                f"text {number} at character {where}: {text[where : where + 20]!r} became "
                f"{joined[where : where + 20]!r}"
            )
    return failures


@pytest.fixture(scope="module")
def oneills_tunes():
    """The cleaned tunes of O'Neill's 1850 collection."""
    return clean_tunes(load_collections(["oneills1850"]))[0]


@pytest.fixture(scope="module")
def ryans_records():
    """The whole cleaned record text of Ryan's Mammoth collection."""
    return to_records(clean_tunes(load_collections(["ryansMammoth"]))[0])


# ------------------------------------------------------------------------------------------------ tokenize


@pytest.mark.parametrize(
    "body, expected",
    [
        ("^c'3/2 =F,/2 B z2", ["^c'", "3/2", " ", "=F,", "/2", " ", "B", " ", "z", "2"]),
        ("|:GA|1B:|2c||d|]", ["|:", "G", "A", "|", "1", "B", ":|", "2", "c", "||", "d", "|]"]),
        ("[1 A:|[2 B::", ["[1", " ", "A", ":|", "[2", " ", "B", "::"]),
        ("[CEG]2 {/g}A (3ABc", ["[", "C", "E", "G", "]", "2", " ", "{", "/", "g", "}", "A", " ", "(3", "A", "B", "c"]),
        ('"Am"d !trill!e ~f', ['"Am"', "d", " ", "!trill!", "e", " ", "~", "f"]),
        ("G$A % odd", ["G", "$", "A", " ", "%", " ", "o", "d", "d"]),
        (
            "AB   |\nT:Part 2\nM:3/4\ncd",
            ["A", "B", "   ", "|", "\n", "T:", "P", "a", "r", "t", " ", "2", "\n"] + ["M:3/4", "\n", "c", "d"],
        ),
    ],
)
def test_a_tune_is_cut_into_notes_lengths_bar_lines_and_header_tokens(body, expected):
    assert tokenize(HEADER + body) == HEADER_TOKENS + expected


def test_records_keep_their_markers_and_line_breaks_as_tokens():
    tokens = tokenize(RECORDS)
    assert tokens[:2] == ["<start>", "\n"] and tokens[-2:] == ["<end>", "\n"]
    assert tokens.count("<start>") == tokens.count("<end>") == 2
    assert "".join(tokens) == RECORDS
    assert tokenize("<end>") == ["<end>"] and tokenize("") == []


def test_each_record_is_cut_the_same_alone_as_in_the_whole_text():
    first, second = RECORDS.split("<end>\n", 1)
    assert tokenize(RECORDS) == tokenize(first + "<end>\n") + tokenize(second)


def test_tokenize_refuses_what_is_not_text():
    with pytest.raises(TypeError, match="str"):
        tokenize(b"<start>\n")


@pytest.mark.untraced
def test_every_tune_of_oneills_comes_back_exactly(oneills_tunes):
    assert len(oneills_tunes) > 1500
    records = [to_records([tune]) for tune in oneills_tunes]
    assert round_trip_failures(tokenize, records) == []


@pytest.mark.untraced
def test_the_whole_of_ryans_mammoth_comes_back_exactly(ryans_records):
    assert ryans_records.count("<start>") > 900
    assert round_trip_failures(tokenize, [ryans_records]) == []


def test_the_round_trip_check_catches_a_tokenizer_that_drops_spaces():
    def without_spaces(text):
        return [token for token in tokenize(text) if not token.isspace() or token == "\n"]

    failures = round_trip_failures(without_spaces, [RECORDS, "<start>\nK:G\nGAB\n<end>\n"])
    assert len(failures) == 1 and failures[0].startswith("text 0 at character")


# ------------------------------------------------------------------------------------------------ vocabulary

TRAIN = RECORDS + RECORDS + RECORDS  # every token three times


def test_vocabulary_holds_frequent_tokens_and_every_character_after_the_unknown_symbol():
    vocab = TokenVocabulary.from_text(TRAIN)
    assert vocab.chars[0] == UNKNOWN and vocab.symbols == vocab.chars
    assert set(TRAIN) <= set(vocab.chars)
    assert {"<start>", "<end>", "M:6/8", "K:G", "^c'", "3/2", "|:", ":|", "(3", "|]"} <= set(vocab.chars)
    assert "T:" in vocab.chars and "Kesh" not in vocab.chars  # titles are read character by character
    assert vocab == TokenVocabulary.from_text(RECORDS, min_count=1)


def test_tokens_seen_fewer_than_min_count_times_are_read_as_their_characters():
    text = TRAIN + "<start>\nK:G\n_B,4|\n<end>\n"
    assert "_B," not in TokenVocabulary.from_text(text).chars
    assert "_B," in TokenVocabulary.from_text(text, min_count=1).chars
    vocab = TokenVocabulary.from_text(text)
    assert vocab.to_symbols("_B,4")[:3] == ["_", "B", ","]
    assert vocab.decode(vocab.encode(text)) == text and 0 not in vocab.encode(text)


def test_encode_then_decode_gives_the_text_back():
    vocab = TokenVocabulary.from_text(TRAIN)
    ids = vocab.encode(RECORDS)
    assert ids.dtype == np.int32 and ids.shape == (len(tokenize(RECORDS)),) and 0 not in ids
    assert vocab.decode(ids) == RECORDS and vocab.decode(ids.tolist()) == RECORDS
    assert len(vocab.encode("<end>")) == 1 and len(vocab.encode("<start>\n")) == 2


def test_held_out_tunes_of_oneills_encode_without_loss(oneills_tunes):
    train, held_out = to_records(oneills_tunes[:1500]), to_records(oneills_tunes[1500:])
    vocab = TokenVocabulary.from_text(train)
    assert 100 <= vocab.size <= 300
    ids = vocab.encode(held_out)
    unknown = vocab.unknown_characters(held_out)
    assert (ids == 0).sum() == sum(unknown.values())
    assert vocab.decode(ids) == "".join(UNKNOWN if char in unknown else char for char in held_out)


def test_unseen_tokens_become_characters_and_unseen_characters_the_unknown_id():
    vocab = TokenVocabulary.from_text(TRAIN)
    assert "^g" not in vocab.chars and "g" in vocab.chars
    ids = vocab.encode("^gQ\u00e9A")
    assert ids.tolist() == [vocab.index["^"], vocab.index["g"], 0, 0, vocab.index["A"]]
    assert vocab.unknown_characters("^gQQ\u00e9A") == {"Q": 2, "\u00e9": 1}
    assert not vocab.unknown_characters(RECORDS)
    assert vocab.decode(ids) == f"^g{UNKNOWN}{UNKNOWN}A"


def test_save_and_load_keep_the_kind(tmp_path):
    vocab = TokenVocabulary.from_text(TRAIN)
    vocab.save(tmp_path / "vocab.json")
    assert json.loads((tmp_path / "vocab.json").read_text(encoding="utf-8"))["kind"] == KIND
    loaded = Vocabulary.load(tmp_path / "vocab.json")
    assert type(loaded) is TokenVocabulary and loaded == vocab
    assert loaded.encode(RECORDS).tolist() == vocab.encode(RECORDS).tolist()
    Vocabulary.from_text(TRAIN).save(tmp_path / "chars.json")
    assert type(Vocabulary.load(tmp_path / "chars.json")) is Vocabulary
    assert type(TokenVocabulary.load(tmp_path / "chars.json")) is Vocabulary  # the file decides, not the class


def test_a_vocabulary_file_of_an_unknown_kind_is_refused(tmp_path):
    (tmp_path / "vocab.json").write_text(json.dumps({"kind": "words", "chars": [UNKNOWN, "a"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="kind 'words'"):
        Vocabulary.load(tmp_path / "vocab.json")


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: TokenVocabulary.from_text(""), "empty"),
        (lambda: TokenVocabulary.from_text(TRAIN, min_count=0), "min_count"),
        (lambda: TokenVocabulary((UNKNOWN, "a", "")), "non-empty str"),
        (lambda: TokenVocabulary(("a", UNKNOWN)), "unknown symbol"),
        (lambda: TokenVocabulary.from_text(TRAIN).decode([0, 10_000]), "ids must lie in"),
    ],
)
def test_bad_input_is_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()
