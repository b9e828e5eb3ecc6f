"""The batched sampler: agrees with Keras, is reproducible, stops where it should, refuses bad arguments."""

import numpy as np
import pytest

from helpers.config import CELL_TYPES, RunConfig
from helpers.corpus.load import END
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import build_model
from helpers.rnn.sample import Sampler, draw, softmax

VOCAB = Vocabulary.from_text("<start>\n<end>\nX:1\nT:Tune\nM:6/8\nK:G\nGAB c2d|edc BAG|]\n")


def uniform(rows: int) -> np.ndarray:
    return 1.0 - np.random.default_rng(0).random((rows, 1))


def random_sampler(seed=0, **config) -> tuple[Sampler, object]:
    """A sampler over a model with random weights everywhere, biases included."""
    model = build_model(RunConfig(hidden_size=12, **config), VOCAB.size)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return Sampler(model, VOCAB), model


def always_writing(char: str) -> Sampler:
    """A sampler whose model writes the same character whatever it has read."""
    sampler, model = random_sampler()
    sampler.output_kernel = np.zeros_like(sampler.output_kernel)
    sampler.output_bias = np.where(np.array(VOCAB.chars) == char, 50.0, 0.0).astype("float32")
    return sampler


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("layers, encoding", [(1, "onehot"), (2, "onehot"), (2, "embedding")])
def test_step_by_step_probabilities_match_the_keras_model(cell, layers, encoding):
    sampler, model = random_sampler(cell=cell, layers=layers, encoding=encoding)
    text = "<start>\nX:1\nT:Tune\nM:6/8\nK:G\nGAB c2d|"
    expected = np.asarray(model(VOCAB.encode(text)[None, :]))[0]
    np.testing.assert_allclose(sampler.probabilities(text), expected, atol=1e-5)


def test_same_seed_gives_the_same_tunes_and_another_seed_others():
    sampler, _ = random_sampler(cell="GRU")
    first = sampler.sample(n=8, seed=3, max_length=60)
    assert sampler.sample(n=8, seed=3, max_length=60) == first
    assert sampler.sample(n=8, seed=4, max_length=60) != first
    assert len({tune.text for tune in first}) > 1  # the rows of a batch differ from each other


def test_each_tune_is_the_same_whatever_the_batch_size_and_when_the_others_stop():
    # A vocabulary of the <end> marker's characters only, so tunes end early and at different times.
    vocab = Vocabulary.from_text(END)
    model = build_model(RunConfig(cell="LSTM", hidden_size=8), vocab.size)
    sampler = Sampler(model, vocab)
    big = sampler.sample(n=12, seed=5, max_length=3000, temperature=3.0, prime="<")
    lengths = sorted(len(tune.text) for tune in big if tune.finished)
    assert len(lengths) >= 4 and lengths[0] < lengths[-1]  # rows left the batch at different steps
    assert sampler.sample(n=5, seed=5, max_length=3000, temperature=3.0, prime="<") == big[:5]
    for tune in big:
        assert tune.text.endswith(END) == tune.finished
        assert END not in tune.text[:-1]


def test_max_length_is_respected_when_end_never_comes():
    tunes = always_writing("G").sample(n=3, max_length=25)
    assert [tune.text for tune in tunes] == ["G" * 25] * 3
    assert not any(tune.finished for tune in tunes)


def test_writing_stops_at_end_and_the_prime_counts_towards_it():
    tunes = always_writing(">").sample(n=2, prime="X:1\nK:G\nGAB\n<end", max_length=50)
    assert [tune.text for tune in tunes] == [">", ">"]
    assert all(tune.finished for tune in tunes)
    assert tunes[0].abc == "X:1\nK:G\nGAB\n"


def test_greedy_top_k_follows_the_most_likely_character():
    sampler, _ = random_sampler(cell="LSTM")
    tune = sampler.sample(n=1, top_k=1, max_length=30, prime="<start>\n")[0]
    probabilities = sampler.probabilities("<start>\n" + tune.text)
    assert VOCAB.decode(probabilities[-len(tune.text) - 1 : -1].argmax(axis=1)) == tune.text


def test_draw_follows_the_temperature_scaled_distribution():
    logits = np.tile(np.log(np.array([0.1, 0.1, 0.2, 0.6])), (200_000, 1))
    for temperature in (0.5, 1.0, 2.0):
        ids = draw(logits.copy(), temperature, None, None, uniform(len(logits)))
        expected = softmax(np.log(np.array([0.1, 0.2, 0.6])) / temperature)  # the unknown id 0 is never drawn
        observed = np.bincount(ids, minlength=4) / len(ids)
        assert observed[0] == 0
        np.testing.assert_allclose(observed[1:], expected, atol=0.005)


def test_nucleus_keeps_the_smallest_set_that_reaches_top_p():
    logits = np.tile(np.log(np.array([0.01, 0.09, 0.3, 0.6])), (50_000, 1))
    ids = draw(logits.copy(), 1.0, None, 0.8, uniform(len(logits)))
    observed = np.bincount(ids, minlength=4) / len(ids)
    np.testing.assert_allclose(observed, [0, 0, 1 / 3, 2 / 3], atol=0.01)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"temperature": 0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"max_length": 0}, "max_length"),
        ({"n": 0}, "at least 1"),
        ({"prime": "<start>\nX:1\nT:Grünwald"}, "never saw"),
        ({"prime": ""}, "at least one character"),
        ({"top_k": 0}, "top_k"),
        ({"top_p": 1.5}, "top_p"),
    ],
)
def test_bad_arguments_give_a_clear_error(arguments, message):
    sampler, _ = random_sampler()
    with pytest.raises(ValueError, match=message):
        sampler.sample(**arguments)


def test_end_marker_is_in_the_test_vocabulary():
    assert not VOCAB.unknown_characters(END)
