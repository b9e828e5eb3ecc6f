"""The equations of Keras's recurrent cells in NumPy: one time step for a batch, from a layer's own weights.

Each function takes the layer's inputs x (batch, inputs) and state at this step, and the three arrays of Keras's
`layer.cell.weights`: kernel (inputs, k * units), recurrent_kernel (units, k * units) and bias, where k is the
number of gates (SimpleRNN 1, GRU 3, LSTM 4). The sampler (helpers.rnn.sample) runs a trained model with them.

The equations are exercises (04_generate, 02_scratch): the student edition's package holds none of them, and its
sampler runs the same step with Keras's own cells instead (the keras_* functions below, the exercises' fallback).
"""

from __future__ import annotations

import numpy as np

from helpers.exercise import exercise

__all__: list[str] = []  # nothing here is used outside helpers.rnn


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, which squashes a gate's value into (0, 1)."""
    return 1.0 / (1.0 + np.exp(-x))


@exercise("04_generate.ipynb", fallback="keras_simple_rnn_step")
def simple_rnn_step(
    x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """The new hidden state of a SimpleRNN (tanh) cell: it mixes this step's input with the previous state."""
    return np.tanh(x @ kernel + h @ recurrent_kernel + bias)


@exercise("04_generate.ipynb", fallback="keras_gru_step")
def gru_step(
    x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """The new hidden state of a GRU cell with Keras's default reset_after=True (bias: input row, recurrent row)."""
    input_z, input_r, input_h = np.split(x @ kernel + bias[0], 3, axis=-1)
    recurrent_z, recurrent_r, recurrent_h = np.split(h @ recurrent_kernel + bias[1], 3, axis=-1)
    update = sigmoid(input_z + recurrent_z)
    reset = sigmoid(input_r + recurrent_r)
    candidate = np.tanh(input_h + reset * recurrent_h)
    return update * h + (1.0 - update) * candidate


@exercise("02_scratch.ipynb", fallback="keras_lstm_step")
def lstm_step(
    x: np.ndarray, h: np.ndarray, c: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The new hidden and cell states (h, c) of an LSTM cell; Keras's gate order is input, forget, cell, output."""
    gate_i, gate_f, gate_c, gate_o = np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)
    c = sigmoid(gate_f) * c + sigmoid(gate_i) * np.tanh(gate_c)
    return sigmoid(gate_o) * np.tanh(c), c


def keras_cell(kind: str, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray):
    """A built Keras cell of the kind holding these weights, and its step traced by TensorFlow (a batch of any size):
    one per set of weights, so a sampler's many steps with a layer's weights build, fill and trace it once."""
    key = (kind, id(kernel), id(recurrent_kernel), id(bias))
    found = KERAS_CELLS.get(key)
    if found is not None and all(a is b for a, b in zip(found[2], (kernel, recurrent_kernel, bias), strict=True)):
        return found[0], found[1]
    import keras
    import tensorflow as tf

    units = recurrent_kernel.shape[0]
    cell = getattr(keras.layers, f"{kind}Cell")(units)
    cell.build((None, kernel.shape[0]))
    cell.set_weights([np.asarray(w, dtype="float32") for w in (kernel, recurrent_kernel, bias)])
    states = [tf.TensorSpec([None, units], tf.float32)] * (2 if kind == "LSTM" else 1)
    # An eager call of a cell costs milliseconds, most of it Python: traced, a step is one graph call.
    inputs = tf.TensorSpec([None, kernel.shape[0]], tf.float32)
    traced = tf.function(lambda x, state: cell(x, state)[1], input_signature=[inputs, states], autograph=False)
    if len(KERAS_CELLS) >= 16:  # a sampler uses one per layer: drop the oldest
        KERAS_CELLS.pop(next(iter(KERAS_CELLS)))
    KERAS_CELLS[key] = (cell, traced, (kernel, recurrent_kernel, bias))
    return cell, traced


KERAS_CELLS: dict = {}  # the cells keras_cell built, with their traced steps and the weights they hold (kept, so
# their ids stay theirs)


def keras_step(kind, x, states, kernel, recurrent_kernel, bias) -> tuple[np.ndarray, ...]:
    """One step of Keras's own cell of this kind: the new states as NumPy arrays."""
    _, traced = keras_cell(kind, kernel, recurrent_kernel, bias)
    new_states = traced(np.asarray(x, dtype="float32"), [np.asarray(s, dtype="float32") for s in states])
    return tuple(np.asarray(state) for state in (new_states if isinstance(new_states, list | tuple) else [new_states]))


def keras_simple_rnn_step(x, h, kernel, recurrent_kernel, bias) -> np.ndarray:
    """simple_rnn_step computed by Keras's SimpleRNNCell."""
    return keras_step("SimpleRNN", x, [h], kernel, recurrent_kernel, bias)[0]


def keras_gru_step(x, h, kernel, recurrent_kernel, bias) -> np.ndarray:
    """gru_step computed by Keras's GRUCell (reset_after=True, its default)."""
    return keras_step("GRU", x, [h], kernel, recurrent_kernel, bias)[0]


def keras_lstm_step(x, h, c, kernel, recurrent_kernel, bias) -> tuple[np.ndarray, np.ndarray]:
    """lstm_step computed by Keras's LSTMCell: (h, c)."""
    h, c = keras_step("LSTM", x, [h, c], kernel, recurrent_kernel, bias)
    return h, c
