"""A small run folder whose LSTM has random weights, and the same network with another output activation: for the
tests of sampling, scoring and the model (tests/conftest.py's random_run fixtures build on it)."""

import keras
import numpy as np

from helpers.config import RunConfig
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import build_model

TEXT = "<start>\nX:1\nT:A Tune\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|C6|]\n<end>\n"


def with_output_activation(model: keras.Model, activation: str) -> keras.Model:
    """The same network and weights with another output activation than build_model's softmax."""

    def clone_layer(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if isinstance(layer, keras.layers.Dense):
            config["activation"] = activation
        return type(layer).from_config(config)

    clone = keras.models.clone_model(model, clone_function=clone_layer)
    clone.set_weights(model.get_weights())
    return clone


def save_random_run(folder, vocab: Vocabulary | None = None, cell: str = "LSTM", hidden_size: int = 8):
    """A run folder (model.keras, vocab.json) whose network (an LSTM-8 unless told) has random weights, biases
    included; its vocabulary is TEXT's unless one is given."""
    vocab = vocab or Vocabulary.from_text(TEXT)
    model = build_model(RunConfig(cell=cell, hidden_size=hidden_size), vocab.size)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    folder.mkdir()
    model.save(folder / "model.keras")
    vocab.save(folder / "vocab.json")
    return folder
