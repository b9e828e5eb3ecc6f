"""Character-level recurrent language models: SimpleRNN, LSTM or GRU with a softmax output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import keras

from helpers.config import MODEL, RunConfig
from helpers.exercise import exercise
from helpers.files import DamagedFileError
from helpers.rnn.runs import model_archive_problem

__all__ = ["OneHot", "build_model", "compile_model", "load_trained_model"]


@keras.saving.register_keras_serializable(package="helpers")
class OneHot(keras.layers.Layer):
    """Character ids -> one-hot vectors, the assignment's input encoding."""

    def __init__(self, depth: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.depth = depth

    def call(self, ids):
        return keras.ops.one_hot(ids, self.depth)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.depth)

    def get_config(self) -> dict:
        return {**super().get_config(), "depth": self.depth}


@exercise("03_train.ipynb")
def build_model(config: RunConfig, vocab_size: int) -> keras.Model:
    """(batch, time) ids -> (batch, time, vocab) next-character probabilities."""
    if vocab_size < 2:
        raise ValueError(f"vocabulary size must be at least 2, got {vocab_size}")
    ids = keras.Input(shape=(None,), dtype="int32", name="ids")
    if config.encoding == "onehot":
        x = OneHot(vocab_size, name="onehot")(ids)
    else:
        x = keras.layers.Embedding(vocab_size, config.embedding_dim, name="embedding")(ids)
    cell = getattr(keras.layers, config.cell)
    for layer in range(config.layers):
        x = cell(config.hidden_size, return_sequences=True, name=f"rnn_{layer}")(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{layer}")(x)
    probabilities = keras.layers.Dense(vocab_size, activation="softmax", name="next_char")(x)
    return keras.Model(ids, probabilities, name=config.slug)


def load_trained_model(folder: Path) -> keras.Model:
    """The model.keras of a run or shipped-model folder, without its optimizer: nothing here trains it further, and
    a model saved under another Keras backend (PyTorch or JAX on a GPU machine) names an optimizer class that only
    that backend has."""
    path = Path(folder) / MODEL
    if not path.is_file():
        raise FileNotFoundError(f"{folder} holds no trained model ({MODEL}); train it first")
    try:
        return keras.models.load_model(path, compile=False)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        problem = model_archive_problem(path) or f"{type(error).__name__}: {error}"
        raise DamagedFileError(
            f"{path} cannot be read as a Keras model ({problem}): it was cut short or overwritten; train the run "
            "again, or copy the model back from where it came from"
        ) from None


def check_softmax_output(model: keras.Model) -> None:
    """Refuse a model whose output is not a softmax: the package reads probabilities, as build_model makes them."""
    output = model.layers[-1]
    activation = output.get_config().get("activation")
    if activation != "softmax":
        raise ValueError(
            f"output layer {output.name!r} has activation={activation!r}; expected 'softmax', as build_model makes it"
        )


def make_optimizer(config: RunConfig) -> keras.optimizers.Optimizer:
    """The optimizer named in the config, at its learning rate."""
    return keras.optimizers.get({"class_name": config.optimizer, "config": {"learning_rate": config.learning_rate}})


def compile_model(model: keras.Model, config: RunConfig) -> keras.Model:
    """Cross-entropy in nats per character; XLA off under TensorFlow (faster for these loops on a CPU) and PyTorch
    (cuDNN runs the cells), on under JAX, which is slow without it."""
    jit_compile = keras.backend.backend() == "jax"
    model.compile(optimizer=make_optimizer(config), loss="sparse_categorical_crossentropy", jit_compile=jit_compile)
    return model
