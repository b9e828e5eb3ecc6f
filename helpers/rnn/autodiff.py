"""What the framework computes for the from-scratch network of notebook 02: Keras layers and TensorFlow's autodiff.

The NumPy network of 02 has five weights (the names are Keras's): `kernel` (V, H) and `recurrent_kernel` (H, H)
and `bias` (H,) of the SimpleRNN, `output_kernel` (H, V) and `output_bias` (V,) of the Dense layer that gives the
logits. Here the same weights are put into Keras's own layers, in float64, and TensorFlow differentiates the loss,
so a student's backward pass can be compared with the framework's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["keras_loss_and_gradients"]

WEIGHTS = ("kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias")


def keras_network(params: dict[str, np.ndarray]) -> tuple:
    """A float64 SimpleRNN (tanh) and Dense (logits) holding the given weights."""
    import keras

    vocab_size, hidden_size = np.shape(params["kernel"])
    recurrent = keras.layers.SimpleRNN(hidden_size, return_sequences=True, return_state=True, dtype="float64")
    output = keras.layers.Dense(vocab_size, dtype="float64")
    recurrent.build((None, None, vocab_size))
    output.build((None, None, hidden_size))
    for variable, name in zip((*recurrent.weights, *output.weights), WEIGHTS, strict=True):
        variable.assign(np.asarray(params[name], dtype="float64"))
    return recurrent, output


def keras_loss_and_gradients(
    params: dict[str, np.ndarray], inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray
) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """The mean cross-entropy of one chunk (ids, from state h0), its gradients by TensorFlow's autodiff, and the
    state after the chunk's last step."""
    import tensorflow as tf

    recurrent, output = keras_network(params)
    vocab_size = np.shape(params["kernel"])[0]
    one_hot = tf.one_hot(np.asarray(inputs)[None], vocab_size, dtype=tf.float64)
    state = tf.Variable(np.asarray(h0, dtype="float64")[None])
    with tf.GradientTape() as tape:
        states, last_state = recurrent(one_hot, initial_state=[state])
        logits = output(states)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(np.asarray(targets)[None], logits))
    variables = [*recurrent.weights, *output.weights, state]
    gradients = tape.gradient(loss, variables)
    found = {name: np.asarray(g).reshape(np.shape(params[name])) for name, g in zip(WEIGHTS, gradients, strict=False)}
    found["h0"] = np.asarray(gradients[-1]).reshape(np.shape(h0))
    return float(loss), found, np.asarray(last_state)[0]
