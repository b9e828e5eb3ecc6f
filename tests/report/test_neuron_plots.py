"""character_heatmap lays a text out in its lines with one coloured cell per character; neuron_heatmap relies on it."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.analysis.neurons import Activations
from helpers.report import neuron_plots
from helpers.report.neuron_plots import character_heatmap, neuron_heatmap

TEXT = "X:1\nK:G\nGAB|\n"


def test_each_character_is_one_cell_of_its_line():
    values = np.linspace(-0.9, 0.9, len(TEXT))
    fig = character_heatmap(TEXT, values, limit=0.5)
    (image,) = fig.axes[0].images
    grid = np.ma.filled(image.get_array(), np.nan)
    assert grid.shape == (3, 5)  # three lines, the longest "GAB|\n" has five characters
    np.testing.assert_allclose(grid[1, :4], values[4:8])
    assert np.isnan(grid[0, 4])  # "X:1\n" is one cell short of the longest line
    assert image.get_clim() == pytest.approx((-0.5, 0.5))
    assert "".join(text.get_text() for text in fig.axes[0].texts) == TEXT.replace("\n", neuron_plots.NEWLINE_GLYPH)
    plt.close(fig)


def test_long_lines_are_wrapped():
    fig = character_heatmap("abcdefg", np.zeros(7), max_columns=3)
    assert fig.axes[0].images[0].get_array().shape == (3, 3)
    plt.close(fig)


def test_one_value_is_needed_per_character():
    with pytest.raises(ValueError, match="one value per character"):
        character_heatmap(TEXT, np.zeros(3))


def activations(units=4, seed=0):
    values = np.random.default_rng(seed).uniform(-1, 1, size=(len(TEXT), units)).astype("float32")
    return Activations(TEXT, ("SimpleRNN",), (values,), (None,))


def test_neuron_heatmap_draws_the_units_values_with_a_title_and_a_colour_bar():
    recorded = activations()
    fig = neuron_heatmap(recorded, 2, title="unit two")
    grid = np.ma.filled(fig.axes[0].images[0].get_array(), np.nan)
    np.testing.assert_allclose(grid[2, :5], recorded.hidden[0][8:13, 2])
    assert fig.axes[0].get_title(loc="left") == "unit two"
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    plt.close(fig)


def test_a_character_heatmap_that_returns_no_figure_is_named(monkeypatch):
    # In the student edition character_heatmap is the student's own function.
    monkeypatch.setattr(neuron_plots, "character_heatmap", lambda text, values, limit, max_columns: None)
    with pytest.raises(ValueError, match="character_heatmap returned NoneType, not a matplotlib Figure"):
        neuron_heatmap(activations(), 0)
