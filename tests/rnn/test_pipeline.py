"""Training chunks for teacher forcing: each target is its input shifted one character on."""

import numpy as np
import pytest

from helpers.exercise import MARK
from helpers.rnn.pipeline import batches_per_epoch, epoch_order, make_chunks, make_dataset, make_training_dataset


def random_ids(length: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 40, size=length, dtype=np.int32)


def batches(dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    """One pass over a dataset as numpy (inputs, targets) pairs."""
    return [dataset[index] for index in range(len(dataset))]


def test_targets_are_the_inputs_shifted_by_one_character():
    ids = random_ids(53)
    inputs, targets = make_chunks(ids, 10)
    for i in range(len(inputs)):
        assert inputs[i].tolist() == ids[i * 10 : (i + 1) * 10].tolist()
        assert targets[i].tolist() == ids[i * 10 + 1 : (i + 1) * 10 + 1].tolist()


@pytest.mark.parametrize(("length", "chunk_length", "count"), [(53, 10, 5), (51, 10, 5), (50, 10, 4), (2, 1, 1)])
def test_chunk_count_uses_every_full_chunk_that_has_a_next_character(length, chunk_length, count):
    inputs, targets = make_chunks(random_ids(length), chunk_length)
    assert inputs.shape == targets.shape == (count, chunk_length)


@pytest.mark.parametrize(("length", "chunk_length"), [(10, 10), (1, 1), (0, 5)])
def test_text_too_short_for_one_chunk_is_refused(length, chunk_length):
    with pytest.raises(ValueError, match="too short"):
        make_chunks(random_ids(length), chunk_length)


@pytest.mark.parametrize("chunk_length", [0, -3])
def test_chunk_length_below_one_is_refused(chunk_length):
    with pytest.raises(ValueError, match="chunk length"):
        make_chunks(random_ids(50), chunk_length)


def test_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="batch size"):
        make_dataset(random_ids(50), 10, 0)


def test_dataset_batches_have_the_requested_shape():
    shapes = [(inputs.shape, targets.shape) for inputs, targets in batches(make_dataset(random_ids(101), 10, 4))]
    assert shapes == [((4, 10), (4, 10)), ((4, 10), (4, 10)), ((2, 10), (2, 10))]


def test_dataset_without_a_seed_keeps_the_text_order():
    ids = random_ids(101)
    inputs, targets = make_chunks(ids, 10)
    epoch = batches(make_dataset(ids, 10, 4))
    assert np.concatenate([b[0] for b in epoch]).tolist() == inputs.tolist()
    assert np.concatenate([b[1] for b in epoch]).tolist() == targets.tolist()


def training_epochs(ids, seed: int, epochs: range, batch_size: int = 4) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """The batches of each epoch of a training dataset, epoch by epoch."""
    every = batches(make_training_dataset(ids, 10, batch_size, seed, epochs))
    per_epoch = batches_per_epoch(ids, 10, batch_size)
    assert len(every) == per_epoch * len(epochs)
    return [every[i : i + per_epoch] for i in range(0, len(every), per_epoch)]


def test_same_seed_gives_the_same_order():
    ids = random_ids(201)
    first, second = training_epochs(ids, 5, range(2)), training_epochs(ids, 5, range(2))
    for a, b in zip(sum(first, []), sum(second, []), strict=True):
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_shuffled_chunks_are_reordered_but_keep_their_targets():
    ids = random_ids(201)
    inputs, targets = make_chunks(ids, 10)
    (epoch,) = training_epochs(ids, 5, range(1))
    shuffled_inputs = np.concatenate([b[0] for b in epoch])
    shuffled_targets = np.concatenate([b[1] for b in epoch])
    assert shuffled_inputs.tolist() != inputs.tolist()
    pairs = sorted(zip(map(tuple, shuffled_inputs), map(tuple, shuffled_targets), strict=True))
    assert pairs == sorted(zip(map(tuple, inputs), map(tuple, targets), strict=True))


def test_another_seed_gives_another_order_and_each_epoch_is_reshuffled():
    ids = random_ids(201)
    first_epoch, second_epoch = training_epochs(ids, 5, range(2))
    (other_seed,) = training_epochs(ids, 6, range(1))
    assert [b[0].tolist() for b in first_epoch] != [b[0].tolist() for b in second_epoch]
    assert [b[0].tolist() for b in first_epoch] != [b[0].tolist() for b in other_seed]


def test_an_epochs_order_depends_on_the_seed_and_the_epoch_alone():
    """A run resumed at epoch 3 sees the batches an uninterrupted run sees in epoch 3."""
    ids = random_ids(201)
    uninterrupted = training_epochs(ids, 5, range(5))
    resumed = training_epochs(ids, 5, range(3, 5))
    assert [[b[0].tolist() for b in epoch] for epoch in resumed] == [
        [b[0].tolist() for b in epoch] for epoch in uninterrupted[3:]
    ]
    assert epoch_order(20, 5, 3).tolist() == epoch_order(20, 5, 3).tolist() != epoch_order(20, 5, 4).tolist()


def test_a_batch_past_the_last_is_refused():
    """Keras reads a PyDataset by index; a wrong index must fail, not wrap around into another epoch."""
    dataset = make_training_dataset(random_ids(201), 10, 4, seed=1, epochs=range(2))
    assert len(dataset) == 2 * batches_per_epoch(random_ids(201), 10, 4)
    for index in (len(dataset), -1):
        with pytest.raises(IndexError):
            dataset[index]


def test_a_set_too_short_for_the_chunk_length_is_named():
    with pytest.raises(ValueError, match="test set"):
        make_dataset(random_ids(30), 40, 4, name="test set")
    with pytest.raises(ValueError, match="training set"):
        make_training_dataset(random_ids(30), 40, 4, seed=1, epochs=range(1))


def test_make_chunks_is_the_answer_to_an_exercise_of_the_training_notebook():
    """The student edition runs the student's make_chunks wherever the package cuts a text into chunks."""
    assert getattr(make_chunks, MARK) == "03_train.ipynb"
