"""The shipped model's command end to end on a tiny trial: prepare, train, resume, ship, and write the card."""

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from helpers.report.model_card import (
    FREE,
    IN_FORM,
    TARGETS,
    earlier_candidates,
    judged,
    model_card,
    ship_with_card,
    verdict,
)
from helpers.report.study_section import machine_words
from helpers.rnn.runs import COMPOSER
from helpers.rnn.shipped import SHIPPED_CONFIG, shipped_data_dir, train_shipped

PROJECT = Path(__file__).resolve().parents[2]
TINY = replace(SHIPPED_CONFIG, hidden_size=8, embedding_dim=4, epochs=2, batch_size=8, chunk_length=50)
# Tunes of the trial: enough that some canonical test tunes come from collections the older best model never saw.
TRIAL = 120


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A tiny shipped model trained on TRIAL tunes of the dance corpus, shipped with its card beside the older best."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "models" / "best", root / "models" / "best")
    run_dir = train_shipped(root, TINY, max_tunes=TRIAL, verbose=0)
    card = ship_with_card(root, run_dir, shipped_data_dir(root, TRIAL), n=6)
    return root, run_dir, card


@pytest.mark.slow
def test_the_card_reports_what_the_files_say(shipped):
    root, run_dir, card = shipped
    figures = json.loads((card.parent / "card.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert card.parent == root / "models" / COMPOSER
    assert {"model.keras", "vocab.json", "config.json", "metrics.json", "data.json"} <= {
        p.name for p in card.parent.iterdir()
    }
    text = card.read_text()
    assert f"{metrics['parameters']:,} parameters" in text
    assert f"{metrics['test_nats_per_tune']:.1f} nats on {metrics['test_tunes']} test tunes" in text
    assert figures["config"]["keys"] == "in C" and "Keys: in C" in text
    assert set(figures["data"]["test"]) == {"tunes", "sources"}, "counts per set, not a list of every tune's source"
    assert figures["samples"]["shipped"]["tunes"] == 6 and figures["samples"]["real"]["tunes"] == metrics["test_tunes"]
    in_form = figures["samples"][IN_FORM]  # what the form's mask promises, even from a tiny model
    assert in_form["tunes"] == 6 and in_form["dance_form"] == 1.0 and in_form["bars_per_part"] == 8.0
    assert "| T = 1, free | T = 1, valid ABC only | T = 1, form AABB |" in text and "notation: canonical" in text
    reference = figures["reference"]
    assert "oneills1850" not in reference["sources"] and reference["tunes"] >= 1
    assert f"{reference['reference_nats_per_tune']:.1f} nats per tune" in text
    assert re.search(r"\d+% (lower|higher) \(target 25% lower: (met|missed by \d+%)\)", text)
    (candidate,) = figures["candidates"]  # the configurations tried: here the one trial run
    assert candidate["shipped"] and candidate["run"] == run_dir.name and candidate["samples"]["tunes"] == 6
    assert f"| {candidate['metrics']['test_nats_per_tune']:.1f} |" in text and "(shipped)" in text


@pytest.mark.slow
def test_each_candidates_samples_are_scored_once_and_kept_in_its_folder(shipped, monkeypatch):
    import helpers.analysis.shipped as analysis

    root, run_dir, _ = shipped
    kept = run_dir / "samples-T1-n6.json"
    assert kept.is_file()
    monkeypatch.setattr(analysis, "sample_figures", lambda *args, **kwargs: pytest.fail("sampled again"))
    (again,) = analysis.candidate_figures(run_dir, shipped_data_dir(root, TRIAL), n=6)
    assert again["samples"] == json.loads(kept.read_text())
    with pytest.raises(pytest.fail.Exception, match="sampled again"):  # a new sample size is a new measurement
        analysis.candidate_figures(run_dir, shipped_data_dir(root, TRIAL), n=7)


@pytest.mark.slow
def test_training_again_reuses_the_finished_run(shipped):
    root, run_dir, _ = shipped
    before = (run_dir / "model.keras").stat().st_mtime_ns
    assert train_shipped(root, TINY, max_tunes=TRIAL, verbose=0) == run_dir
    assert (run_dir / "model.keras").stat().st_mtime_ns == before


def test_targets_are_judged_in_their_direction_and_unmeasured_is_said():
    assert verdict(0.97, *TARGETS[FREE, "abc2midi_ok"]) == "met"
    assert verdict(0.70, *TARGETS[FREE, "abc2midi_ok"]) == "missed by 0.250"
    assert verdict(0.04, *TARGETS[FREE, "tv_interval"]) == "met"
    assert verdict(0.08, *TARGETS[FREE, "tv_interval"]) == "missed by 0.030"
    assert verdict(None, *TARGETS[FREE, "tv_interval"]) == "not measured"
    assert verdict(float("nan"), *TARGETS[FREE, "tv_interval"]) == "not measured"


def test_a_target_set_by_the_real_tunes_is_judged_against_their_figure():
    samples = {"real": {"aabb": 0.36, "eight_bar_parts": 0.5}, FREE: {"aabb": 0.30, "eight_bar_parts": 0.6}}
    samples[IN_FORM] = {"dance_form": 0.98, "abc2midi_ok": 1.0}
    verdicts = judged(samples)
    assert verdicts[FREE, "aabb"] == "missed by 0.060" and verdicts[FREE, "eight_bar_parts"] == "met"
    assert verdicts[IN_FORM, "dance_form"] == "missed by 0.010" and verdicts[IN_FORM, "abc2midi_ok"] == "met"
    assert verdicts[FREE, "tv_key"] == "not measured"


def test_an_earlier_cards_candidates_are_kept_as_tried_and_not_shipped(tmp_path):
    earlier = [{"run": "shipped-old", "shipped": True}, {"run": "shipped-both", "shipped": False}]
    (tmp_path / "card.json").write_text(json.dumps({"candidates": earlier}))
    current = [{"run": "shipped-both", "shipped": True}]
    assert earlier_candidates(tmp_path / "card.json", current) == [{"run": "shipped-old", "shipped": False}]
    assert earlier_candidates(tmp_path / "none.json", current) == []


@pytest.mark.slow
def test_a_card_without_a_reference_leaves_that_line_out(shipped):
    _, _, card = shipped
    figures = json.loads((card.parent / "card.json").read_text())
    del figures["reference"]
    assert "never trained on" not in model_card("x", figures) and "never trained on" in card.read_text()


@pytest.mark.slow
def test_the_shipped_model_has_no_optimizer_state_and_predicts_as_trained(shipped):
    import keras
    import numpy as np

    _, run_dir, card = shipped
    trained = keras.models.load_model(run_dir / "model.keras")
    shipped_model = keras.models.load_model(card.parent / "model.keras")
    assert getattr(trained, "optimizer", None) is not None and getattr(shipped_model, "optimizer", None) is None
    ids = np.arange(20, dtype="int32")[None, :] % trained.output_shape[-1]
    assert np.allclose(trained(ids), shipped_model(ids))


def test_the_card_says_which_gpu_and_backend_trained_and_reads_older_runs_too():
    gpu = {"backend": "torch", "cpu_count": 16, "gpus": 1, "gpu_names": ["NVIDIA H200"], "platform": "Linux"}
    assert machine_words(gpu) == "NVIDIA H200, Keras on torch"
    older = {"cpu_count": 2, "gpus": 0, "platform": "Linux"}  # runs from before the facts named the backend
    assert machine_words(older) == "2 CPU cores, no GPU, Keras on tensorflow"
    assert machine_words(older | {"gpus": 2}) == "2 GPU(s), Keras on tensorflow"


@pytest.mark.slow
def test_the_reports_paragraph_on_the_shipped_model_says_where_it_trained(shipped):
    from helpers.report.representation_section import shipped_paragraph

    _, _, card = shipped
    figures = json.loads((card.parent / "card.json").read_text())
    text = shipped_paragraph(figures)
    assert "minutes on" in text and "Keras on tensorflow" in text and "configurations tried" not in text
    assert "notation canonical" in text and "Sampled in the form AABB, 100\\% of 6 tunes have two 8-bar parts" in text
    figures["candidates"] *= 3  # as if two more configurations had been tried
    assert "chosen from 3 configurations tried" in shipped_paragraph(figures)


def test_a_candidate_ended_by_its_time_budget_is_marked_and_one_ended_by_early_stopping_is_not():
    from helpers.report.model_card import budget_mark

    config = {"epochs": 40, "early_stopping_patience": 3}
    assert budget_mark(config, {"epochs_completed": 22, "best_epoch": 21}) == ", time budget"
    assert budget_mark(config, {"epochs_completed": 18, "best_epoch": 15}) == ""  # patience ran out
    assert budget_mark(config, {"epochs_completed": 40, "best_epoch": 40}) == ""  # every epoch ran


def test_the_tunes_left_out_are_counted_by_split_with_the_most_common_reasons_first():
    from helpers.report.model_card import left_out_sentence

    sentence = left_out_sentence(
        {"train: a bar too long": 5, "train: a tie across a bar line": 1200, "test: a bar too long": 7, "test: Z": 1},
        shown=2,
    )
    assert "1,205 train, 8 test tunes" in sentence
    assert sentence.index("a tie across a bar line (1,200)") < sentence.index("a bar too long (12)")
    assert "2 most common of 3 reasons" in sentence and "Z (1)" not in sentence
