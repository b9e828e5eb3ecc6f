"""Temperature-scaled cross-entropy on a text."""

import math
import re

import keras
import numpy as np
import pytest

from helpers.corpus.vocab import Vocabulary
from helpers.rnn.pipeline import make_chunks
from helpers.rnn.temperature import tempered_cross_entropy


def test_temperature_one_is_the_models_own_cross_entropy(random_run, run_text):
    run, text = random_run, run_text * 20
    losses = tempered_cross_entropy(run, text, (1.0, 1000.0), chunk_length=10)
    inputs, targets = make_chunks(Vocabulary.load(run / "vocab.json").encode(text), 10)
    model = keras.models.load_model(run / "model.keras")
    probabilities = np.asarray(model(inputs), dtype=np.float64)
    expected = -np.log(np.take_along_axis(probabilities, targets[..., None], axis=-1)).mean()
    assert losses[1.0] == pytest.approx(expected, rel=1e-4)
    # A very high temperature flattens the distribution to uniform: log(vocabulary size) nats per character.
    assert losses[1000.0] == pytest.approx(math.log(probabilities.shape[-1]), rel=1e-2)


@pytest.mark.parametrize("temperature", [0.0, -1.0, 1e-7, 1e39, float("nan"), float("inf")])
def test_a_temperature_outside_the_sampler_range_is_refused(random_run, run_text, temperature):
    with pytest.raises(
        ValueError,
        match=rf"temperature must be a positive number between 1e-06 and 1e\+06, got {re.escape(repr(temperature))}",
    ):
        tempered_cross_entropy(random_run, run_text * 5, (1.0, temperature))
