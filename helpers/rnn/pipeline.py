"""tf.data pipelines of (input chunk, target chunk) pairs for teacher forcing."""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def make_chunks(ids: np.ndarray, chunk_length: int) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive chunks of the text; each target is its input shifted one character on."""
    if chunk_length < 1:
        raise ValueError(f"chunk length must be at least 1, got {chunk_length}")
    n_chunks = (len(ids) - 1) // chunk_length
    if n_chunks < 1:
        raise ValueError(f"text of {len(ids)} characters is too short for chunks of {chunk_length}")
    ids = np.asarray(ids, dtype=np.int32)
    inputs = ids[: n_chunks * chunk_length].reshape(n_chunks, chunk_length)
    targets = ids[1 : n_chunks * chunk_length + 1].reshape(n_chunks, chunk_length)
    return inputs, targets


def make_dataset(
    ids: np.ndarray, chunk_length: int, batch_size: int, shuffle_seed: int | None = None
) -> tf.data.Dataset:
    """Batches of chunks, reshuffled every epoch when a seed is given (training), in order otherwise."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    inputs, targets = make_chunks(ids, chunk_length)
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(inputs), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
