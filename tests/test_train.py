"""Training runs: the loss goes down, a run folder holds everything, runs resume and are never clobbered."""

import json
import subprocess
import sys

import pytest

from helpers.config import RunConfig
from helpers.corpus.load import Tune
from helpers.corpus.split import PreparedData, read_prepared, split_by_tune, to_records, write_prepared
from helpers.rnn.train import RunConflictError, read_history, read_metrics, train_run

TUNE = "X:{n}\nT:Tune {n}\nM:6/8\nL:1/8\nK:G\nGAB c2d|edc BAG|{n}ABc d3|]"


def tiny_data(n_tunes=24) -> PreparedData:
    tunes = [Tune("test", TUNE.format(n=n % 7)) for n in range(n_tunes)]
    split = split_by_tune(tunes, seed=0)
    return PreparedData(to_records(split.train), to_records(split.validation), to_records(split.test), {"seed": 0})


def tiny_config(**changes) -> RunConfig:
    settings = dict(hidden_size=16, epochs=4, batch_size=8, chunk_length=20, learning_rate=0.01)
    return RunConfig(**(settings | changes))


@pytest.mark.slow
def test_tiny_run_lowers_the_loss_and_fills_its_folder(tmp_path):
    metrics = train_run(tiny_config(), tiny_data(), tmp_path / "run", verbose=0)
    history = read_history(tmp_path / "run")
    assert [row["epoch"] for row in history] == [0, 1, 2, 3]
    assert history[-1]["loss"] < history[0]["loss"]
    assert history[-1]["val_loss"] < history[0]["val_loss"]
    expected = {"config.json", "vocab.json", "data.json", "history.csv", "best.weights.h5", "model.keras"}
    assert expected | {"metrics.json"} <= {path.name for path in (tmp_path / "run").iterdir()}
    assert not (tmp_path / "run" / "backup").exists()
    assert metrics["best_val_loss"] == min(row["val_loss"] for row in history)
    assert metrics["best_val_bits"] == pytest.approx(metrics["best_val_loss"] / 0.6931471805599453)
    assert metrics == read_metrics(tmp_path / "run")


@pytest.mark.slow
def test_finished_run_is_reused_not_retrained(tmp_path):
    data, config = tiny_data(), tiny_config(epochs=1)
    first = train_run(config, data, tmp_path / "run", verbose=0)
    history_before = (tmp_path / "run" / "history.csv").read_text()
    assert train_run(config, data, tmp_path / "run", verbose=0) == first
    assert (tmp_path / "run" / "history.csv").read_text() == history_before


@pytest.mark.slow
def test_a_folder_holding_another_run_is_refused_and_left_intact(tmp_path):
    data, config = tiny_data(), tiny_config(epochs=1)
    train_run(config, data, tmp_path / "run", verbose=0)
    before = {path.name: path.read_bytes() for path in (tmp_path / "run").iterdir()}
    with pytest.raises(RunConflictError, match="other settings"):
        train_run(tiny_config(epochs=1, hidden_size=12), data, tmp_path / "run", verbose=0)
    with pytest.raises(RunConflictError, match="other data"):
        train_run(config, tiny_data(n_tunes=30), tmp_path / "run", verbose=0)
    assert {path.name: path.read_bytes() for path in (tmp_path / "run").iterdir()} == before


RESUMABLE_RUN = """
import os, signal, sys
import keras
from helpers.corpus.split import read_prepared
from helpers.config import RunConfig
from helpers.rnn.train import train_run

class Report(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        print("EPOCH", epoch, flush=True)
    def on_epoch_end(self, epoch, logs=None):
        if sys.argv[3] == "kill" and epoch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

config = RunConfig.load(sys.argv[2])
run_dir = sys.argv[2].replace("config.json", "run")
train_run(config, read_prepared(sys.argv[1]), run_dir, verbose=0, callbacks=[Report()])
"""


@pytest.mark.slow
def test_run_killed_with_sigkill_resumes_from_its_last_completed_epoch(tmp_path):
    tunes = [Tune("test", TUNE.format(n=n % 7)) for n in range(24)]
    write_prepared(split_by_tune(tunes, seed=0), tmp_path / "data", {"seed": 0})
    tiny_config().save(tmp_path / "config.json")
    command = [sys.executable, "-c", RESUMABLE_RUN, str(tmp_path / "data"), str(tmp_path / "config.json")]

    killed = subprocess.run([*command, "kill"], capture_output=True, text=True, timeout=300)
    assert killed.returncode == -9, killed.stderr
    assert [row["epoch"] for row in read_history(tmp_path / "run")] == [0, 1]
    assert not (tmp_path / "run" / "metrics.json").exists()

    resumed = subprocess.run([*command, "go on"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert [line for line in resumed.stdout.splitlines() if line.startswith("EPOCH")] == ["EPOCH 2", "EPOCH 3"]
    assert [row["epoch"] for row in read_history(tmp_path / "run")] == [0, 1, 2, 3]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["epochs_completed"] == 4
    assert (
        read_prepared(tmp_path / "data").fingerprint
        == json.loads((tmp_path / "run" / "data.json").read_text())["fingerprint"]
    )
