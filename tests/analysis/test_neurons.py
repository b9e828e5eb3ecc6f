"""Activations match Keras, heatmaps draw what was recorded, ranking finds the unit built to track a fact."""

import csv
import io
import random
from itertools import product

import ipywidgets as widgets
import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from helpers.abc.structure import FACTS_BY_NAME, Fact, label_structure
from helpers.analysis.neurons import (
    Activations,
    as_record,
    auc_scores,
    average_ranks,
    correlation_scores,
    example_tune,
    random_twin,
    rank_facts,
    rank_network,
    rank_units,
    record_activations,
    record_many,
    untrained_network,
    write_scores,
)
from helpers.config import CELL_TYPES, RunConfig
from helpers.corpus.load import Tune
from helpers.corpus.vocab import Vocabulary
from helpers.report.neuron_plots import draw_best_units, neuron_heatmap, text_grid
from helpers.report.neurons_section import format_scores, scores_table, write_neurons_section
from helpers.rnn.model import build_model
from helpers.rnn.sample import Sampler
from helpers.ui.neuron_panel import GENERATED, PASTED, NeuronPanel, tune_choices

TUNE = '<start>\nX:1\nT:Tune\nM:6/8\nK:G\n"G"GAB {c}d2e|[DG]dc BAG|]\n<end>\n'
VOCAB = Vocabulary.from_text(TUNE)
UNITS = 7


def random_network(seed=0, units=UNITS, **config) -> tuple[Sampler, keras.Model]:
    """A network with random weights everywhere, biases included, and its Keras model."""
    model = build_model(RunConfig(hidden_size=units, **config), VOCAB.size)
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return Sampler(model, VOCAB), model


def save_run(folder, cell="SimpleRNN", units=UNITS, seed=0):
    """A run folder as train_run leaves it: model, vocabulary and config."""
    folder.mkdir(parents=True)
    _, model = random_network(seed, units, cell=cell)
    model.save(folder / "model.keras")
    VOCAB.save(folder / "vocab.json")
    RunConfig(cell=cell, hidden_size=units).save(folder / "config.json")
    return folder


# --- recording ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, layers", list(product(CELL_TYPES, (1, 2))))
def test_one_row_per_character_and_one_column_per_unit_in_every_layer(cell, layers):
    network, _ = random_network(cell=cell, layers=layers)
    recorded = record_activations(network, TUNE)
    assert recorded.text == TUNE and recorded.layers == layers
    for layer in range(layers):
        assert recorded.values(layer).shape == (len(TUNE), UNITS)
        assert recorded.kinds(layer) == (("hidden", "cell") if cell == "LSTM" else ("hidden",))
        if cell == "LSTM":
            assert recorded.values(layer, "cell").shape == (len(TUNE), UNITS)
        assert recorded.describe(layer).startswith(f"{cell} layer {layer}, hidden output")


@pytest.mark.parametrize("cell", CELL_TYPES)
@pytest.mark.parametrize("encoding", ["onehot", "embedding"])
def test_hidden_outputs_equal_the_keras_layer_outputs(cell, encoding):
    network, model = random_network(cell=cell, layers=2, encoding=encoding)
    layers = keras.Model(model.input, [model.get_layer(f"rnn_{k}").output for k in range(2)])
    expected = [np.asarray(values)[0] for values in layers(VOCAB.encode(TUNE)[None, :])]
    recorded = record_activations(network, TUNE)
    for layer in range(2):
        np.testing.assert_allclose(recorded.values(layer), expected[layer], atol=1e-5)


def test_lstm_cell_state_equals_the_keras_final_state_after_each_prefix():
    network, model = random_network(cell="LSTM")
    lstm = keras.layers.LSTM(UNITS, return_state=True)
    lstm.build((None, None, VOCAB.size))
    lstm.set_weights(model.get_layer("rnn_0").get_weights())
    recorded = record_activations(network, TUNE).values(0, "cell")
    one_hot = np.eye(VOCAB.size, dtype="float32")[VOCAB.encode(TUNE)]
    for length in (1, 9, 30, len(TUNE)):
        _, _, cell_state = lstm(one_hot[None, :length])
        np.testing.assert_allclose(recorded[length - 1], np.asarray(cell_state)[0], atol=1e-5)
    assert not np.allclose(recorded, record_activations(network, TUNE).values(0))  # c is not h


def test_texts_recorded_together_equal_texts_recorded_alone():
    network, _ = random_network(cell="GRU")
    texts = [TUNE, "<start>\nX:2\nK:D\nd2|\n<end>\n", TUNE[:20]]
    together = record_many(network, texts, batch_size=2)
    for text, recorded in zip(texts, together, strict=True):
        assert recorded.text == text
        np.testing.assert_allclose(recorded.values(), record_activations(network, text).values(), atol=1e-6)


def test_a_bare_tune_becomes_a_record_and_a_record_stays_as_it_is():
    assert as_record("X:1\nK:G\nabc|\n") == "<start>\nX:1\nK:G\nabc|\n<end>\n"
    assert as_record(TUNE) == TUNE


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda network: record_activations(network, ""), "empty"),
        (lambda network: record_activations(network, " \n"), "empty"),
        (lambda network: record_activations(network, "X:1\nK:G\nGAB é|"), r"never saw.*'é'"),
        (lambda network: record_many(network, [TUNE, "K:G\n%"]), r"tune 1:.*'%'"),
        (lambda network: record_many(network, []), "non-empty list"),
        (lambda network: as_record("   \n "), "empty"),
        (lambda network: record_activations(network, TUNE).values(1), "layer 1 is out of range"),
        (lambda network: record_activations(network, TUNE).values(0, "cell"), "only an LSTM"),
        (lambda network: neuron_heatmap(record_activations(network, TUNE), UNITS), f"neuron index {UNITS} is out"),
        (lambda network: neuron_heatmap(record_activations(network, TUNE), -1), "neuron index -1 is out"),
    ],
)
def test_bad_input_raises_a_value_error_naming_it(call, message):
    network, _ = random_network()
    with pytest.raises(ValueError, match=message):
        call(network)


def test_an_untrained_network_has_the_runs_architecture_and_its_seed_fixes_the_weights(tmp_path):
    run = save_run(tmp_path / "run", cell="LSTM", units=5)
    first, again, other = (untrained_network(run, seed) for seed in (3, 3, 4))
    assert [layer.cell for layer in first.layers] == ["LSTM"] and first.layers[0].units == 5
    for name in ("kernel", "recurrent_kernel"):
        np.testing.assert_array_equal(getattr(first.layers[0], name), getattr(again.layers[0], name))
        assert not np.allclose(getattr(first.layers[0], name), getattr(other.layers[0], name))
    np.testing.assert_array_equal(first.output_kernel, again.output_kernel)
    trained = Sampler.from_run(run)
    assert not np.allclose(first.layers[0].kernel, trained.layers[0].kernel)
    with pytest.raises(FileNotFoundError, match="model.keras"):
        untrained_network(tmp_path / "nothing")


def keras_seed_generator() -> keras.random.SeedGenerator:
    """Keras's global seed generator, which unseeded keras.random calls advance; made if it does not exist yet."""
    from keras.src.backend.common import global_state  # Keras has no public accessor for it

    keras.random.uniform((1,))
    return global_state.get_global_attribute("global_seed_generator")


def global_random_states(generator: keras.random.SeedGenerator) -> tuple:
    """Python's, NumPy's and Keras's global random states, comparable with ==."""
    numpy_state = np.random.get_state()
    return (
        random.getstate(),
        (*numpy_state[:1], numpy_state[1].tolist(), *numpy_state[2:]),
        generator.state.numpy().tolist(),
    )


def test_building_the_untrained_control_leaves_every_global_random_state_as_it_was(tmp_path):
    run = save_run(tmp_path / "run", cell="GRU", units=4)
    generator = keras_seed_generator()
    random.seed(11)
    np.random.seed(11)
    before = global_random_states(generator)
    untrained_network(run, seed=5)
    after = global_random_states(generator)
    for name, was, now in zip(("Python's random", "np.random", "Keras's seed generator"), before, after, strict=True):
        assert now == was, f"building the control changed {name}'s global state"
    draws = random.random(), np.random.random()
    random.seed(11)
    np.random.seed(11)
    assert draws == (random.random(), np.random.random())  # what follows draws as if the control was never built


# --- heatmaps ---------------------------------------------------------------------------------------------------


def test_text_is_laid_out_one_line_per_row_with_long_lines_wrapped():
    assert text_grid("ab\ncde\n") == [[0, 1, 2], [3, 4, 5, 6]]
    assert text_grid("abcdefg", max_columns=3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert text_grid("") == [[]]


@pytest.mark.parametrize("kind", ["hidden", "cell"])
def test_heatmap_colours_each_character_by_the_units_activation(kind):
    network, _ = random_network(cell="LSTM")
    recorded = record_activations(network, TUNE)
    fig = neuron_heatmap(recorded, 3, kind=kind)
    image = fig.axes[0].images[0]
    grid = np.ma.filled(image.get_array(), np.nan)
    rows = TUNE.removesuffix("\n").split("\n")  # the last newline ends the last row
    assert grid.shape == (len(rows), max(len(row) for row in rows) + 1)
    values = recorded.values(0, kind)[:, 3]
    np.testing.assert_allclose(grid[1, :4], values[8:12])  # "X:1\n" is the second row
    limit = 1.0 if kind == "hidden" else np.abs(values).max()
    assert image.get_clim() == pytest.approx((-limit, limit))
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    drawn = "".join(text.get_text() for text in fig.axes[0].texts)
    assert drawn == TUNE.replace("\n", "\u21b5")


# --- ranking ----------------------------------------------------------------------------------------------------


def synthetic(n=4000, seed=0):
    """A fact, and activations of 20 units where unit 7 tracks it, unit 12 tracks it upside down, others are noise."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.3
    activations = rng.normal(size=(n, 20))
    activations[:, 7] = labels + rng.normal(0, 0.4, n)
    activations[:, 12] = -labels.astype(float) + rng.normal(0, 0.8, n)
    return activations, labels


def test_the_unit_built_to_track_a_fact_ranks_first_and_a_random_unit_scores_near_chance():
    activations, labels = synthetic()
    ranking = rank_units(activations, labels, FACTS_BY_NAME["header"])
    assert ranking.order[:2].tolist() == [7, 12]  # the upside-down unit predicts the fact too, less well
    assert ranking.best_unit == 7 and ranking.best_score > 0.9
    assert ranking.direction(7) == "high" and ranking.direction(12) == "low"
    assert (
        ranking.summary(12)
        == f"unit 12: AUC {ranking.scores[12]:.3f} for 'in the header (vs the body)' (low where it holds)"
    )
    assert ranking.signed[12] < 0.25 and ranking.scores[12] > 0.75
    noise = np.delete(ranking.scores, [7, 12])
    assert np.all(np.abs(noise - 0.5) < 0.05)  # orientation-free scores of noise units sit just above 0.5
    assert ranking.positives == labels.sum() and ranking.characters == len(labels)


def test_auc_from_ranks_equals_counting_pairs_with_ties_as_half():
    rng = np.random.default_rng(1)
    activations = rng.integers(0, 4, size=(60, 3)).astype(float)  # many ties
    labels = rng.random(60) < 0.4
    pos, neg = activations[labels], activations[~labels]
    pairs = (pos[:, None, :] > neg[None, :, :]) + 0.5 * (pos[:, None, :] == neg[None, :, :])
    np.testing.assert_allclose(auc_scores(activations, labels), pairs.mean(axis=(0, 1)))
    np.testing.assert_allclose(average_ranks(np.array([3.0, 1.0, 1.0, 2.0])), [4, 1.5, 1.5, 3])


def test_a_unit_that_follows_a_numeric_fact_has_the_highest_correlation():
    rng = np.random.default_rng(2)
    values = rng.integers(0, 30, 3000).astype(float)
    activations = rng.normal(size=(3000, 10))
    activations[:, 4] = -0.1 * values + rng.normal(0, 0.5, 3000)
    activations[:, 6] = 1.0  # a constant unit
    ranking = rank_units(activations, values, Fact("bar_position", "since the bar", "body", "bar", numeric=True))
    assert ranking.best_unit == 4 and ranking.direction(4) == "low"
    assert ranking.summary().startswith("unit 4: |r| 0.") and ranking.summary().endswith("(falls as it grows)")
    np.testing.assert_allclose(ranking.signed[4], np.corrcoef(activations[:, 4], values)[0, 1])
    assert ranking.scores[6] == 0 and np.all(np.delete(ranking.scores, 4) < 0.1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: auc_scores(np.zeros((5, 2)), np.ones(5, bool)), "with and without"),
        (lambda: auc_scores(np.zeros((5, 2)), np.ones(4, bool)), "expected 5 labels"),
        (lambda: auc_scores(np.zeros(5), np.ones(5, bool)), "characters, units"),
        (lambda: correlation_scores(np.zeros((5, 2)), np.full(5, 3.0)), "constant"),
        (lambda: correlation_scores(np.zeros((2, 2)), np.array([1.0, np.nan])), "NaN"),
        (lambda: rank_facts([]), "at least one"),
    ],
)
def test_bad_ranking_input_raises_a_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def tracking_activations(text: str) -> Activations:
    """Activations of 4 units over a text: unit 1 is +1 in the header, unit 2 counts from the last bar line."""
    labels = label_structure(text)
    rng = np.random.default_rng(len(text))
    hidden = rng.uniform(-1, 1, size=(len(text), 4)).astype("float32")
    hidden[:, 1] = np.where(labels["header"], 1.0, -1.0)
    hidden[:, 2] = np.nan_to_num(labels["bar_position"], nan=-5.0) / 10
    return Activations(text, ("SimpleRNN",), (hidden,), (None,))


def test_rank_facts_finds_the_header_unit_and_the_bar_position_unit_across_tunes():
    texts = RANKED_TEXTS
    rankings = rank_facts([tracking_activations(text) for text in texts])
    assert rankings["header"].best_unit == 1 and rankings["header"].best_score == 1.0
    assert rankings["bar_position"].best_unit == 2 and rankings["bar_position"].best_score == pytest.approx(1.0)
    assert not rankings["field_R"].scored  # no R: field in these tunes: nothing to judge
    assert "'in the R: field line' not scored: 0 of" in rankings["field_R"].summary()
    grace = sum(int(label_structure(text)["grace"].sum()) for text in texts)
    assert grace == 3 and not rankings["grace"].scored  # too rare to judge with the default minimum
    assert rank_facts([tracking_activations(text) for text in texts], min_positives=3)["grace"].scored
    assert example_tune([tracking_activations(text) for text in texts], FACTS_BY_NAME["grace"]).text == TUNE


def test_best_scores_are_written_as_csv_rows_and_a_latex_table(tmp_path):
    texts = [TUNE, as_record("X:2\nK:D\nd2 ed|A2 BA|]")]
    columns = {"tracking h": rank_facts([tracking_activations(text) for text in texts])}
    network, _ = random_network(cell="LSTM")
    columns |= rank_network(network, texts, "LSTM random")
    assert list(columns) == ["tracking h", "LSTM random h", "LSTM random c"]
    csv_path = write_scores(columns, tmp_path / "results")
    assert csv_path == tmp_path / "results" / "neuron_scores.csv"
    with csv_path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * len(columns["tracking h"])
    header = next(row for row in rows if row["fact"] == "header" and row["model"] == "tracking h")
    assert (header["best_unit"], float(header["score"]), header["direction"]) == ("1", 1.0, "high")
    assert next(row for row in rows if row["fact"] == "field_R")["score"] == ""
    tex = scores_table(columns)
    assert r"\begin{tabular}{llrrr}" in tex and r"\end{table}" in tex
    assert r"header vs body & AUC & 1.00 (\#1) & " in tex  # each fact's short label, then its scores
    assert r"\textless{}start\textgreater{}" in tex and r"\{grace\}" in tex
    assert "\n{[}chord{]} & AUC" in tex  # a row starting with [ would be read as an argument of the \\ before it
    assert r" &  & \multicolumn{1}{c}{trained} & \multicolumn{2}{c}{random weights} \\" in tex
    assert r"\cmidrule(lr){3-3}\cmidrule(lr){4-5}" in tex and r"& tracking h & LSTM h & LSTM c \\" in tex
    assert tex.count(r" \\") == 2 + len(columns["tracking h"])  # two header rows, one row per fact
    table = format_scores(columns)
    assert "in the header (vs the body)" in table and "1.00 (#1)" in table and "--" in table


def noise_activations(text: str) -> Activations:
    """Activations of 4 units that track nothing."""
    hidden = np.random.default_rng(len(text) + 1).uniform(-1, 1, size=(len(text), 4)).astype("float32")
    return Activations(text, ("SimpleRNN",), (hidden,), (None,))


RANKED_TEXTS = [TUNE, as_record("X:2\nT:Two\nM:C\nK:D\nd2 fd|A2 FA|d4|]"), as_record("X:3\nK:A\nab|c'|]")]


def test_best_units_are_drawn_and_saved_and_a_fact_too_rare_is_reported(tmp_path, capsys):
    recorded = [tracking_activations(text) for text in RANKED_TEXTS]
    shown = draw_best_units(recorded, rank_facts(recorded), ["header", "field_R", "bar_position"], "Net 1", tmp_path)
    plt.close("all")
    assert [name for name, _ in shown] == ["neuron_best_Net-1_header", "neuron_best_Net-1_bar_position"]
    assert all((tmp_path / f"{name}.{ext}").is_file() for name, _ in shown for ext in ("png", "pdf"))
    assert shown[0][1].startswith("Net 1 (hidden output h), unit 1: AUC 1.000 for 'in the header (vs the body)'")
    assert "Net 1: 'in the R: field line' not scored" in capsys.readouterr().out


def test_the_report_section_holds_the_figures_the_table_and_a_reading_of_its_numbers(tmp_path):
    trained = rank_facts([tracking_activations(text) for text in RANKED_TEXTS])
    untrained = rank_facts([noise_activations(text) for text in RANKED_TEXTS])
    assert random_twin("Net h") == "Net random h"
    columns = {"Net h": trained, "Net random h": untrained}
    path = write_neurons_section(columns, [("neuron_12_generated", 'Neuron 12, "by hand"')], tmp_path, tunes=3)
    assert path == tmp_path / "neurons_section.tex"
    tex = path.read_text()
    assert "\\figureif{neuron_12_generated}{1}{Neuron 12, ``by hand''}" in tex
    assert "over 3 validation tunes" in tex and tex.count("\\begin{tabular}") == 1
    assert tex.count("\\multicolumn") == 2  # the table groups its columns into trained and random weights
    header = f"in the header (vs the body) (Net h: 1.00 against {untrained['header'].best_score:.2f})"
    assert f"in AUC: {header}" in tex  # the header unit is perfect, so its gain over noise is the largest
    bar = f"characters since the last \\textbar{{}} (Net h: 1.00 against {untrained['bar_position'].best_score:.2f})"
    assert bar in tex
    with pytest.raises(ValueError, match="at least one"):
        write_neurons_section({}, [], tmp_path, tunes=3)


# --- the panel ----------------------------------------------------------------------------------------------------


@pytest.fixture
def panel(tmp_path):
    models = {"simple": save_run(tmp_path / "simple"), "lstm": save_run(tmp_path / "lstm", cell="LSTM", units=5)}
    tunes = tune_choices([Tune("test", "X:1\nT:Tune\nK:G\nGAB|")])
    return NeuronPanel(models, tunes, figures=tmp_path / "figures", generated_length=40)


def test_panel_draws_the_chosen_tune_and_switches_model_layer_and_values(panel, tmp_path):
    assert list(panel.source.options) == ["0: Tune", GENERATED, PASTED]
    assert panel.figure is not None and "unit 0 of SimpleRNN layer 0, hidden output" in panel.message.value
    assert panel.unit.max == UNITS - 1
    panel.model.value = "lstm"
    assert panel.unit.max == 4 and [value for _, value in panel.kind.options] == ["hidden", "cell"]
    panel.kind.value = "cell"
    panel.unit.value = 4
    assert "unit 4 of LSTM layer 0, cell state" in panel.message.value
    panel.source.value = GENERATED
    assert panel.figure is not None and panel.generated["lstm"].startswith("<start>\n")
    assert panel.on_save() == tmp_path / "figures" / "neuron_lstm_layer0_cell_unit4.png"
    assert panel.on_save().is_file()


@pytest.mark.parametrize(
    "pasted, message", [("", "the tune is empty"), ("X:1\nK:G\nGAB ü|", "never saw"), ("  ", "the tune is empty")]
)
def test_panel_shows_a_message_for_bad_pasted_abc_instead_of_raising(panel, pasted, message):
    panel.pasted.value = "X:1\nK:G\nGAB|"
    panel.source.value = PASTED
    assert panel.figure is not None
    panel.pasted.value = pasted
    assert message in panel.message.value and panel.figure is None


def test_panel_shows_a_message_for_a_neuron_index_out_of_range(panel):
    panel.draw(unit=UNITS)
    assert f"neuron index {UNITS} is out of range" in panel.message.value and panel.figure is None
    assert bytes(panel.heatmap.value) == b""


def widget_tree(widget) -> list:
    return [widget, *(found for child in getattr(widget, "children", ()) for found in widget_tree(child))]


def test_the_heatmap_is_a_png_in_an_image_widget_with_no_output_widget_to_hang_a_headless_run(panel):
    """An Output widget would make nbconvert and the grader answer on the shell channel while they wait there for the
    cell's reply (nbclient issue #312): the panel shows its heatmap as an image instead."""
    assert not [widget for widget in widget_tree(panel.widget) if isinstance(widget, widgets.Output)]
    first = bytes(panel.heatmap.value)
    assert panel.heatmap in widget_tree(panel.widget) and first.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = Image.open(io.BytesIO(first)).size
    assert width > height > 50
    panel.unit.value = 1
    assert bytes(panel.heatmap.value).startswith(b"\x89PNG") and bytes(panel.heatmap.value) != first


def test_a_token_model_is_refused_by_the_views_of_one_value_per_character(tmp_path):
    from helpers.corpus.vocab import TokenVocabulary
    from helpers.rnn.runs import character_models

    vocab = TokenVocabulary.from_text(TUNE * 3)
    network = Sampler(build_model(RunConfig(hidden_size=UNITS), vocab.size), vocab)
    with pytest.raises(ValueError, match="reads tokens"):
        record_activations(network, TUNE)
    for name, symbols in (("chars", "chars"), ("tokens", "tokens")):
        (tmp_path / name).mkdir()
        RunConfig(symbols=symbols).save(tmp_path / name / "config.json")
    assert character_models({"a": tmp_path / "chars", "b": tmp_path / "tokens"}) == {"a": tmp_path / "chars"}
