"""The equations of Keras's recurrent cells in NumPy: one time step for a batch, from a layer's own weights.

Each function takes the layer's inputs x (batch, inputs) and state at this step, and the three arrays of Keras's
`layer.cell.weights`: kernel (inputs, k * units), recurrent_kernel (units, k * units) and bias, where k is the
number of gates (SimpleRNN 1, GRU 3, LSTM 4). The sampler (helpers.rnn.sample) runs a trained model with them.
"""

from __future__ import annotations

import numpy as np

from helpers.exercise import exercise

__all__: list[str] = []  # nothing here is used outside helpers.rnn


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, which squashes a gate's value into (0, 1)."""
    return 1.0 / (1.0 + np.exp(-x))


@exercise("04_generate.ipynb")
def simple_rnn_step(
    x: np.ndarray, h: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """The new hidden state of a SimpleRNN (tanh) cell: it mixes this step's input with the previous state."""
    return np.tanh(x @ kernel + h @ recurrent_kernel + bias)


@exercise("04_generate.ipynb")
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


def lstm_step(
    x: np.ndarray, h: np.ndarray, c: np.ndarray, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The new hidden and cell states (h, c) of an LSTM cell; Keras's gate order is input, forget, cell, output."""
    gate_i, gate_f, gate_c, gate_o = np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)
    c = sigmoid(gate_f) * c + sigmoid(gate_i) * np.tanh(gate_c)
    return sigmoid(gate_o) * np.tanh(c), c
