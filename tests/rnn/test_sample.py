"""The batched sampler: agrees with Keras, is reproducible, stops where it should, refuses bad arguments."""

from dataclasses import replace
from pathlib import Path

import keras
import numpy as np
import pytest
from tune_checks import same_draws

from helpers.config import CELL_TYPES, RunConfig
from helpers.corpus.load import END
from helpers.corpus.vocab import Vocabulary
from helpers.rnn import cells, sample
from helpers.rnn.model import OneHot, build_model
from helpers.rnn.sample import Sampler, draw

SHIPPED_MODELS = Path(__file__).resolve().parents[2] / "models"

VOCAB = Vocabulary.from_text("<start>\n<end>\nX:1\nT:Tune\nM:6/8\nK:G\nGAB c2d|edc BAG|]\n")


def uniform(rows: int) -> np.ndarray:
    return 1.0 - np.random.default_rng(0).random((rows, 1))


def randomize(model: keras.Model, seed: int = 0) -> keras.Model:
    """The model with random weights everywhere, biases included."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def random_sampler(seed=0, **config) -> tuple[Sampler, keras.Model]:
    """A sampler over a model with random weights everywhere, biases included."""
    model = randomize(build_model(RunConfig(hidden_size=12, **config), VOCAB.size), seed)
    return Sampler(model, VOCAB), model


def keras_probabilities(model: keras.Model, text: str) -> np.ndarray:
    """The Keras model's next-character probabilities (its softmax output)."""
    return np.asarray(model(VOCAB.encode(text)[None, :]))[0]


def model_of(*recurrent: keras.layers.Layer, output: keras.layers.Layer | None = None) -> keras.Model:
    """One-hot input, the given layers in this order, and a Dense softmax output."""
    ids = keras.Input(shape=(None,), dtype="int32")
    x = OneHot(VOCAB.size, name="onehot")(ids)
    for layer in recurrent:
        x = layer(x)
    return keras.Model(ids, (output or keras.layers.Dense(VOCAB.size, activation="softmax", name="next_char"))(x))


def always_writing(char: str) -> Sampler:
    """A sampler whose model writes the same character whatever it has read."""
    sampler, model = random_sampler()
    sampler.output_kernel = np.zeros_like(sampler.output_kernel)
    sampler.output_bias = np.where(np.array(VOCAB.chars) == char, 50.0, 0.0).astype("float32")
    return sampler


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("layers, encoding", [(1, "onehot"), (2, "onehot"), (2, "embedding"), (1, "embedding")])
def test_step_by_step_probabilities_match_the_keras_model(cell, layers, encoding):
    model = randomize(build_model(RunConfig(hidden_size=12, cell=cell, layers=layers, encoding=encoding), VOCAB.size))
    text = "<start>\nX:1\nT:Tune\nM:6/8\nK:G\nGAB c2d|"
    np.testing.assert_allclose(Sampler(model, VOCAB).probabilities(text), keras_probabilities(model, text), atol=1e-5)


@pytest.mark.parametrize("name", ["baseline", "best"])
def test_the_shipped_softmax_models_load_and_write_tunes(name):
    sampler = Sampler.from_run(SHIPPED_MODELS / name)  # loading checks its probabilities against Keras
    tunes = sampler.sample(n=4, seed=0, max_length=400)
    assert all(tune.text for tune in tunes)
    assert "X:" in "".join(tune.abc for tune in tunes)


def test_layers_are_read_in_model_order_not_by_name():
    model = randomize(build_model(RunConfig(hidden_size=4, layers=11), VOCAB.size))  # rnn_10 sorts before rnn_2
    text = "<start>\nX:1\nK:G\nGAB|"
    np.testing.assert_allclose(Sampler(model, VOCAB).probabilities(text), keras_probabilities(model, text), atol=1e-5)
    renamed = randomize(
        model_of(
            keras.layers.GRU(6, return_sequences=True, name="rnn_2"),
            keras.layers.LSTM(5, return_sequences=True, name="rnn_10"),
        )
    )
    np.testing.assert_allclose(
        Sampler(renamed, VOCAB).probabilities(text), keras_probabilities(renamed, text), atol=1e-5
    )


@pytest.mark.parametrize(
    "layer, message",
    [
        (keras.layers.GRU(8, return_sequences=True, reset_after=False), "reset_after=False; .* only reset_after=True"),
        (keras.layers.SimpleRNN(8, return_sequences=True, activation="relu"), "activation='relu'"),
        (keras.layers.LSTM(8, return_sequences=True, recurrent_activation="hard_sigmoid"), "recurrent_activation"),
        (keras.layers.LSTM(8, return_sequences=True, use_bias=False), "use_bias=False"),
        (keras.layers.GRU(8, return_sequences=True, go_backwards=True), "go_backwards=True"),
        (keras.layers.SimpleRNN(8), "return_sequences=False"),
        (keras.layers.LayerNormalization(), "is not where the NumPy sampler can run it"),
        (keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True)), "Bidirectional"),
    ],
)
def test_a_layer_the_equations_do_not_implement_is_refused_by_name(layer, message):
    layers = (keras.layers.SimpleRNN(8, return_sequences=True, name="first"), layer)
    with pytest.raises(ValueError, match=f"layer '{layer.name}'.*{message}"):
        Sampler(model_of(*layers), VOCAB)


def test_a_stateful_layer_and_an_unknown_output_activation_are_refused():
    ids = keras.Input(batch_shape=(1, None), dtype="int32")
    stateful = keras.layers.LSTM(4, return_sequences=True, stateful=True, name="kept_state")
    model = keras.Model(ids, keras.layers.Dense(VOCAB.size, activation="softmax")(stateful(OneHot(VOCAB.size)(ids))))
    with pytest.raises(ValueError, match="layer 'kept_state'.*stateful=True.*only stateful=False"):
        Sampler(model, VOCAB)
    for activation in ("relu", "linear"):
        output = keras.layers.Dense(VOCAB.size, activation=activation, name="next_char")
        with pytest.raises(ValueError, match=f"'next_char' has activation='{activation}'.*'softmax'"):
            Sampler(model_of(keras.layers.GRU(4, return_sequences=True), output=output), VOCAB)


def test_a_wrong_equation_is_caught_when_the_model_is_loaded(monkeypatch):
    monkeypatch.setattr(cells, "sigmoid", lambda x: 1.0 / (1.0 + np.exp(-1.01 * x)))
    with pytest.raises(ValueError, match="differ from Keras's by .*tolerance.*lstm_step of helpers.rnn.cells"):
        random_sampler(cell="LSTM")


@pytest.mark.parametrize("cell, function", [("SimpleRNN", "simple_rnn_step"), ("GRU", "gru_step")])
def test_a_cell_that_returns_nothing_is_named_when_the_model_is_loaded(monkeypatch, cell, function):
    # A cell step that returns nothing (a missing return) is named, with what it should have returned.
    monkeypatch.setattr(cells, function, lambda *arguments: None)
    with pytest.raises(ValueError, match=rf"{function} of helpers.rnn.cells returned NoneType .*shape \(2, 12\)"):
        random_sampler(cell=cell)
    monkeypatch.setattr(cells, function, lambda x, h, *weights: h[:, :3])
    with pytest.raises(ValueError, match=rf"{function} .* returned ndarray \(2, 3\) for layer 0"):
        random_sampler(cell=cell)


def test_sampling_uses_the_cell_functions_of_the_cells_module(monkeypatch):
    calls = []
    step = cells.gru_step
    monkeypatch.setattr(cells, "gru_step", lambda *arguments: calls.append(1) or step(*arguments))
    sampler, _ = random_sampler(cell="GRU", layers=2)
    calls.clear()
    sampler.sample(n=3, max_length=10, prime="<start>\n")
    assert len(calls) >= 2 * 10  # each of the 2 layers, at each step of the prime and of the tune


def test_weights_changed_after_loading_fail_the_check_against_keras():
    sampler, model = random_sampler(cell="GRU")
    sampler.check_against(model)
    sampler.layers[0].recurrent_kernel[0, 0] += 0.05
    with pytest.raises(ValueError, match="differ from Keras"):
        sampler.check_against(model)


def test_same_seed_gives_the_same_tunes_and_another_seed_others():
    sampler, _ = random_sampler(cell="GRU")
    first = sampler.sample(n=8, seed=3, max_length=60)
    assert sampler.sample(n=8, seed=3, max_length=60) == first
    assert sampler.sample(n=8, seed=4, max_length=60) != first
    assert len({tune.text for tune in first}) > 1  # the rows of a batch differ from each other


def test_the_same_draws_allow_only_the_last_digits_of_what_was_measured_to_differ():
    tune = sample.GeneratedTune("<", "abc", True, surprisal=1.6092863421, removed_mass=0.25)
    assert same_draws([tune], [replace(tune, surprisal=1.6092863424)])
    assert not same_draws([tune], [replace(tune, surprisal=1.61)])
    assert not same_draws([tune], [replace(tune, removed_mass=None)])
    assert not same_draws([tune], [replace(tune, text="abd")]) and not same_draws([tune], [tune, tune])


def test_each_tune_is_the_same_whatever_the_batch_size_and_when_the_others_stop():
    # A vocabulary of the <end> marker's characters only, so tunes end early and at different times.
    vocab = Vocabulary.from_text(END)
    model = build_model(RunConfig(cell="LSTM", hidden_size=8), vocab.size)
    sampler = Sampler(model, vocab)
    big = sampler.sample(n=12, seed=5, max_length=3000, temperature=3.0, prime="<")
    lengths = sorted(len(tune.text) for tune in big if tune.finished)
    assert len(lengths) >= 4 and lengths[0] < lengths[-1]  # rows left the batch at different steps
    assert same_draws(sampler.sample(n=5, seed=5, max_length=3000, temperature=3.0, prime="<"), big[:5])
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
    logits = np.tile([-np.inf, *np.log([0.1, 0.2, 0.6])], (200_000, 1))  # id 0, masked, is never drawn
    for temperature in (0.5, 1.0, 2.0):
        ids = draw(logits.copy(), temperature, None, None, uniform(len(logits)))
        expected = np.array([0.1, 0.2, 0.6]) ** (1 / temperature) / np.sum(
            np.array([0.1, 0.2, 0.6]) ** (1 / temperature)
        )
        observed = np.bincount(ids, minlength=4) / len(ids)
        assert observed[0] == 0
        np.testing.assert_allclose(observed[1:], expected, atol=0.005)


def test_the_unknown_symbol_is_never_written_even_when_the_network_wants_it():
    tunes = always_writing(VOCAB.chars[0]).sample(n=4, max_length=20, top_p=0.5)
    assert all(tune.text and VOCAB.chars[0] not in tune.text for tune in tunes)


def test_draw_samples_each_row_from_its_tempered_softmax_without_overflow():
    n = 40_000
    logits = np.tile([-np.inf, 1000.0, 1000.0 + np.log(3.0)], (n, 1))  # exp(1000) overflows: the softmax is stable
    for temperature, share in ((1.0, 0.75), (2.0, np.sqrt(3) / (1 + np.sqrt(3))), (0.5, 0.9)):
        observed = np.bincount(draw(logits.copy(), temperature, None, None, uniform(n)), minlength=3) / n
        np.testing.assert_allclose(observed, [0.0, 1 - share, share], atol=0.01)
    rows = np.array([[-np.inf, 5.0, 0.0], [-np.inf, 0.0, 5.0]])  # each row has its own distribution
    assert draw(rows, 1e-3, None, None, uniform(2)).tolist() == [1, 2]


def test_nucleus_keeps_the_smallest_set_that_reaches_top_p():
    logits = np.tile([-np.inf, *np.log([0.09, 0.3, 0.6])], (50_000, 1))
    ids = draw(logits.copy(), 1.0, None, 0.8, uniform(len(logits)))
    observed = np.bincount(ids, minlength=4) / len(ids)
    np.testing.assert_allclose(observed, [0, 0, 1 / 3, 2 / 3], atol=0.01)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"temperature": 0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("inf")}, r"temperature must be a positive number between 1e-06 and 1e\+06, got inf"),
        ({"temperature": float("nan")}, r"temperature must be a positive number between 1e-06 and 1e\+06, got nan"),
        (
            {"temperature": 1e-300},
            r"temperature must be a positive number between 1e-06 and 1e\+06, got 1e-300.*top_k=1",
        ),
        ({"temperature": 1e39}, r"temperature must be a positive number between 1e-06 and 1e\+06, got 1e\+39"),
        ({"temperature": 2e6}, r"between 1e-06 and 1e\+06, got 2000000.0"),
        ({"max_length": 0}, "max_length"),
        ({"max_length": 10**9}, "max_length must be at most 100000, got 1000000000"),
        ({"n": 10**5}, r"\(batch size\) n must be at most 10000, got 100000"),
        ({"n": 1000, "max_length": 10**7}, "max_length must be at most 100000, got 10000000"),
        ({"n": 1000, "max_length": 50_000}, r"n × \(prime \+ max_length\) = 1000 × \(8 \+ 50000\).*at most 20000000"),
        ({"prime": "<start>\nX:1\nK:G\nGAB|]\n<end>\n"}, "prime holds <end> at index 22.*already finished"),
        ({"n": 0}, "at least 1"),
        ({"seed": -1}, "seed must be at least 0, got -1"),
        ({"prime": "<start>\nX:1\nT:Grünwald"}, "never saw"),
        ({"prime": ""}, "at least one character"),
        ({"top_k": 0}, "top_k"),
        ({"top_p": 1.5}, "top_p"),
        ({"top_p": 0.0}, "top_p"),
    ],
)
def test_bad_arguments_give_a_clear_error(arguments, message):
    sampler, _ = random_sampler()
    with pytest.raises(ValueError, match=message):
        sampler.sample(**arguments)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"temperature": "1"}, r"temperature must be a number, got '1' \(str\)"),
        ({"temperature": True}, r"temperature must be a number, got True \(bool\)"),
        ({"top_k": 2.5}, r"top_k \(or None\) must be an integer, got 2.5 \(float\)"),
        ({"top_k": True}, r"top_k \(or None\) must be an integer, got True"),
        ({"top_p": "0.9"}, "top_p must be a number"),
        ({"seed": 1.5}, r"seed must be an integer, got 1.5"),
        ({"seed": None}, r"seed must be an integer, got None"),
        ({"n": 2.0}, r"\(batch size\) n must be an integer, got 2.0"),
        ({"n": True}, "must be an integer, got True"),
        ({"max_length": "10"}, "max_length must be an integer"),
        ({"prime": 5}, r"prime must be a str, got 5 \(int\)"),
    ],
)
def test_arguments_of_the_wrong_type_give_a_clear_type_error(arguments, message):
    sampler, _ = random_sampler()
    with pytest.raises(TypeError, match=message):
        sampler.sample(**arguments)


def test_the_largest_and_smallest_temperatures_allowed_sample_real_characters():
    sampler, _ = random_sampler()
    for temperature in (sample.MIN_TEMPERATURE, sample.MAX_TEMPERATURE):
        for constrained in (False, True):
            tunes = sampler.sample(n=4, temperature=temperature, max_length=200, constrained=constrained)
            assert all(tune.text and VOCAB.chars[0] not in tune.text for tune in tunes)


def test_the_largest_batch_is_accepted():
    assert len(always_writing("G").sample(n=sample.MAX_TUNES, max_length=1)) == sample.MAX_TUNES


def test_numpy_integers_and_floats_are_accepted():
    sampler, _ = random_sampler()
    tunes = sampler.sample(
        n=np.int64(2), temperature=np.float32(0.8), seed=np.int32(3), top_k=np.int64(5), max_length=5
    )
    assert tunes == sampler.sample(n=2, temperature=0.8, seed=3, top_k=5, max_length=5)


def test_end_marker_is_in_the_test_vocabulary():
    assert not VOCAB.unknown_characters(END)
