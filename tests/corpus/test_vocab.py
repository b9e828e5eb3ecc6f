"""Characters <-> ids: built from training text, with one unknown symbol for anything unseen."""

import numpy as np
import pytest

from helpers.corpus.vocab import UNKNOWN, Vocabulary

TRAIN = "<start>\nX:1\nT:Tune\nK:G\nGAB cde|\n<end>\n"


def test_vocabulary_holds_each_training_character_once_after_the_unknown_symbol():
    vocab = Vocabulary.from_text(TRAIN)
    assert vocab.chars[0] == UNKNOWN
    assert set(vocab.chars[1:]) == set(TRAIN)
    assert vocab.size == len(set(TRAIN)) + 1


def test_vocabulary_does_not_depend_on_the_order_of_the_text():
    assert Vocabulary.from_text(TRAIN) == Vocabulary.from_text(TRAIN[::-1])


def test_encode_then_decode_gives_the_text_back():
    vocab = Vocabulary.from_text(TRAIN)
    ids = vocab.encode(TRAIN)
    assert ids.shape == (len(TRAIN),)
    assert 0 not in ids
    assert vocab.decode(ids) == TRAIN
    assert vocab.decode(ids.tolist()) == TRAIN


def test_unseen_characters_encode_to_the_unknown_id():
    vocab = Vocabulary.from_text(TRAIN)
    ids = vocab.encode("GZ\u00e9\x00A")
    assert ids.tolist() == [vocab.index["G"], 0, 0, 0, vocab.index["A"]]
    assert vocab.decode(ids) == f"G{UNKNOWN}{UNKNOWN}{UNKNOWN}A"


def test_unknown_characters_are_counted():
    vocab = Vocabulary.from_text(TRAIN)
    assert vocab.unknown_characters("GZZ\u00e9A") == {"Z": 2, "\u00e9": 1}
    assert not vocab.unknown_characters(TRAIN)


def test_save_and_load_give_the_same_vocabulary(tmp_path):
    vocab = Vocabulary.from_text(TRAIN + "\u00e9\"'\\")
    vocab.save(tmp_path / "vocab.json")
    loaded = Vocabulary.load(tmp_path / "vocab.json")
    assert loaded == vocab
    assert loaded.encode(TRAIN).tolist() == vocab.encode(TRAIN).tolist()


def test_empty_text_is_refused():
    with pytest.raises(ValueError, match="empty"):
        Vocabulary.from_text("")


@pytest.mark.parametrize("ids", [[-1], [0, 99], np.array([1, 2, 1000])])
def test_decode_refuses_ids_outside_the_vocabulary(ids):
    vocab = Vocabulary.from_text(TRAIN)
    with pytest.raises(ValueError, match="ids must lie in"):
        vocab.decode(ids)


def test_a_vocabulary_without_the_unknown_symbol_first_is_refused():
    with pytest.raises(ValueError, match="unknown symbol"):
        Vocabulary(("a", UNKNOWN))
    with pytest.raises(ValueError, match="unknown symbol"):
        Vocabulary((UNKNOWN, "a", "a"))
