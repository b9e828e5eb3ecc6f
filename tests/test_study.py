"""Sweep bookkeeping: reuse of finished runs, aggregation over seeds, claims and LaTeX tables."""

import math

import pytest

from helpers.analysis.study import (
    Variant,
    aggregate,
    best_model_paragraph,
    budget_paragraph,
    claims,
    collect,
    matched_hidden_size,
    mean_curves,
    run_dir_for,
    run_sweep,
    study_variants,
    summary_table,
    welch_t,
)
from helpers.config import get_profile, project_paths
from helpers.corpus.load import Tune
from helpers.corpus.split import PreparedData, split_by_tune, to_records
from helpers.report.latex import latex_escape, latex_table

TUNE = "X:{n}\nT:Tune {n}\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|{n}ABc d3|]"


@pytest.fixture
def tiny(tmp_path):
    tunes = [Tune("test", TUNE.format(n=n % 7)) for n in range(24)]
    split = split_by_tune(tunes, seed=0)
    data = PreparedData(to_records(split.train), to_records(split.validation), to_records(split.test), {})
    profile = get_profile("quick")
    return profile, project_paths(profile, root=tmp_path), data


VARIANTS = [
    Variant("hidden units", "8", {"hidden_size": 8, "chunk_length": 20}),
    Variant("hidden units", "12", {"hidden_size": 12, "chunk_length": 20}),
]


@pytest.mark.slow
def test_sweep_trains_each_run_once_and_reuses_finished_runs(tiny, capsys):
    profile, paths, data = tiny
    rows = run_sweep(VARIANTS, (1, 2), profile, paths, data)
    assert [(row["label"], row["seed"]) for row in rows] == [("8", 1), ("8", 2), ("12", 1), ("12", 2)]
    assert len({row["run"] for row in rows}) == 4
    stamps = {row["run"]: (paths.runs / row["run"] / "metrics.json").stat().st_mtime_ns for row in rows}
    capsys.readouterr()
    assert run_sweep(VARIANTS, (1, 2), profile, paths, data) == rows
    assert capsys.readouterr().out.count("reusing") == 4
    assert {row["run"]: (paths.runs / row["run"] / "metrics.json").stat().st_mtime_ns for row in rows} == stamps
    results = collect(rows)
    assert all("best_val_loss" in row for row in results)
    epochs, mean, spread = mean_curves(rows[:2], "val_loss")["8"]
    assert list(epochs) == [1] and spread[0] == pytest.approx(
        abs(results[0]["final_val_loss"] - results[1]["final_val_loss"]) / math.sqrt(2)
    )


@pytest.mark.slow
def test_sweep_can_be_limited_to_factors_and_refuses_unknown_ones(tiny):
    profile, paths, data = tiny
    untrainable = Variant("dropout", "broken", {"hidden_size": 0})  # would raise if the sweep touched it
    rows = run_sweep([untrainable, *VARIANTS], (1,), profile, paths, data, factors=["hidden units"])
    assert [row["label"] for row in rows] == ["8", "12"]
    with pytest.raises(ValueError, match="unknown factors"):
        run_sweep(VARIANTS, (1,), profile, paths, data, factors=["colour"])


def test_the_baseline_variant_shares_notebook_02s_run_folder(tiny):
    profile, paths, _ = tiny
    assert run_dir_for(Variant("dropout", "0.0", {"dropout": 0.0}), profile, paths, profile.seed).name == "baseline"
    assert run_dir_for(Variant("dropout", "0.1", {"dropout": 0.1}), profile, paths, profile.seed).name != "baseline"
    assert run_dir_for(Variant("best model", "best", {"layers": 2}, name="best"), profile, paths, 3).name == "best-s3"


def fake_results():
    values = {("hidden units", "100"): [1.50, 1.52, 1.51], ("hidden units", "150"): [1.40, 1.41, 1.42]}
    return [
        {
            "factor": f,
            "label": level,
            "seed": s,
            "run": f"r{level}{s}",
            "parameters": int(level) * 10,
            "best_val_loss": v,
            "final_train_loss": v + 0.1,
            "final_val_loss": v,
            "best_epoch": 10 + s,
            "test_loss": v,
            "wall_seconds": 60.0,
        }
        for (f, level), vs in values.items()
        for s, v in enumerate(vs, start=1)
    ]


def test_aggregate_gives_mean_and_sample_std_per_level():
    summary = aggregate(fake_results())
    assert [(e["factor"], e["label"], e["seeds"]) for e in summary] == [
        ("hidden units", "100", 3),
        ("hidden units", "150", 3),
    ]
    assert summary[0]["best_val_loss_mean"] == pytest.approx(1.51)
    assert summary[0]["best_val_loss_std"] == pytest.approx(0.01)
    assert summary[1]["best_epoch_mean"] == pytest.approx(12)
    assert math.isnan(aggregate(fake_results()[:1])[0]["best_val_loss_std"])


def test_budget_paragraph_counts_a_shared_run_once():
    results = fake_results()
    results[-1]["wall_seconds"] = 90.0
    shared = results[0] | {"factor": "dropout", "label": "0.0"}  # the baseline, listed under a second factor
    text = budget_paragraph([*results, shared], get_profile("full"))
    assert "6 distinct runs took 6 minutes" in text  # 5 x 60 s + 90 s; the shared run is not counted twice
    assert "from 60~s per run (hidden units 100) to 70~s (hidden units 150)" in text
    assert "20 epochs in batches of 64 chunks of 100 characters" in text


def test_best_model_paragraph_describes_the_configuration():
    text = best_model_paragraph(get_profile("full").run_config(cell="GRU", layers=2, encoding="embedding"), 123456)
    assert "a 2-layer GRU with 100 units per layer on a 32-dimensional embedding, trained with RMSprop" in text
    assert "dropout" not in text and "123{,}456 parameters" in text
    assert "0.2 after each" in best_model_paragraph(get_profile("full").run_config(dropout=0.2), 1)


def test_welch_t_separates_a_real_difference_from_noise():
    assert welch_t([1.40, 1.41, 1.42], [1.50, 1.51, 1.52]) == pytest.approx(-0.1 / math.sqrt(2 * 0.0001 / 3))
    assert abs(welch_t([1.0, 1.2, 1.1], [1.05, 1.15, 1.1])) < 1
    assert math.isnan(welch_t([1.0], [1.1, 1.2]))


def test_claims_are_sentences_with_the_measured_numbers(monkeypatch):
    monkeypatch.setattr("helpers.analysis.study.RunConfig.load", lambda path: type("C", (), {"dropout": 0.0}))
    monkeypatch.setattr("helpers.analysis.study.read_history", lambda run: [{"loss": 2.0, "val_loss": 1.9}])
    found = {claim["key"]: claim["text"] for claim in claims(fake_results())}
    assert "1.510" in found["hidden-100-150"] and "1.410" in found["hidden-100-150"]
    assert "beyond seed noise" in found["hidden-100-150"]
    assert "6 of 6 runs" in found["first-epoch"]
    assert "hidden-50-150" not in found  # no runs with 50 units, so no claim about them


def test_a_cell_claim_warns_when_a_model_was_still_improving(monkeypatch):
    monkeypatch.setattr("helpers.analysis.study.RunConfig.load", lambda path: type("C", (), {"dropout": 0.0}))
    monkeypatch.setattr("helpers.analysis.study.read_history", lambda run: [{"loss": 2.0, "val_loss": 1.9}])
    results = [
        {"factor": "cell, equal size", "label": label, "seed": seed, "run": f"{label}{seed}", "best_val_loss": loss}
        | {"best_epoch": best_epoch, "epochs_completed": 20}
        for label, loss, best_epoch in (("SimpleRNN-100", 1.6, 17), ("LSTM-100", 1.7, 19), ("GRU-100", 1.5, 18))
        for seed, loss in ((1, loss), (2, loss + 0.01))
    ]
    found = {claim["key"]: claim["text"] for claim in claims(results)}
    assert "LSTM was still improving at the end (every seed at its best in one of the last" in found["cell-LSTM"]
    assert "still improving" not in found["cell-GRU"]


def test_latex_tables_escape_text_and_show_mean_plus_minus_std():
    table = summary_table(aggregate(fake_results()), "Losses & times", "tab:x")
    assert r"$1.510 \pm 0.010$" in table
    assert table.count(r"\\") == 3  # a header and two levels
    assert latex_escape("50% of a_b & c") == r"50\% of a\_b \& c"
    simple = latex_table(["a", "b", "c"], [["x", "y", "1"]], "cap", "tab:y")
    assert "\\begin{tabular}{llr}" in simple and "\\label{tab:y}" in simple
    assert "tabcolsep" not in simple
    assert "\\centering\\small\\setlength{\\tabcolsep}{4pt}" in latex_table(
        ["a", "b"], [], "cap", "tab:z", column_gap="4pt"
    )


def test_equal_parameter_hidden_sizes_match_the_baseline_count():
    from helpers.config import RunConfig
    from helpers.rnn.model import build_model

    target = build_model(RunConfig(), 40).count_params()
    for cell in ("LSTM", "GRU"):
        size = matched_hidden_size(cell, target, 40)
        counts = [
            build_model(RunConfig(cell=cell, hidden_size=h), 40).count_params() for h in (size - 1, size, size + 1)
        ]
        assert abs(counts[1] - target) == min(abs(c - target) for c in counts)


def test_the_study_varies_one_factor_at_a_time_and_ends_with_the_best_model():
    variants = study_variants(40, best={"cell": "GRU", "layers": 2, "hidden_size": 128})
    assert [v.label for v in variants if v.factor == "hidden units"] == ["50", "75", "100", "150"]
    assert all(len(v.changes) == 1 for v in variants[:-1] if v.factor != "cell, equal parameters")
    assert (variants[-1].factor, variants[-1].label, variants[-1].name) == ("best model", "GRU-128 x2", "best")
    assert study_variants(40)[-1].factor == "cell, equal parameters"
