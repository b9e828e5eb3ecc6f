"""Training chunks for teacher forcing: each target is its input shifted one character on."""

import numpy as np
import pytest

from helpers.rnn.pipeline import make_chunks, make_dataset


def random_ids(length: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 40, size=length, dtype=np.int32)


def batches(dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    """One pass over a dataset as numpy (inputs, targets) pairs."""
    return [(inputs.numpy(), targets.numpy()) for inputs, targets in dataset]


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


def test_same_shuffle_seed_gives_the_same_order():
    ids = random_ids(201)
    first = batches(make_dataset(ids, 10, 4, shuffle_seed=5))
    second = batches(make_dataset(ids, 10, 4, shuffle_seed=5))
    assert [b[0].tolist() for b in first] == [b[0].tolist() for b in second]
    assert [b[1].tolist() for b in first] == [b[1].tolist() for b in second]


def test_shuffled_chunks_are_reordered_but_keep_their_targets():
    ids = random_ids(201)
    inputs, targets = make_chunks(ids, 10)
    epoch = batches(make_dataset(ids, 10, 4, shuffle_seed=5))
    shuffled_inputs = np.concatenate([b[0] for b in epoch])
    shuffled_targets = np.concatenate([b[1] for b in epoch])
    assert shuffled_inputs.tolist() != inputs.tolist()
    pairs = sorted(zip(map(tuple, shuffled_inputs), map(tuple, shuffled_targets), strict=True))
    assert pairs == sorted(zip(map(tuple, inputs), map(tuple, targets), strict=True))


def test_another_seed_gives_another_order_and_each_epoch_is_reshuffled():
    ids = random_ids(201)
    dataset = make_dataset(ids, 10, 4, shuffle_seed=5)
    first_epoch, second_epoch = batches(dataset), batches(dataset)
    other_seed = batches(make_dataset(ids, 10, 4, shuffle_seed=6))
    assert [b[0].tolist() for b in first_epoch] != [b[0].tolist() for b in second_epoch]
    assert [b[0].tolist() for b in first_epoch] != [b[0].tolist() for b in other_seed]
