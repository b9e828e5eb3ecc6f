"""Finding trained models, and replacing the shipped one."""

import json
import math
import shutil
import zipfile
from pathlib import Path

import pytest

from helpers.config import CONFIG, DATA, METRICS, MODEL, VOCAB
from helpers.files import PARTIAL_PREFIX, DamagedFileError, replacing, write_csv, write_json
from helpers.rnn.runs import available_models, finished_runs, ship_model, shipped_model_dir


def fake_run(folder, files=(CONFIG, DATA, METRICS, MODEL, VOCAB)):
    """A run folder whose files are whole but hold no real model: metrics.json is JSON, model.keras a whole archive."""
    folder.mkdir(parents=True)
    for name in files:
        if name == MODEL:
            with zipfile.ZipFile(folder / name, "w") as archive:
                for member in ("metadata.json", "config.json", "model.weights.h5"):
                    archive.writestr(member, f"{folder.name}/{member}")
        elif name == METRICS:
            write_json({"run": folder.name}, folder / name)
        else:
            (folder / name).write_text(f"{folder.name}/{name}")
    return folder


def test_only_finished_runs_are_offered(tmp_path):
    fake_run(tmp_path / "runs" / "b")
    fake_run(tmp_path / "runs" / "baseline")
    fake_run(tmp_path / "runs" / "a")
    fake_run(tmp_path / "runs" / "unfinished", files=(CONFIG,))
    fake_run(tmp_path / "runs" / "saving", files=(CONFIG, DATA, MODEL, VOCAB))  # killed before metrics.json
    assert list(finished_runs(tmp_path / "runs")) == ["baseline", "a", "b"]
    assert finished_runs(tmp_path / "nothing") == {}


def test_the_shipped_models_come_after_the_profiles_runs_baseline_first(tmp_path):
    fake_run(shipped_model_dir(tmp_path, "best"))
    fake_run(shipped_model_dir(tmp_path))
    assert list(available_models(tmp_path / "runs", root=tmp_path)) == ["shipped baseline", "shipped best"]
    fake_run(tmp_path / "runs" / "baseline")
    assert list(available_models(tmp_path / "runs", root=tmp_path)) == ["baseline", "shipped baseline", "shipped best"]


def test_no_model_at_all_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="03_train"):
        available_models(tmp_path / "runs", root=tmp_path)


def test_shipping_copies_a_finished_run_and_refuses_an_unfinished_one(tmp_path):
    run = fake_run(tmp_path / "runs" / "best")
    target = ship_model(run, root=tmp_path, name="best")
    assert target == tmp_path / "models" / "best"
    assert (target / MODEL).read_bytes() == (run / MODEL).read_bytes()
    with pytest.raises(FileNotFoundError, match="not a finished run"):
        ship_model(fake_run(tmp_path / "runs" / "half", files=(CONFIG, MODEL)), root=tmp_path, name="best")
    assert (target / MODEL).read_bytes() == (run / MODEL).read_bytes()


def test_a_ship_cut_off_midway_leaves_no_shipped_model_half_replaced(tmp_path, monkeypatch):
    fake_run(tmp_path / "runs" / "old")
    ship_model(tmp_path / "runs" / "old", root=tmp_path)
    copy = shutil.copy2

    def copy_then_crash(source, target):
        if source.name == MODEL:
            raise OSError("disk full")
        return copy(source, target)

    monkeypatch.setattr(shutil, "copy2", copy_then_crash)
    with pytest.raises(OSError, match="disk full"):
        ship_model(fake_run(tmp_path / "runs" / "new"), root=tmp_path)
    assert finished_runs(tmp_path / "models") == {}
    assert not list(shipped_model_dir(tmp_path).glob(f"{PARTIAL_PREFIX}*"))


@pytest.mark.parametrize("damaged", [METRICS, MODEL])
def test_a_run_whose_metrics_or_model_is_cut_short_is_not_finished(tmp_path, damaged):
    fake_run(tmp_path / "runs" / "whole")
    path = fake_run(tmp_path / "runs" / "cut") / damaged
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert list(finished_runs(tmp_path / "runs")) == ["whole"]
    with pytest.raises(DamagedFileError, match=f"cut/{damaged}"):
        ship_model(tmp_path / "runs" / "cut", root=tmp_path)


def test_a_truncated_metrics_file_is_refused_naming_it_and_what_to_do(tmp_path):
    from helpers.rnn.train import read_metrics

    run = fake_run(tmp_path / "run")
    (run / METRICS).write_text('{"test_loss": 1.')
    with pytest.raises(DamagedFileError, match=r"run/metrics\.json is not valid JSON .*train"):
        read_metrics(run)


def test_a_broken_config_file_is_refused_naming_it(tmp_path):
    from helpers.config import RunConfig

    (tmp_path / CONFIG).write_text('{"cell": "LST')
    with pytest.raises(DamagedFileError, match=r"config\.json is not valid JSON"):
        RunConfig.load(tmp_path / CONFIG)
    (tmp_path / CONFIG).write_text("[1, 2]")
    with pytest.raises(DamagedFileError, match=r"config\.json holds a JSON list"):
        RunConfig.load(tmp_path / CONFIG)


def test_a_truncated_model_is_refused_naming_it_not_called_missing(random_run):
    from helpers.rnn.sample import Sampler

    model = random_run / MODEL
    model.write_bytes(model.read_bytes()[:1000])
    with pytest.raises(DamagedFileError, match=r"run/model\.keras cannot be read as a Keras model") as raised:
        Sampler.from_run(random_run)
    assert "not found" not in str(raised.value).lower()


# --- writing files whole (helpers/files.py) ---------------------------------------------------------


def test_a_file_being_written_keeps_its_old_content_until_it_is_whole(tmp_path):
    target = tmp_path / "model.keras"
    target.write_text("old")
    with replacing(target) as partial:
        assert partial.parent == tmp_path and partial.name.endswith("model.keras")
        partial.write_text("new, half")
        assert target.read_text() == "old"
    assert target.read_text() == "new, half"
    with pytest.raises(RuntimeError), replacing(target) as partial:
        partial.write_text("never whole")
        raise RuntimeError("killed")
    assert target.read_text() == "new, half"
    assert [path.name for path in tmp_path.iterdir()] == ["model.keras"]


def test_json_is_strict_and_nan_is_refused_naming_the_file(tmp_path):
    write_json({"loss": 1.5}, tmp_path / "metrics.json")
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"loss": 1.5}
    with pytest.raises(ValueError, match="metrics.json.*NaN"):
        write_json({"loss": math.nan}, tmp_path / "metrics.json")
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"loss": 1.5}


def test_csv_rows_are_written_with_a_header(tmp_path):
    write_csv([{"epoch": 0, "loss": 2.5}, {"epoch": 1, "loss": 2.0}], tmp_path / "history.csv")
    assert (tmp_path / "history.csv").read_text().splitlines() == ["epoch,loss", "0,2.5", "1,2.0"]
    with pytest.raises(ValueError, match="no rows"):
        write_csv([], tmp_path / "empty.csv")


def test_the_shipped_composer_comes_first_when_it_is_there():
    from helpers.rnn.runs import COMPOSER, composing_first

    models = {"baseline": Path("a"), "shipped baseline": Path("b"), f"shipped {COMPOSER}": Path("c")}
    assert list(composing_first(models)) == [f"shipped {COMPOSER}", "baseline", "shipped baseline"]
    without = {"baseline": Path("a"), "shipped best": Path("b")}
    assert list(composing_first(without)) == ["baseline", "shipped best"]
