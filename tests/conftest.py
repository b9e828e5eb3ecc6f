"""Shared fixtures: a small run folder holding a model with random weights."""

import numpy as np
import pytest

from helpers.config import RunConfig
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import build_model

TEXT = "<start>\nX:1\nT:Tune\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|]\n<end>\n"


@pytest.fixture
def run_text() -> str:
    """A text whose characters are all in random_run's vocabulary."""
    return TEXT


@pytest.fixture
def random_run(tmp_path):
    """A run folder (model.keras, vocab.json) whose LSTM has random weights, biases included."""
    vocab = Vocabulary.from_text(TEXT)
    model = build_model(RunConfig(cell="LSTM", hidden_size=8), vocab.size)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    run = tmp_path / "run"
    run.mkdir()
    model.save(run / "model.keras")
    vocab.save(run / "vocab.json")
    return run
