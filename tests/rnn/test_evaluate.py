"""Nats per tune: the sum of -log p over a tune, scored from a fresh state after its <start> line."""

import math

import numpy as np
import pytest
from random_run import TEXT, with_output_activation

from helpers.config import RunConfig
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.evaluate import PREFIX, nats_per_tune, tune_record
from helpers.rnn.model import build_model

VOCAB = Vocabulary.from_text(TEXT)
TUNES = ["X:1\nT:A Tune\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|C6|]", "X:2\nT:B\nK:G\nGA|]", "X:3\nK:G\nc6|"]


def random_model(seed: int = 0):
    model = build_model(RunConfig(cell="GRU", hidden_size=8), VOCAB.size)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def step_by_step(model, text: str) -> float:
    """The same sum, one unpadded tune at a time, from the softmax model's outputs at every position."""
    ids = VOCAB.encode(tune_record(text))
    log_p = np.log(np.asarray(model(ids[None, :-1]), dtype=np.float64)[0])
    return -sum(log_p[t - 1, ids[t]] for t in range(len(PREFIX), len(ids)))


def test_a_uniform_model_costs_log_vocabulary_size_per_scored_character():
    model = random_model()
    kernel, bias = model.get_layer("next_char").get_weights()
    model.get_layer("next_char").set_weights([np.zeros_like(kernel), np.zeros_like(bias)])
    scored = [len(tune_record(text)) - len(PREFIX) for text in TUNES]
    assert nats_per_tune(model, VOCAB, TUNES) == pytest.approx(np.array(scored) * math.log(VOCAB.size), rel=1e-5)


def test_batches_and_padding_change_nothing():
    model = random_model()
    expected = [step_by_step(model, text) for text in TUNES]
    for batch_size in (1, 2, 32):
        assert nats_per_tune(model, VOCAB, TUNES, batch_size=batch_size) == pytest.approx(expected, rel=1e-5)


def test_the_check_tells_models_apart_and_no_tunes_or_a_model_without_softmax_is_refused():
    assert not np.allclose(nats_per_tune(random_model(0), VOCAB, TUNES), nats_per_tune(random_model(1), VOCAB, TUNES))
    with pytest.raises(ValueError, match="no tunes"):
        nats_per_tune(random_model(), VOCAB, [])
    with pytest.raises(ValueError, match="activation='linear'; expected 'softmax'"):
        nats_per_tune(with_output_activation(random_model(), "linear"), VOCAB, TUNES)
