"""Character-level recurrent language models: SimpleRNN, LSTM or GRU with a softmax output."""

from __future__ import annotations

import dataclasses
import itertools
import re
import zipfile
from pathlib import Path

import keras
import numpy as np

from helpers.config import MODEL, RunConfig, project_root
from helpers.exercise import exercise, falls_back
from helpers.files import DamagedFileError, read_json_object, write_json
from helpers.rnn.runs import model_archive_problem

__all__ = [
    "ARCHITECTURES",
    "OneHot",
    "build_model",
    "compile_model",
    "load_trained_model",
    "reference_model",
    "usable_builder",
    "write_architectures",
]

# The reference architectures the student edition ships: build_model's model of each kind, as Keras's JSON, with
# these sizes standing for the real ones (small primes no other number of the JSON is), filled in by reference_model.
ARCHITECTURES = Path("reference") / "architectures.json"
SENTINELS = {"vocab_size": 97, "hidden_size": 89, "embedding_dim": 83}
DROPOUT_SENTINEL = 0.3141


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


@exercise("03_train.ipynb", fallback="reference_model")
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


def architecture_key(config: RunConfig) -> str:
    """What a model's layers depend on besides their sizes: cell, number of layers, encoding, dropout or none."""
    return f"{config.cell}-l{config.layers}-{config.encoding}-{'dropout' if config.dropout else 'no dropout'}"


def template_config(config: RunConfig) -> RunConfig:
    return dataclasses.replace(
        config,
        hidden_size=SENTINELS["hidden_size"],
        embedding_dim=SENTINELS["embedding_dim"],
        dropout=DROPOUT_SENTINEL if config.dropout else 0.0,
    )


def write_architectures(path: Path, max_layers: int = 3) -> Path:
    """build_model's model of every cell, depth up to max_layers, encoding and dropout, as a template (the edition's
    build writes them, so that the student edition builds the study's models without the answer)."""
    templates = {}
    for cell, layers, encoding, dropout in itertools.product(
        ("SimpleRNN", "LSTM", "GRU"), range(1, max_layers + 1), ("onehot", "embedding"), (0.0, 0.5)
    ):
        config = template_config(RunConfig(cell=cell, layers=layers, encoding=encoding, dropout=dropout))
        templates[architecture_key(config)] = {
            "model": build_model(config, SENTINELS["vocab_size"]).to_json(),
            "name": config.slug,
        }
    write_json(templates, path)
    return path


def reference_model(config: RunConfig, vocab_size: int) -> keras.Model:
    """build_model's model, made from the reference architecture of its kind (reference/architectures.json) with
    this config's sizes: what the student edition's package builds, since it holds no answer."""
    if vocab_size < 2:
        raise ValueError(f"vocabulary size must be at least 2, got {vocab_size}")
    path = project_root() / ARCHITECTURES
    templates = read_json_object(path, "build the student edition again (python -m helpers.assignment)")
    template = templates.get(architecture_key(config))
    if template is None:
        raise ValueError(
            f"the student edition ships no reference architecture for {architecture_key(config)} "
            f"(it has {sorted(templates)}): write build_model in 03_train.ipynb and pass it in"
        )
    sizes = {"vocab_size": vocab_size, "hidden_size": config.hidden_size, "embedding_dim": config.embedding_dim}
    text = template["model"].replace(f'"{template["name"]}"', f'"{config.slug}"')
    for name, sentinel in SENTINELS.items():
        text = re.sub(rf"\b{sentinel}\b", str(sizes[name]), text)
    text = re.sub(rf"\b{DROPOUT_SENTINEL}\b", repr(float(config.dropout)), text)
    return keras.models.model_from_json(text)


def builder_problem(build, config: RunConfig, vocab_size: int) -> str | BaseException | None:
    """Why a build_model of a student's cannot stand in for the package's, or None: it must give a model whose
    output is a softmax over the vocabulary at every step, with as many weights as the package's."""
    try:
        model = build(config, vocab_size)
        if not isinstance(model, keras.Model):
            return f"it returned {type(model).__name__}, not a keras.Model"
        check_softmax_output(model)
        shape = tuple(model(np.zeros((2, 5), dtype="int32")).shape)
        if shape != (2, 5, vocab_size):
            return f"its output for ids of shape (2, 5) has shape {shape}, expected {(2, 5, vocab_size)}"
        expected = build_model(config, vocab_size).count_params()
        if model.count_params() != expected:
            return f"it has {model.count_params():,} weights, the package's model {expected:,}"
    except Exception as error:  # whatever the student's function does wrong, the package's model stands in
        return error
    return None


def usable_builder(build, config: RunConfig, vocab_size: int):
    """Your build_model if it builds this config's model as the package does, else the package's, said in one line."""
    problem = builder_problem(build, config, vocab_size)
    if problem is None:
        return build
    falls_back(f"your {getattr(build, '__name__', 'build_model')} (exercise 11)", problem, "the package's model")
    return build_model


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
