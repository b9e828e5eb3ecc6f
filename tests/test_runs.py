"""Finding trained models, and replacing the shipped one."""

import pytest

from helpers.config import CONFIG, DATA, METRICS, MODEL, VOCAB
from helpers.rnn.runs import available_models, finished_runs, ship_model, shipped_model_dir


def fake_run(folder, files=(CONFIG, DATA, METRICS, MODEL, VOCAB)):
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text(f"{folder.name}/{name}")
    return folder


def test_only_runs_with_a_model_are_offered(tmp_path):
    fake_run(tmp_path / "runs" / "b")
    fake_run(tmp_path / "runs" / "baseline")
    fake_run(tmp_path / "runs" / "a")
    fake_run(tmp_path / "runs" / "unfinished", files=(CONFIG,))
    assert list(finished_runs(tmp_path / "runs")) == ["baseline", "a", "b"]
    assert finished_runs(tmp_path / "nothing") == {}


def test_the_shipped_models_come_after_the_profiles_runs_baseline_first(tmp_path):
    fake_run(shipped_model_dir(tmp_path, "best"))
    fake_run(shipped_model_dir(tmp_path))
    assert list(available_models(tmp_path / "runs", root=tmp_path)) == ["shipped baseline", "shipped best"]
    fake_run(tmp_path / "runs" / "baseline")
    assert list(available_models(tmp_path / "runs", root=tmp_path)) == ["baseline", "shipped baseline", "shipped best"]


def test_no_model_at_all_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="02_train"):
        available_models(tmp_path / "runs", root=tmp_path)


def test_shipping_copies_a_finished_run_and_refuses_an_unfinished_one(tmp_path):
    run = fake_run(tmp_path / "runs" / "best")
    target = ship_model(run, root=tmp_path, name="best")
    assert target == tmp_path / "models" / "best"
    assert (target / MODEL).read_text() == "best/model.keras"
    with pytest.raises(FileNotFoundError, match="not a finished run"):
        ship_model(fake_run(tmp_path / "runs" / "half", files=(CONFIG, MODEL)), root=tmp_path, name="best")
    assert (target / MODEL).read_text() == "best/model.keras"
