"""What the student edition's package computes instead of each answer (the framework's own), and the sampler's use
of a student's step function: used where it agrees with Keras, else left out with one line saying so."""

import re

import keras
import numpy as np
import pytest

from helpers.assignment.edition import stub_exercises
from helpers.corpus import vocab as corpus_vocab
from helpers.corpus.vocab import UNKNOWN, Vocabulary
from helpers.exercise import yours_if_same
from helpers.rnn import cells, pipeline
from helpers.rnn.model import (
    ARCHITECTURES,
    OneHot,
    RunConfig,
    build_model,
    reference_model,
    usable_builder,
    write_architectures,
)
from helpers.rnn.sample import Sampler

VOCAB = Vocabulary.from_text("<start>\n<end>\nX:1\nT:Tune\nM:6/8\nK:G\nGAB c2d|edc BAG|]\n")


@pytest.mark.parametrize("kind, gates", [("SimpleRNN", 1), ("GRU", 3), ("LSTM", 4)])
def test_keras_cells_compute_the_same_step_as_the_equations(kind, gates):
    rng = np.random.default_rng(gates)
    x, h, c = rng.normal(size=(3, 5)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    kernel, recurrent = rng.normal(size=(5, gates * 4)), rng.normal(size=(4, gates * 4))
    bias = rng.normal(size=(2, 12)) if kind == "GRU" else rng.normal(size=gates * 4)
    if kind == "LSTM":
        expected, found = (
            cells.lstm_step(x, h, c, kernel, recurrent, bias),
            cells.keras_lstm_step(x, h, c, kernel, recurrent, bias),
        )
    else:
        name = {"SimpleRNN": "simple_rnn_step", "GRU": "gru_step"}[kind]
        expected = (getattr(cells, name)(x, h, kernel, recurrent, bias),)
        found = (getattr(cells, f"keras_{name}")(x, h, kernel, recurrent, bias),)
    for wanted, got in zip(expected, found, strict=True):
        np.testing.assert_allclose(got, wanted, atol=1e-5)


def test_keras_encode_and_decode_agree_with_the_answers():
    chars = (UNKNOWN, "\n", " ", "A", "B", "|", "é", "ß")
    text = "AB |\nAxé ßß?\n"
    np.testing.assert_array_equal(corpus_vocab.keras_encode(chars, text), corpus_vocab.encode(chars, text))
    ids = [3, 4, 0, 6, 7, 1]
    assert corpus_vocab.keras_decode(chars, ids) == corpus_vocab.decode(chars, ids) == "AB\ufffdéß\n"
    assert corpus_vocab.keras_encode(chars, "").shape == (0,) and corpus_vocab.keras_decode(chars, []) == ""


@pytest.mark.parametrize("length, chunk", [(23, 5), (11, 10), (100, 1), (26, 25)])
def test_framed_chunks_are_make_chunks(length, chunk):
    ids = np.random.default_rng(length).integers(0, 30, length)
    for framed, made in zip(pipeline.framed_chunks(ids, chunk), pipeline.make_chunks(ids, chunk), strict=True):
        np.testing.assert_array_equal(framed, made)
    with pytest.raises(ValueError, match="too short for chunks of 30"):
        pipeline.framed_chunks(ids[:30], 30)


def test_an_exercise_with_a_fallback_is_stubbed_to_call_it_and_keeps_no_answer():
    source = (
        "@exercise('03_train.ipynb', fallback='framed')\n"
        "def chunks(ids, n, name='text'):\n"
        '    """Doc."""\n'
        "    secret = ids[:n].reshape(1, n)\n"
        "    return secret\n"
    )
    stubbed, removed = stub_exercises(source)
    assert "secret" not in stubbed and "secret = ids[:n]" in removed[0]
    assert "return framed(ids, n, name)" in stubbed
    namespace = {"exercise": lambda *a, **k: lambda f: f, "framed": lambda ids, n, name: ("framed", n, name)}
    exec(stubbed, namespace)
    assert namespace["chunks"]([1, 2], 2) == ("framed", 2, "text")
    assert "student_version" not in stubbed


def random_model(cell: str):

    model = build_model(RunConfig(cell=cell, hidden_size=6), VOCAB.size)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def test_a_correct_student_step_runs_the_sampler(capsys):
    calls = []

    def simple_rnn_step(x, h, kernel, recurrent_kernel, bias):
        calls.append(len(x))
        return np.tanh(x @ kernel + h @ recurrent_kernel + bias)

    sampler = Sampler(random_model("SimpleRNN"), VOCAB, steps={"SimpleRNN": simple_rnn_step, "GRU": cells.gru_step})
    assert sampler.layers[0].function is simple_rnn_step and "did not pass" not in capsys.readouterr().out
    calls.clear()
    sampler.sample(n=3, max_length=5)
    assert calls and set(calls) == {3}


@pytest.mark.parametrize(
    "wrong, reason",
    [
        (
            lambda x, h, kernel, recurrent_kernel, bias: np.tanh(x @ kernel + bias),
            r"probabilities 0\.\d+ away from Keras's",
        ),
        (lambda x, h, kernel, recurrent_kernel, bias: None, "returned NoneType"),
        (lambda x, h, kernel, recurrent_kernel, bias: 1 / 0, "division by zero"),
    ],
)
def test_a_wrong_student_step_is_left_out_with_one_line_and_the_sampler_goes_on(wrong, reason, capsys):
    wrong.__name__ = "simple_rnn_step"
    model = random_model("SimpleRNN")
    sampler = Sampler(model, VOCAB, steps={"SimpleRNN": wrong})
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1 and "your simple_rnn_step did not pass" in lines[0] and re.search(reason, lines[0]), lines
    assert "Keras's own SimpleRNN cell" in lines[0] and "bug" not in lines[0]
    assert sampler.layers[0].function is None
    np.testing.assert_allclose(
        sampler.probabilities("<start>\nX:1"), np.asarray(model(VOCAB.encode("<start>\nX:1")[None]))[0], atol=1e-4
    )


def test_steps_are_named_by_cell_type():
    with pytest.raises(ValueError, match="by cell type"):
        Sampler(random_model("SimpleRNN"), VOCAB, steps={"simple_rnn_step": cells.simple_rnn_step})


@pytest.fixture(scope="module")
def architectures(tmp_path_factory):
    """A student edition's root with the reference architectures its build writes."""
    root = tmp_path_factory.mktemp("edition")
    write_architectures(root / ARCHITECTURES, max_layers=2)
    return root


@pytest.mark.parametrize(
    "config",
    [
        RunConfig(),
        RunConfig(cell="LSTM", hidden_size=33, layers=2, dropout=0.25, encoding="embedding", embedding_dim=7),
        RunConfig(cell="GRU", hidden_size=97, layers=2),  # the vocabulary's sentinel as a hidden size
    ],
    ids=lambda config: config.slug,
)
def test_the_reference_architecture_is_build_models_model(architectures, monkeypatch, config):
    monkeypatch.setenv("MUSICRNN_ROOT", str(architectures))
    keras.utils.set_random_seed(3)
    made = reference_model(config, 41)
    keras.utils.set_random_seed(3)
    built = build_model(config, 41)
    assert made.name == built.name == config.slug
    assert [(type(layer).__name__, layer.name) for layer in made.layers] == [
        (type(layer).__name__, layer.name) for layer in built.layers
    ]
    for ours, theirs in zip(made.get_weights(), built.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert [getattr(layer, "rate", None) for layer in made.layers] == [
        getattr(layer, "rate", None) for layer in built.layers
    ]


def test_an_architecture_the_edition_lacks_is_a_clear_error(architectures, monkeypatch):
    monkeypatch.setenv("MUSICRNN_ROOT", str(architectures))
    with pytest.raises(ValueError, match="no reference architecture for GRU-l3-onehot.*write build_model in 03_train"):
        reference_model(RunConfig(cell="GRU", layers=3), 20)


def right_builder(config, vocab_size):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.SimpleRNN(config.hidden_size, return_sequences=True)(OneHot(vocab_size)(ids))
    return keras.Model(ids, keras.layers.Dense(vocab_size, activation="softmax")(x))


def no_bias_output(config, vocab_size):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.SimpleRNN(config.hidden_size, return_sequences=True)(OneHot(vocab_size)(ids))
    return keras.Model(ids, keras.layers.Dense(vocab_size, activation="softmax", use_bias=False)(x))


def logits_output(config, vocab_size):
    ids = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.SimpleRNN(config.hidden_size, return_sequences=True)(OneHot(vocab_size)(ids))
    return keras.Model(ids, keras.layers.Dense(vocab_size, name="next_char")(x))


def test_a_student_builder_of_the_same_model_is_used(capsys):
    assert usable_builder(right_builder, RunConfig(hidden_size=8), 12) is right_builder
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "wrong, reason",
    [
        (no_bias_output, "it has 264 weights, the package's model 276"),
        (logits_output, "activation='linear'"),
        (lambda config, vocab_size: None, "it returned NoneType, not a keras.Model"),
        (lambda config, vocab_size: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_a_wrong_student_builder_is_replaced_by_the_package_in_one_line(wrong, reason, capsys):
    assert usable_builder(wrong, RunConfig(hidden_size=8), 12) is build_model
    (line,) = capsys.readouterr().out.splitlines()
    assert "(exercise 11) did not pass" in line and reason in line and "the package's model" in line, line


def test_a_student_function_that_differs_from_the_package_on_a_probe_is_replaced(capsys):
    probes = [(np.arange(23), 5), (np.arange(11), 10)]
    right = pipeline.framed_chunks
    assert yours_if_same(right, pipeline.make_chunks, probes, "make_chunks") is right
    assert capsys.readouterr().out == ""

    def off_by_one(ids, chunk_length, name="text"):
        inputs, targets = pipeline.make_chunks(ids, chunk_length, name)
        return inputs, inputs

    def unanswered(ids, chunk_length, name="text"):
        return None

    for wrong in (off_by_one, unanswered, lambda ids, chunk_length: 1 / 0):
        assert yours_if_same(wrong, pipeline.make_chunks, probes, "make_chunks") is pipeline.make_chunks
        (line,) = capsys.readouterr().out.splitlines()
        assert line.startswith("⚠ your make_chunks did not pass") and "going on with the package's" in line


def test_the_pattern_header_check_agrees_with_header_in_order_on_every_short_header():
    import itertools

    from helpers.analysis import checks

    letters = ["X", "T", "M", "L", "K", "Q", None]
    for length in range(6):
        for combination in itertools.product(letters, repeat=length):
            fields = [(letter, "1") if letter else None for letter in combination]
            assert checks.header_in_order_by_pattern(fields) == checks.header_in_order(fields), combination


def test_the_student_editions_picture_of_a_unit_is_an_image_with_every_character():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.report import neuron_plots

    text = "X:1\nK:G\nGAB|\n"
    figure = neuron_plots.activation_strip(text, np.linspace(-1, 1, len(text)))
    strip = figure.axes[1]
    assert strip.images and [label.get_text() for label in strip.get_xticklabels()] == [
        neuron_plots.NEWLINE_GLYPH if char == "\n" else char for char in text
    ]
    with pytest.raises(ValueError, match="one value per character"):
        neuron_plots.activation_strip(text, np.zeros(3))


def test_the_student_editions_package_splits_nothing():
    from helpers.corpus import split

    with pytest.raises(NotImplementedError, match="notebook 01_data does, with your split_by_tune"):
        split.no_split([], 1)


def test_the_frameworks_clipping_and_training_stand_in_for_02s_exercises():
    import math

    from helpers.rnn.autodiff import keras_clip_by_global_norm, keras_training

    gradients = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0, 4.0]])}
    clipped, norm = keras_clip_by_global_norm(gradients, 1.0)
    assert norm == pytest.approx(5.0) and clipped["a"] == pytest.approx([0.6, 0.0]) and clipped["b"].shape == (1, 2)
    assert keras_clip_by_global_norm(gradients, 10.0)[0]["b"] == pytest.approx(gradients["b"])
    rng = np.random.default_rng(0)
    params = {
        "kernel": rng.normal(0, 0.1, (5, 8)),
        "recurrent_kernel": rng.normal(0, 0.1, (8, 8)),
        "bias": np.zeros(8),
        "output_kernel": rng.normal(0, 0.1, (8, 5)),
        "output_bias": np.zeros(5),
    }
    ids = np.tile(np.arange(5), 40)  # 0 1 2 3 4 0 1 ...: easy to learn
    weights, losses = keras_training(params, ids, steps=150, chunk_length=10)
    assert len(losses) == 150 and losses[0] == pytest.approx(math.log(5), abs=0.1) and losses[-1] < 0.5 * losses[0]
    assert set(weights) == set(params) and all(weights[name].shape == params[name].shape for name in params)


def test_a_result_within_tolerance_agrees_and_one_outside_does_not():
    from helpers.exercise import agree

    wanted = (1.0, {"w": np.ones(3), "b": np.zeros(2)}, np.arange(4.0))
    assert agree((1.0 + 1e-9, {"w": np.ones(3), "b": np.zeros(2)}, np.arange(4.0)), wanted, tolerance=1e-6)
    assert not agree((1.01, {"w": np.ones(3), "b": np.zeros(2)}, np.arange(4.0)), wanted, tolerance=1e-6)
    assert not agree((1.0, {"w": np.ones(3)}, np.arange(4.0)), wanted, tolerance=1e-6)  # a gradient missing
    assert not agree((1.0, {"w": np.ones((3, 1)), "b": np.zeros(2)}, np.arange(4.0)), wanted, tolerance=1e-6)
    assert not agree(None, wanted) and not agree((1.0, None, None), wanted)
