"""Batches of (input chunk, target chunk) pairs for teacher forcing, as Keras PyDatasets.

A PyDataset feeds every Keras backend (TensorFlow here and in CI, PyTorch or JAX on a GPU machine without
TensorFlow), so one pipeline serves them all. The training order of an epoch follows from the run's seed and the
epoch's number alone, so a run resumed at epoch 7 sees the batches an uninterrupted run sees in epoch 7.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from helpers.exercise import exercise

__all__ = ["make_chunks"]  # 03_train checks its own against it


@exercise("03_train.ipynb", fallback="framed_chunks")
def make_chunks(ids: np.ndarray, chunk_length: int, name: str = "text") -> tuple[np.ndarray, np.ndarray]:
    """Consecutive chunks of the text; each target is its input shifted one character on (the name is for errors)."""
    n_chunks = chunk_count(len(ids), chunk_length, name)
    ids = np.asarray(ids, dtype=np.int32)
    inputs = ids[: n_chunks * chunk_length].reshape(n_chunks, chunk_length)
    targets = ids[1 : n_chunks * chunk_length + 1].reshape(n_chunks, chunk_length)
    return inputs, targets


def chunk_count(length: int, chunk_length: int, name: str = "text") -> int:
    """How many chunks of chunk_length (and the one character after each) a text of this length holds; at least 1."""
    if chunk_length < 1:
        raise ValueError(f"chunk length must be at least 1, got {chunk_length}")
    n_chunks = (length - 1) // chunk_length
    if n_chunks < 1:
        raise ValueError(
            f"the {name} ({length} characters) is too short for chunks of {chunk_length}: "
            f"one chunk needs {chunk_length + 1} characters; choose a shorter chunk_length"
        )
    return n_chunks


def framed_chunks(ids: np.ndarray, chunk_length: int, name: str = "text") -> tuple[np.ndarray, np.ndarray]:
    """make_chunks computed by TensorFlow's tf.signal.frame (frames of chunk_length + 1, one apart by chunk_length):
    the student edition's package, which holds no answer."""
    import tensorflow as tf

    chunk_count(len(ids), chunk_length, name)
    frames = np.asarray(tf.signal.frame(np.asarray(ids, dtype=np.int32), chunk_length + 1, chunk_length))
    return np.ascontiguousarray(frames[:, :-1]), np.ascontiguousarray(frames[:, 1:])


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size below one."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")


class Batches(keras.utils.PyDataset):
    """Batches of chunks, epoch after epoch, each epoch in its own order of the chunks (the last batch may be smaller).

    One stream over all the epochs given: fit it with steps_per_epoch=batches_per_epoch.
    """

    def __init__(self, inputs: np.ndarray, targets: np.ndarray, batch_size: int, orders: list[np.ndarray]) -> None:
        super().__init__()
        check_batch_size(batch_size)
        self.inputs, self.targets, self.batch_size, self.orders = inputs, targets, batch_size, orders
        self.per_epoch = math.ceil(len(inputs) / batch_size)

    def __len__(self) -> int:
        return self.per_epoch * len(self.orders)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        epoch, batch = divmod(index, self.per_epoch)
        rows = self.orders[epoch][batch * self.batch_size : (batch + 1) * self.batch_size]
        return self.inputs[rows], self.targets[rows]


def make_dataset(ids: np.ndarray, chunk_length: int, batch_size: int, name: str = "text") -> Batches:
    """Batches of chunks in text order, for validation and test."""
    check_batch_size(batch_size)
    inputs, targets = make_chunks(ids, chunk_length, name)
    return Batches(inputs, targets, batch_size, [np.arange(len(inputs))])


def epoch_order(n_chunks: int, seed: int, epoch: int) -> np.ndarray:
    """The order of the training chunks in one epoch: a function of the seed and the epoch's number alone."""
    return np.random.default_rng([seed, epoch]).permutation(n_chunks)


def batches_per_epoch(ids: np.ndarray, chunk_length: int, batch_size: int) -> int:
    """How many batches one epoch over the text has (the last one may be smaller)."""
    check_batch_size(batch_size)
    return math.ceil(len(make_chunks(ids, chunk_length)[0]) / batch_size)


def make_training_dataset(
    ids: np.ndarray, chunk_length: int, batch_size: int, seed: int, epochs: range, name: str = "training set"
) -> Batches:
    """The shuffled batches of the given epochs, one epoch after another (fit it with batches_per_epoch steps)."""
    check_batch_size(batch_size)
    inputs, targets = make_chunks(ids, chunk_length, name)
    return Batches(inputs, targets, batch_size, [epoch_order(len(inputs), seed, epoch) for epoch in epochs])
