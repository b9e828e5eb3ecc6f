"""tf.data pipelines of (input chunk, target chunk) pairs for teacher forcing.

The training order of an epoch follows from the run's seed and the epoch's number alone, so a run resumed at
epoch 7 sees the batches an uninterrupted run sees in epoch 7.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from helpers.exercise import exercise


@exercise("02_train.ipynb")
def make_chunks(ids: np.ndarray, chunk_length: int, name: str = "text") -> tuple[np.ndarray, np.ndarray]:
    """Consecutive chunks of the text; each target is its input shifted one character on (the name is for errors)."""
    if chunk_length < 1:
        raise ValueError(f"chunk length must be at least 1, got {chunk_length}")
    n_chunks = (len(ids) - 1) // chunk_length
    if n_chunks < 1:
        raise ValueError(
            f"the {name} ({len(ids)} characters) is too short for chunks of {chunk_length}: "
            f"one chunk needs {chunk_length + 1} characters; choose a shorter chunk_length"
        )
    ids = np.asarray(ids, dtype=np.int32)
    inputs = ids[: n_chunks * chunk_length].reshape(n_chunks, chunk_length)
    targets = ids[1 : n_chunks * chunk_length + 1].reshape(n_chunks, chunk_length)
    return inputs, targets


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size below one."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")


def make_dataset(ids: np.ndarray, chunk_length: int, batch_size: int, name: str = "text") -> tf.data.Dataset:
    """Batches of chunks in text order, for validation and test."""
    check_batch_size(batch_size)
    inputs, targets = make_chunks(ids, chunk_length, name)
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def epoch_order(n_chunks: int, seed: int, epoch: int) -> np.ndarray:
    """The order of the training chunks in one epoch: a function of the seed and the epoch's number alone."""
    return np.random.default_rng([seed, epoch]).permutation(n_chunks)


def batches_per_epoch(ids: np.ndarray, chunk_length: int, batch_size: int) -> int:
    """How many batches one epoch over the text has (the last one may be smaller)."""
    check_batch_size(batch_size)
    return math.ceil(len(make_chunks(ids, chunk_length)[0]) / batch_size)


def make_training_dataset(
    ids: np.ndarray, chunk_length: int, batch_size: int, seed: int, epochs: range, name: str = "training set"
) -> tf.data.Dataset:
    """The shuffled batches of the given epochs, one epoch after another (fit it with batches_per_epoch steps)."""
    check_batch_size(batch_size)
    inputs, targets = (tf.constant(chunks) for chunks in make_chunks(ids, chunk_length, name))
    orders = np.array([epoch_order(len(inputs), seed, epoch) for epoch in epochs], dtype=np.int64)
    orders = orders.reshape(len(epochs), len(inputs))
    return (
        tf.data.Dataset.from_tensor_slices(orders)
        .flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
        .map(lambda batch: (tf.gather(inputs, batch), tf.gather(targets, batch)), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
