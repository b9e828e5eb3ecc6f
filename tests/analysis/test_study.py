"""Sweep bookkeeping: reuse of finished runs, convergence, aggregation over seeds, and the claims tested."""

import math
from pathlib import Path

import pytest
from study_results import cell_results, fake_results

from helpers.analysis.study import (
    Variant,
    add_nats_per_tune,
    aggregate,
    claims,
    collect,
    first_and_last_levels,
    matched_hidden_size,
    mean_curves,
    run_dir_for,
    run_sweep,
    study_variants,
)
from helpers.config import TUNE_NATS, get_profile, project_paths
from helpers.corpus.load import Tune
from helpers.corpus.split import PreparedData, split_by_tune, to_records
from helpers.files import write_csv

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
    results = collect(rows, budget_epochs=profile.epochs)
    assert all("best_val_loss" in row and row["budget_best_val_loss"] == row["best_val_loss"] for row in results)
    assert all(row["machine_cpu_count"] and row["machine_gpus"] is not None for row in results)
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


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_sweep_refuses_a_number_of_workers_that_is_not_a_whole_number_from_one(tiny, workers):
    profile, paths, data = tiny
    with pytest.raises(ValueError, match="workers must be a whole number of at least 1"):
        run_sweep(VARIANTS, (1,), profile, paths, data, workers=workers)
    assert not paths.runs.exists()


def test_the_baseline_variant_shares_notebook_02s_run_folder(tiny):
    profile, paths, _ = tiny
    assert run_dir_for(Variant("dropout", "0.0", {"dropout": 0.0}), profile, paths, profile.seed).name == "baseline"
    assert run_dir_for(Variant("dropout", "0.1", {"dropout": 0.1}), profile, paths, profile.seed).name != "baseline"
    assert run_dir_for(Variant("best model", "best", {"layers": 2}, name="best"), profile, paths, 3).name == "best-s3"


def test_a_converged_variant_trains_with_patience_and_a_cap_in_its_own_folder(tiny):
    profile, paths, _ = tiny
    converged = Variant("cell, equal size", "SimpleRNN-100", {"cell": "SimpleRNN"}, converged=True)
    config = converged.config(profile, profile.seed)
    assert (config.epochs, config.early_stopping_patience) == (profile.converged_epochs, profile.converged_patience)
    folder = run_dir_for(converged, profile, paths, profile.seed).name  # not the fixed-budget baseline's
    assert folder == f"{config.slug}-e{profile.converged_epochs}-p{profile.converged_patience}"
    cells = [v for v in study_variants(40) if v.factor.startswith("cell")]
    assert cells and all(v.converged for v in cells)
    assert not any(v.converged for v in study_variants(40) if not v.factor.startswith("cell"))


@pytest.mark.slow
def test_a_converged_run_is_also_read_at_the_fixed_budget(tiny):
    profile, paths, data = tiny
    longer = Variant("cell, equal size", "8", {"hidden_size": 8, "chunk_length": 20}, converged=True)
    rows = run_sweep([longer], (1, 2), profile, paths, data, more_seeds={"cell, equal size": (1,)})
    assert [row["seed"] for row in rows] == [1] and rows[0]["converged"]
    (result,) = collect(rows, budget_epochs=1)
    assert result["budget_epochs"] == 1 and result["epochs_completed"] >= 1
    assert result["budget_best_val_loss"] >= result["best_val_loss"]
    with pytest.raises(ValueError, match="unknown factors"):
        run_sweep([longer], (1,), profile, paths, data, more_seeds={"colour": (1,)})


def test_aggregate_gives_mean_and_sample_std_per_level():
    summary = aggregate(fake_results())
    assert [(e["factor"], e["label"], e["seeds"]) for e in summary] == [
        ("hidden units", "100", 3),
        ("hidden units", "150", 3),
    ]
    assert summary[0]["best_val_loss_mean"] == pytest.approx(1.51)
    assert summary[0]["best_val_loss_std"] == pytest.approx(0.01)
    assert summary[1]["best_epoch_mean"] == pytest.approx(12) and summary[1]["epochs_completed_mean"] == 20
    assert math.isnan(aggregate(fake_results()[:1])[0]["best_val_loss_std"])


def test_mean_curves_average_the_seeds_still_training_at_each_epoch(monkeypatch):
    histories = {"a": [1.0, 0.8, 0.7], "b": [1.2, 1.0]}  # seed b stopped early
    monkeypatch.setattr(
        "helpers.analysis.study.read_history", lambda run: [{"val_loss": value} for value in histories[run]]
    )
    epochs, mean, spread = mean_curves([{"label": "x", "run": "a"}, {"label": "x", "run": "b"}], "val_loss")["x"]
    assert list(epochs) == [1, 2, 3]
    assert mean == pytest.approx([1.1, 0.9, 0.7])
    assert spread == pytest.approx([math.sqrt(0.02), math.sqrt(0.02), 0.0])


def test_claims_carry_the_test_and_a_verdict_from_the_holm_adjusted_p(no_files):
    found = {claim["key"]: claim for claim in claims(fake_results())}
    hidden = found["hidden-100-150"]
    assert (hidden["first_mean"], hidden["second_mean"]) == (pytest.approx(1.51), pytest.approx(1.41))
    assert hidden["difference"] == pytest.approx(-0.1) and hidden["df"] == pytest.approx(4.0)
    assert hidden["p"] < 0.001 and hidden["p_adjusted"] == hidden["p"]  # the only test: Holm changes nothing
    assert hidden["verdict"] == "beyond seed noise" and hidden["budget"] == "fixed" and hidden["epochs"] == [20]
    assert (found["first-epoch"]["below"], found["first-epoch"]["runs"]) == (6, 6)
    assert "hidden-50-150" not in found  # no runs with 50 units, so no claim about them


def test_a_t_of_two_and_a_half_over_three_seeds_is_not_beyond_seed_noise(no_files):
    step = 2.5 * math.sqrt(2 / 3) * 0.01  # three seeds 0.01 apart: this difference gives t = 2.5, df = 4
    results = fake_results(
        {("dropout", "0.0"): [1.50, 1.51, 1.52], ("dropout", "0.1"): [1.50 + step, 1.51 + step, 1.52 + step]}
    )
    (claim,) = [claim for claim in claims(results) if claim["key"] == "dropout-0.1"]
    assert claim["t"] == pytest.approx(2.5) and abs(claim["t"]) > 2  # the old rule called this beyond noise
    assert claim["verdict"] == "3 seeds cannot decide"


def test_holm_adjusts_over_every_claim_tested(no_files):
    results = fake_results(
        {("hidden units", "100"): [1.50, 1.52, 1.51], ("hidden units", "150"): [1.40, 1.41, 1.42]}
        | {("dropout", "0.0"): [1.50, 1.52, 1.51], ("dropout", "0.1"): [1.52, 1.55, 1.53]}
    )
    tested = [claim for claim in claims(results) if "p" in claim]
    assert len(tested) == 2
    smaller, larger = sorted(tested, key=lambda claim: claim["p"])
    assert smaller["p_adjusted"] == pytest.approx(2 * smaller["p"])
    assert larger["p_adjusted"] == pytest.approx(max(larger["p"], 2 * smaller["p"]))


def test_cell_types_are_tested_at_convergence_and_at_the_fixed_budget(no_files):
    results = cell_results(
        fixed={"SimpleRNN-100": 1.60, "LSTM-100": 1.70, "GRU-100": 1.50},
        converged={"SimpleRNN-100": (1.55, 27, 30), "LSTM-100": (1.50, 40, 40), "GRU-100": (1.45, 33, 36)},
    )
    found = {claim["key"]: claim for claim in claims(results)}
    fixed, converged = found["cell-LSTM-100-fixed"], found["cell-LSTM-100-converged"]
    assert fixed["difference"] == pytest.approx(0.1) and converged["difference"] == pytest.approx(-0.05)
    assert converged["epochs"] == [30, 40] and (converged["stopped_early"], converged["runs"]) == (3, 6)
    assert converged["still_improving"] == ["LSTM-100"]  # at the cap, at its best in the last epoch
    assert fixed["still_improving"] == ["SimpleRNN-100", "LSTM-100"]
    assert found["cell-GRU-100-converged"]["still_improving"] == []
    assert len([claim for claim in found.values() if "p" in claim]) == 4


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


def test_the_small_sweep_keeps_the_first_and_last_level_of_every_factor():
    variants = first_and_last_levels(study_variants(40, best={"cell": "GRU", "layers": 2, "hidden_size": 128}))
    assert [(v.factor, v.label) for v in variants][:6] == [
        ("hidden units", "50"),
        ("hidden units", "150"),
        ("dropout", "0.0"),
        ("dropout", "0.3"),
        ("optimizer", "rmsprop"),
        ("optimizer", "adam"),
    ]
    assert [v.factor for v in variants].count("best model") == 1 and len(variants) == 17
    assert [(v.label, v.changes) for v in variants if v.factor in ("symbols", "keys", "notation")] == [
        ("chars", {"symbols": "chars"}),
        ("tokens", {"symbols": "tokens"}),
        ("as written", {"keys": "as written"}),
        ("in C", {"keys": "in C"}),
        ("as written", {"notation": "as written"}),
        ("canonical", {"notation": "canonical"}),
    ]


def write_tune_nats(run_dir: Path, nats: dict[int, float]) -> str:
    """A run folder holding only the nats of its test tunes."""
    run_dir.mkdir(parents=True)
    rows = [{"tune": tune, "nats": value, "characters": 100, "symbols": 100} for tune, value in nats.items()]
    write_csv(rows, run_dir / TUNE_NATS)
    return str(run_dir)


def test_nats_per_tune_are_compared_on_the_tunes_every_run_of_the_factor_scored(tmp_path):
    runs = {
        ("keys", "as written"): write_tune_nats(tmp_path / "a", {0: 100.0, 1: 200.0, 2: 300.0}),
        ("keys", "in C"): write_tune_nats(tmp_path / "b", {0: 90.0, 2: 280.0}),  # tune 1's key could not move
        ("symbols", "tokens"): write_tune_nats(tmp_path / "c", {0: 50.0, 1: 60.0, 2: 70.0}),
    }
    rows = [{"factor": factor, "label": label, "run": run} for (factor, label), run in runs.items()]
    found = {row["run"]: row for row in add_nats_per_tune(rows)}
    assert found[runs["keys", "as written"]]["nats_per_tune"] == pytest.approx(200.0)  # tunes 0 and 2 only
    assert found[runs["keys", "in C"]]["nats_per_tune"] == pytest.approx(185.0)
    assert found[runs["symbols", "tokens"]]["nats_per_tune"] == pytest.approx(60.0)  # its own factor: all three
    assert found[runs["keys", "in C"]]["tunes_compared"] == 2


def test_symbols_and_keys_are_claimed_per_tune_not_per_symbol(no_files):
    results = fake_results(
        {("symbols", "chars"): [1.50, 1.52, 1.51], ("symbols", "tokens"): [3.0, 3.1, 3.05]}
        | {("keys", "as written"): [1.50, 1.52, 1.51], ("keys", "in C"): [1.45, 1.46, 1.47]}
    )
    found = {claim["key"]: claim for claim in claims(results)}
    symbols, keys = found["symbols"], found["keys"]
    assert symbols["unit"] == keys["unit"] == "nats/tune" and symbols["tunes"] == 40
    assert symbols["first_mean"] == pytest.approx(200 * 1.51) and symbols["second_mean"] == pytest.approx(200 * 3.05)
    assert keys["difference"] == pytest.approx(200 * (1.46 - 1.51))
    assert found.get("hidden-100-150") is None
