"""What a model reads: the same split with keys as written or in C, as written or in the canonical notation, in
characters or tokens."""

import pytest

from helpers.corpus.load import Tune
from helpers.corpus.represent import make_vocabulary, model_data
from helpers.corpus.split import PreparedData, to_records
from helpers.corpus.vocab import TokenVocabulary, Vocabulary

IN_G = "X:1\nT:In G\nM:6/8\nL:1/8\nK:G\nGAB d2 f|]"
IN_A_DORIAN = "X:2\nT:In A dorian\nM:6/8\nL:1/8\nK:Ador\nABc e2 g|]"
NO_KEY = "X:3\nT:Keyless\nM:6/8\nL:1/8\nK:none\nABc e2 g|]"
DECORATED = 'X:4\nT:Decorated\nM:6/8\nL:1/8\nK:G\n"G"~GAB !trill!d2 f|]'


def prepared(test: list[str]) -> PreparedData:
    records = [to_records([Tune("t", text)]) for text in (IN_G, IN_A_DORIAN)]
    return PreparedData(records[0], records[1], to_records([Tune("t", text) for text in test]), {})


def test_as_written_is_the_prepared_text_itself():
    data = prepared([IN_G, NO_KEY])
    texts = model_data(data, "as written")
    assert (texts.train, texts.validation, texts.test) == (data.train, data.validation, data.test)
    assert texts.test_tunes == (IN_G, NO_KEY) and texts.test_index == (0, 1) and texts.dropped == {}


def test_in_c_moves_every_tune_and_leaves_out_a_keyless_test_tune_by_its_position():
    texts = model_data(prepared([NO_KEY, IN_A_DORIAN]), "in C")
    assert "K:C\ncde g2 b|]" in texts.train and "K:Cdor\ncde g2 b|]" in texts.validation
    assert texts.test_index == (1,) and texts.test_tunes == (
        IN_A_DORIAN.replace("K:Ador\nABc e2 g", "K:Cdor\ncde g2 b"),
    )
    assert texts.dropped == {"test: K:none or K:HP, no tonic to move": 1}


def test_canonical_rewrites_every_tune_and_leaves_out_one_it_cannot_rewrite_by_its_position():
    texts = model_data(prepared([NO_KEY, DECORATED, IN_G]), "as written", "canonical")
    assert texts.test_index == (1, 2) and texts.test_tunes == (DECORATED.replace('"G"~GAB !trill!', "GAB "), IN_G)
    assert '"G"' not in texts.test and "K:none" not in texts.test and IN_G in texts.train
    assert list(texts.dropped) == ["test: a K: field the reader cannot read (K:none, K:HP, an unknown mode)"]
    in_c = model_data(prepared([DECORATED]), "in C", "canonical")
    assert in_c.test_tunes == ("X:4\nT:Decorated\nM:6/8\nL:1/8\nK:C\ncde g2 b|]",)


def test_bad_choices_are_refused():
    with pytest.raises(ValueError, match="key handling 'C'"):
        model_data(prepared([IN_G]), "C")
    with pytest.raises(ValueError, match="notation 'clean'"):
        model_data(prepared([IN_G]), "as written", "clean")
    with pytest.raises(ValueError, match="symbols 'words'"):
        make_vocabulary("words", "abc")


def test_the_vocabulary_reads_characters_or_tokens():
    text = to_records([Tune("t", IN_G)] * 3)  # a token needs 3 uses to enter the vocabulary
    assert isinstance(make_vocabulary("chars", text), Vocabulary)
    tokens = make_vocabulary("tokens", text)
    assert isinstance(tokens, TokenVocabulary) and tokens.decode(tokens.encode(text)) == text
    assert len(tokens.encode(text)) < len(text)
