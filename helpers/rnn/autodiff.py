"""What the framework computes for the from-scratch network of notebook 02: Keras layers and TensorFlow's autodiff.

The NumPy network of 02 has five weights (the names are Keras's): `kernel` (V, H) and `recurrent_kernel` (H, H)
and `bias` (H,) of the SimpleRNN, `output_kernel` (H, V) and `output_bias` (V,) of the Dense layer that gives the
logits. Here the same weights are put into Keras's own layers, in float64, and TensorFlow differentiates the loss,
so a student's backward pass can be compared with the framework's.
"""

from __future__ import annotations

import functools

import numpy as np

__all__ = ["keras_clip_by_global_norm", "keras_loss_and_gradients", "keras_training"]

WEIGHTS = ("kernel", "recurrent_kernel", "bias", "output_kernel", "output_bias")


def keras_network(params: dict[str, np.ndarray]) -> tuple:
    """A float64 SimpleRNN (tanh) and Dense (logits) holding the given weights."""
    import keras

    vocab_size, hidden_size = np.shape(params["kernel"])
    recurrent = keras.layers.SimpleRNN(hidden_size, return_sequences=True, return_state=True, dtype="float64")
    output = keras.layers.Dense(vocab_size, dtype="float64")
    recurrent.build((None, None, vocab_size))
    output.build((None, None, hidden_size))
    assign(recurrent, output, params)
    return recurrent, output


def assign(recurrent, output, params: dict[str, np.ndarray]) -> None:
    """Put the given weights into the two layers."""
    for variable, name in zip((*recurrent.weights, *output.weights), WEIGHTS, strict=True):
        variable.assign(np.asarray(params[name], dtype="float64"))


@functools.cache
def differentiated(vocab_size: int, hidden_size: int):
    """The two layers of one shape and a traced function of them: (inputs, targets, h0) -> (loss, the gradients of
    the five weights and h0, the last state). Built once per shape: numerical_gradient calls it thousands of times,
    and building the layers anew each time took most of a call."""
    import tensorflow as tf

    zeros = {"kernel": (vocab_size, hidden_size), "recurrent_kernel": (hidden_size, hidden_size)}
    zeros |= {"bias": (hidden_size,), "output_kernel": (hidden_size, vocab_size), "output_bias": (vocab_size,)}
    recurrent, output = keras_network({name: np.zeros(shape) for name, shape in zeros.items()})

    @tf.function(
        input_signature=[
            tf.TensorSpec([1, None], tf.int32),
            tf.TensorSpec([1, None], tf.int32),
            tf.TensorSpec([1, hidden_size], tf.float64),
        ]
    )
    def run(inputs, targets, h0):
        with tf.GradientTape() as tape:
            tape.watch(h0)
            states, last_state = recurrent(tf.one_hot(inputs, vocab_size, dtype=tf.float64), initial_state=[h0])
            logits = output(states)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
        return loss, tape.gradient(loss, [*recurrent.weights, *output.weights, h0]), last_state

    return recurrent, output, run


def keras_loss_and_gradients(
    params: dict[str, np.ndarray], inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray
) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """The mean cross-entropy of one chunk (ids, from state h0), its gradients by TensorFlow's autodiff, and the
    state after the chunk's last step."""
    recurrent, output, run = differentiated(*np.shape(params["kernel"]))
    assign(recurrent, output, params)
    loss, gradients, last_state = run(
        np.asarray(inputs, dtype="int32")[None],
        np.asarray(targets, dtype="int32")[None],
        np.asarray(h0, dtype="float64")[None],
    )
    found = {name: np.asarray(g).reshape(np.shape(params[name])) for name, g in zip(WEIGHTS, gradients, strict=False)}
    found["h0"] = np.asarray(gradients[-1]).reshape(np.shape(h0))
    return float(loss), found, np.asarray(last_state)[0]


def keras_training(
    params: dict[str, np.ndarray], ids: np.ndarray, steps: int, chunk_length: int = 25, learning_rate: float = 0.1
) -> tuple[dict[str, np.ndarray], list[float]]:
    """The same network trained by Keras (Adagrad, one chunk of the text per step, each from a zero state): its
    weights and the loss of each step. What 02 goes on with when a student's training loop does not pass."""
    import keras

    chunks = (len(ids) - 1) // chunk_length
    if chunks < 1:
        raise ValueError(f"{len(ids)} ids are too few for one chunk of {chunk_length}")
    frames = np.stack([ids[i * chunk_length : i * chunk_length + chunk_length + 1] for i in range(chunks)])
    vocab_size, hidden_size = np.shape(params["kernel"])
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            keras.layers.CategoryEncoding(vocab_size, output_mode="one_hot"),
            keras.layers.SimpleRNN(hidden_size, return_sequences=True),
            keras.layers.Dense(vocab_size),
        ]
    )
    model.set_weights([params[name] for name in WEIGHTS])
    model.compile(
        optimizer=keras.optimizers.Adagrad(learning_rate=learning_rate, initial_accumulator_value=0.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    losses = [
        float(model.train_on_batch(frames[step % chunks][None, :-1], frames[step % chunks][None, 1:]))
        for step in range(steps)
    ]
    return dict(zip(WEIGHTS, (np.asarray(w, dtype="float64") for w in model.get_weights()), strict=True)), losses


def keras_clip_by_global_norm(gradients: dict[str, np.ndarray], max_norm: float) -> tuple[dict, float]:
    """TensorFlow's tf.clip_by_global_norm on a dict of gradients: (the clipped gradients, their norm before)."""
    import tensorflow as tf

    names = list(gradients)
    clipped, norm = tf.clip_by_global_norm([tf.constant(gradients[name]) for name in names], max_norm)
    return {name: np.asarray(value) for name, value in zip(names, clipped, strict=True)}, float(norm)
