"""The NumPy cell equations: one step of each agrees with the Keras layer of the same weights."""

import keras
import numpy as np
import pytest

from helpers.rnn.cells import gru_step, lstm_step, sigmoid, simple_rnn_step


def keras_step(layer: keras.layers.Layer, x: np.ndarray, state: list[np.ndarray], seed: int) -> list[np.ndarray]:
    """The layer's random weights, and its output and final state after reading x as a one-step sequence."""
    layer.build((None, 1, x.shape[1]))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.7, size=w.shape).astype("float32") for w in layer.get_weights()])
    outputs = layer(x[:, None, :], initial_state=state)
    return [np.asarray(w) for w in layer.cell.weights], [np.asarray(part) for part in outputs]


def random_inputs(batch: int, inputs: int, units: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 100)
    return (rng.normal(size=(batch, size)).astype("float32") for size in (inputs, units, units))


@pytest.mark.parametrize("batch, inputs, units, seed", [(1, 3, 4, 0), (5, 7, 6, 1), (3, 12, 2, 2)])
def test_simple_rnn_step_matches_keras(batch, inputs, units, seed):
    x, h, _ = random_inputs(batch, inputs, units, seed)
    weights, (expected, _) = keras_step(keras.layers.SimpleRNN(units, return_state=True), x, [h], seed)
    np.testing.assert_allclose(simple_rnn_step(x, h, *weights), expected, atol=1e-5)


@pytest.mark.parametrize("batch, inputs, units, seed", [(1, 3, 4, 0), (5, 7, 6, 1), (3, 12, 2, 2)])
def test_gru_step_matches_keras_with_reset_after(batch, inputs, units, seed):
    x, h, _ = random_inputs(batch, inputs, units, seed)
    layer = keras.layers.GRU(units, return_state=True)
    weights, (expected, _) = keras_step(layer, x, [h], seed)
    assert layer.reset_after and weights[2].shape == (2, 3 * units)  # input and recurrent biases
    np.testing.assert_allclose(gru_step(x, h, *weights), expected, atol=1e-5)


@pytest.mark.parametrize("batch, inputs, units, seed", [(1, 3, 4, 0), (5, 7, 6, 1), (3, 12, 2, 2)])
def test_lstm_step_matches_keras_in_both_states(batch, inputs, units, seed):
    x, h, c = random_inputs(batch, inputs, units, seed)
    weights, (expected_h, _, expected_c) = keras_step(keras.layers.LSTM(units, return_state=True), x, [h, c], seed)
    found_h, found_c = lstm_step(x, h, c, *weights)
    np.testing.assert_allclose(found_h, expected_h, atol=1e-5)
    np.testing.assert_allclose(found_c, expected_c, atol=1e-5)


def test_sigmoid_is_the_logistic_function():
    np.testing.assert_allclose(sigmoid(np.array([-2.0, 0.0, 2.0])), [0.11920292, 0.5, 0.88079708], atol=1e-8)
