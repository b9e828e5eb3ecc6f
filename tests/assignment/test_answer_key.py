"""The notebooks are the answer key: each solution is real code in its notebook, and where the package needs the
same function for its own work, the notebook's solution and the package's version agree."""

import json
from pathlib import Path

import numpy as np
import pytest
from notebook_source import definition_in
from scipy.special import softmax

from helpers.assignment.edition import cell_text, marked_cells

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def solution(notebook: str, name: str):
    """The function `name` as the solution cell of the notebook defines it, with the notebook's imports."""
    path = NOTEBOOKS / notebook
    return definition_in(json.loads(path.read_text(encoding="utf-8")), name, path)


def test_every_solution_is_code_not_a_call_into_the_package():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell, in_solution, _ in marked_cells(path):
            text = cell_text(cell)
            assert "the package's answer" not in text, f"{path.name}: a solution calls the package"
            if in_solution and cell["cell_type"] == "code" and text.lstrip().startswith("def "):
                body = [line for line in text.splitlines()[1:] if line.strip() and not line.strip().startswith("#")]
                assert len(body) >= 2, f"{path.name}: the solution {text.splitlines()[0]} has no body"


def test_split_and_vocabulary_agree_with_the_package():
    from helpers.corpus import split, vocab
    from helpers.corpus.load import Tune

    tunes = [Tune("test", f"X:{n}\nT:T{n}\nK:G\nGAB|") for n in range(41)]
    mine = solution("01_data.ipynb", "split_by_tune")
    for seed, fractions, max_tunes in ((0, (0.1, 0.1), None), (7, (0.2, 0.15), 30), (3, (0.3, 0.1), 11)):
        assert mine(tunes, seed, fractions, max_tunes) == split.split_by_tune(tunes, seed, fractions, max_tunes)
    chars = (vocab.UNKNOWN, *"\nABC|:")
    text = "AB|\nCZ:A"
    assert solution("01_data.ipynb", "encode")(chars, text).tolist() == vocab.encode(chars, text).tolist()
    ids = [1, 2, 0, 6]
    assert solution("01_data.ipynb", "decode")(chars, ids) == vocab.decode(chars, ids)


def test_chunks_and_models_agree_with_the_package():
    from helpers.config import RunConfig
    from helpers.rnn import model, pipeline

    ids = np.arange(57)
    for got, want in zip(solution("03_train.ipynb", "make_chunks")(ids, 8), pipeline.make_chunks(ids, 8), strict=True):
        assert np.array_equal(got, want)
    mine = solution("03_train.ipynb", "build_model")
    for config in (
        RunConfig(),
        RunConfig(cell="LSTM", layers=2, dropout=0.2, encoding="embedding"),
        RunConfig(cell="GRU"),
    ):
        ours, theirs = mine(config, 30), model.build_model(config, 30)
        assert ours.count_params() == theirs.count_params()
        assert [type(layer).__name__ for layer in ours.layers] == [type(layer).__name__ for layer in theirs.layers]


def test_cells_and_softmax_agree_with_the_package():
    from helpers.rnn import cells

    rng = np.random.default_rng(0)
    x, h, c = rng.normal(size=(3, 5)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    for name, gates in (("simple_rnn_step", 1), ("gru_step", 3)):
        kernel, recurrent = rng.normal(size=(5, gates * 4)), rng.normal(size=(4, gates * 4))
        bias = rng.normal(size=(2, 12)) if gates == 3 else rng.normal(size=4)
        got = solution("04_generate.ipynb", name)(x, h, kernel, recurrent, bias)
        assert np.allclose(got, getattr(cells, name)(x, h, kernel, recurrent, bias), atol=1e-12), name
    kernel, recurrent, bias = rng.normal(size=(5, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    got = solution("02_scratch.ipynb", "lstm_step")(x, h, c, kernel, recurrent, bias)
    assert np.allclose(got, cells.lstm_step(x, h, c, kernel, recurrent, bias), atol=1e-12)
    logits = rng.normal(0, 20, size=(4, 9))
    logits[:, 0] = -np.inf
    for temperature in (0.1, 1.0, 3.0):
        got = solution("04_generate.ipynb", "softmax_with_temperature")(logits, temperature)
        assert np.allclose(got, softmax(logits / temperature, axis=-1), atol=1e-12)  # what the sampler draws from


def test_header_check_and_heatmap_agree_with_the_package():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.analysis import checks
    from helpers.report import neuron_plots

    headers = [[("X", "1"), ("T", "A"), ("M", "6/8"), ("K", "G")], [("X", "1"), ("K", "G")], [], [None, ("K", "D")]]
    headers += [[("X", "1"), ("M", "2/4"), ("T", "A"), ("L", "1/8"), ("K", "D")], [("T", "A"), ("X", "1"), ("K", "D")]]
    mine = solution("07_quality.ipynb", "header_in_order")
    assert [mine(fields) for fields in headers] == [checks.header_in_order(fields) for fields in headers]
    text = "X:1\nT:A\nK:G\nGABc|d2e2|\n"
    values = np.linspace(-1, 1, len(text))
    ours = solution("06_neurons.ipynb", "character_heatmap")(text, values)
    theirs = neuron_plots.character_heatmap(text, values)
    pictures = [figure.axes[0].images[0].get_array() for figure in (ours, theirs)]
    assert np.allclose(np.ma.filled(pictures[0], 9.0), np.ma.filled(pictures[1], 9.0), equal_nan=True)
    assert [t.get_text() for t in ours.axes[0].texts] == [t.get_text() for t in theirs.axes[0].texts]


@pytest.mark.parametrize("broken", ["return np.tanh(x @ kernel + bias)"])
def test_the_agreement_check_fails_on_a_wrong_solution(broken, tmp_path):
    from helpers.rnn import cells

    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": "import numpy as np\n\n"
                f"def simple_rnn_step(x, h, kernel, recurrent_kernel, bias):\n    {broken}\n",
            }
        ]
    }
    wrong = definition_in(notebook, "simple_rnn_step", tmp_path / "x.ipynb")
    rng = np.random.default_rng(1)
    x, h, kernel, recurrent, bias = (
        rng.normal(size=(2, 3)),
        rng.normal(size=(2, 4)),
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)),
        rng.normal(size=4),
    )
    assert not np.allclose(wrong(x, h, kernel, recurrent, bias), cells.simple_rnn_step(x, h, kernel, recurrent, bias))


def test_welch_test_agrees_with_the_packages_claims():
    from helpers.analysis import significance

    mine = solution("05_experiments.ipynb", "welch_test")
    rng = np.random.default_rng(8)
    for n, m in ((3, 3), (5, 3), (2, 7)):
        first, second = rng.normal(1.5, 0.05, n), rng.normal(1.45, 0.1, m)
        t, df, p = mine(first, second)
        package = significance.welch_test(first, second)
        assert (t, df, p) == pytest.approx((package["t"], package["df"], package["p"]), rel=1e-9)
