"""The model builder: shapes, probabilities, every cell type and encoding, saving and loading."""

import keras
import numpy as np
import pytest
from random_run import with_output_activation

from helpers.config import CELL_TYPES, RunConfig
from helpers.exercise import MARK
from helpers.rnn.model import build_model, check_softmax_output, compile_model

VOCAB_SIZE = 17


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("encoding", ["onehot", "embedding"])
def test_output_is_a_distribution_over_the_vocabulary_at_every_step(cell, encoding):
    model = build_model(RunConfig(cell=cell, hidden_size=8, encoding=encoding), VOCAB_SIZE)
    ids = np.random.default_rng(0).integers(0, VOCAB_SIZE, size=(3, 11))
    probabilities = np.asarray(model(ids))
    assert probabilities.shape == (3, 11, VOCAB_SIZE)
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert (probabilities >= 0).all()


def test_layers_and_dropout_are_built_as_configured():
    model = build_model(RunConfig(cell="GRU", hidden_size=8, layers=3, dropout=0.2), VOCAB_SIZE)
    names = [layer.name for layer in model.layers]
    assert [n for n in names if n.startswith("rnn_")] == ["rnn_0", "rnn_1", "rnn_2"]
    assert [n for n in names if n.startswith("dropout_")] == ["dropout_0", "dropout_1", "dropout_2"]
    assert not any(n.startswith("dropout_") for n in (layer.name for layer in build_model(RunConfig(), 5).layers))


def test_hidden_size_sets_the_parameter_count_of_a_simple_rnn():
    model = build_model(RunConfig(hidden_size=10), VOCAB_SIZE)
    recurrent = VOCAB_SIZE * 10 + 10 * 10 + 10
    softmax = 10 * VOCAB_SIZE + VOCAB_SIZE
    assert model.count_params() == recurrent + softmax


def test_saved_model_loads_back_with_the_same_predictions(tmp_path):
    model = build_model(RunConfig(cell="LSTM", hidden_size=6), VOCAB_SIZE)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    ids = np.arange(VOCAB_SIZE)[None, :]
    np.testing.assert_allclose(np.asarray(loaded(ids)), np.asarray(model(ids)), rtol=1e-6)


@pytest.mark.parametrize("name", ["rmsprop", "adagrad", "adam"])
def test_optimizer_is_chosen_by_name(name):
    config = RunConfig(optimizer=name, learning_rate=0.01)
    model = compile_model(build_model(config, VOCAB_SIZE), config)
    assert type(model.optimizer).__name__.lower() == name
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)


def test_a_vocabulary_of_one_symbol_is_refused():
    with pytest.raises(ValueError, match="vocabulary size"):
        build_model(RunConfig(), 1)


def test_a_model_whose_output_is_not_a_softmax_is_refused():
    model = build_model(RunConfig(hidden_size=4), VOCAB_SIZE)
    check_softmax_output(model)
    for activation in ("linear", "relu"):
        with pytest.raises(ValueError, match=f"output layer 'next_char' has activation='{activation}'.*'softmax'"):
            check_softmax_output(with_output_activation(model, activation))


def test_build_model_is_the_answer_to_an_exercise_of_the_training_notebook():
    """The student edition trains the network the student's build_model builds."""
    assert getattr(build_model, MARK) == "03_train.ipynb"
