"""Training runs: the loss goes down, a run folder holds everything, runs resume and are never clobbered.

Kills with SIGKILL at every moment, and two processes at once, are in test_kills.py."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers.config import RunConfig
from helpers.corpus.load import Tune
from helpers.corpus.split import PreparedData, read_prepared, split_by_tune, to_records, write_prepared
from helpers.files import DamagedFileError
from helpers.rnn.runs import finished_runs
from helpers.rnn.train import (
    LossNotFiniteError,
    RunBusyError,
    RunConflictError,
    read_history,
    read_metrics,
    train_in_processes,
    train_run,
    training_lock,
)

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
    assert metrics["machine"]["cpu_count"] == os.cpu_count()  # the machine that trained, for its wall times


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


def strict_json(path):
    """The JSON at path, refusing NaN and Infinity as other readers do."""
    return json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(f"{path.name} holds {name}"))


@pytest.mark.slow
def test_a_run_whose_loss_becomes_nan_fails_clearly_and_is_not_a_trained_model(tmp_path):
    config = tiny_config(epochs=2, learning_rate=1e38)  # finite, and far too large
    with pytest.raises(LossNotFiniteError, match="lower the learning rate"):
        train_run(config, tiny_data(), tmp_path / "runs" / "run", verbose=0)
    assert not (tmp_path / "runs" / "run" / "metrics.json").exists()
    assert finished_runs(tmp_path / "runs") == {}
    for path in (tmp_path / "runs" / "run").glob("*.json"):
        strict_json(path)


@pytest.mark.slow
def test_every_json_a_run_writes_is_strict(tmp_path):
    train_run(tiny_config(epochs=1), tiny_data(), tmp_path / "run", verbose=0)
    assert {path.name for path in (tmp_path / "run").glob("*.json")} == {
        "config.json",
        "vocab.json",
        "data.json",
        "metrics.json",
    }
    for path in (tmp_path / "run").glob("*.json"):
        strict_json(path)


def test_a_chunk_length_longer_than_a_set_is_refused_before_anything_is_written(tmp_path):
    full = tiny_data()
    short_test = "<start>\nX:1\nT:Short\nK:G\nGAB cBA|]\n<end>\n"  # one whole record of 40 characters
    data = PreparedData(full.train, full.validation, short_test, full.manifest)
    with pytest.raises(ValueError, match=r"test set \(40 characters\) is too short for chunks of 50"):
        train_run(tiny_config(chunk_length=50), data, tmp_path / "run", verbose=0)
    assert not (tmp_path / "run").exists()


def test_one_folder_has_one_trainer_at_a_time(tmp_path):
    with training_lock(tmp_path):
        with pytest.raises(RunBusyError, match=f"pid {os.getpid()}"):
            with training_lock(tmp_path):
                pass
    with training_lock(tmp_path):  # released: free again
        pass


class StopAfterEpoch(keras.callbacks.Callback):
    """Stands for a crash: ends the process's training after the given epoch was saved."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.slow
def test_an_interrupted_run_with_early_stopping_resumes_to_the_uninterrupted_history(tmp_path):
    """Patience counts the epochs before the interruption too; dropout draws the same masks after it."""
    data, config = tiny_data(), tiny_config(epochs=8, dropout=0.3, learning_rate=0.05, early_stopping_patience=1)
    train_run(config, data, tmp_path / "uninterrupted", verbose=0)
    uninterrupted = read_history(tmp_path / "uninterrupted")
    assert len(uninterrupted) < config.epochs, "the test needs a run that stops early"
    with pytest.raises(KeyboardInterrupt):
        train_run(config, data, tmp_path / "run", verbose=0, callbacks=[StopAfterEpoch(len(uninterrupted) - 2)])
    assert train_run(config, data, tmp_path / "run", verbose=0)["stopped"] == "early"
    resumed = read_history(tmp_path / "run")
    assert [row["epoch"] for row in resumed] == [row["epoch"] for row in uninterrupted]
    for name in ("loss", "val_loss"):
        assert np.allclose([row[name] for row in resumed], [row[name] for row in uninterrupted], rtol=1e-5)


@pytest.mark.slow
def test_runs_trained_side_by_side_in_processes_equal_runs_trained_here(tmp_path):
    tunes = [Tune("test", TUNE.format(n=n % 7)) for n in range(24)]
    data = read_prepared(write_prepared(split_by_tune(tunes, seed=0), tmp_path / "data", {"seed": 0}))
    jobs = {tmp_path / "apart" / f"s{seed}": tiny_config(epochs=2, seed=seed) for seed in (1, 2)}
    reports = []
    train_in_processes(jobs, tmp_path / "data", workers=2, report=reports.append)
    assert sorted(report[:10] for report in reports) == ["trained s1", "trained s2"]
    assert {report[10:] for report in reports} == {" (1 of 2)", " (2 of 2)"}
    for run_dir, config in jobs.items():
        here = tmp_path / "here" / run_dir.name
        train_run(config, data, here, verbose=0)
        assert read_history(run_dir) and [(row["loss"], row["val_loss"]) for row in read_history(run_dir)] == [
            (row["loss"], row["val_loss"]) for row in read_history(here)
        ]
        assert read_metrics(run_dir)["machine"]["threads"] == 1
        assert read_metrics(run_dir)["test_loss"] == read_metrics(here)["test_loss"]
    train_in_processes(jobs, tmp_path / "data", workers=2, report=reports.append)  # nothing left to train
    assert len(reports) == 2


def test_a_run_that_fails_in_its_process_raises_with_its_own_message(tmp_path):
    jobs = {tmp_path / "run": tiny_config()}
    with pytest.raises(RuntimeError, match=r"failed in its own process: .*nowhere"):
        train_in_processes(jobs, tmp_path / "nowhere", workers=2)
    assert not (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.slow
def test_a_token_model_of_tunes_in_c_trains_scores_each_test_tune_and_samples(tmp_path):
    from helpers.corpus.represent import model_data
    from helpers.corpus.vocab import TokenVocabulary
    from helpers.rnn.sample import Sampler

    data = tiny_data()
    metrics = train_run(tiny_config(symbols="tokens", keys="in C"), data, tmp_path / "run", verbose=0)
    rows = (tmp_path / "run" / "test_tunes.csv").read_text().splitlines()
    texts = model_data(data, "in C")
    assert rows[0] == "tune,nats,characters,symbols" and len(rows) - 1 == metrics["test_tunes"] == len(texts.test_tunes)
    assert all("K:C" in tune for tune in texts.test_tunes)
    symbols = [int(row.split(",")[3]) for row in rows[1:]]
    characters = [int(row.split(",")[2]) for row in rows[1:]]
    assert all(s < c for s, c in zip(symbols, characters, strict=True)), "a token model takes fewer steps"
    assert metrics["test_nats_per_tune"] > 0 and metrics["tunes_left_out"] == {}
    sampler = Sampler.from_run(tmp_path / "run")
    assert isinstance(sampler.vocab, TokenVocabulary)
    (tune,) = sampler.sample(n=1, max_length=50, seed=1)
    assert tune.text and isinstance(tune.abc, str)


@pytest.mark.slow
def test_a_finished_run_whose_files_were_damaged_is_refused_or_trained_again_never_reused(tmp_path, capsys):
    from helpers.rnn.model import load_trained_model

    data, config, run = tiny_data(), tiny_config(epochs=1), tmp_path / "runs" / "run"
    train_run(config, data, run, verbose=0)
    whole = (run / "data.json").read_bytes()
    (run / "data.json").write_bytes(whole[:30])
    with pytest.raises(DamagedFileError, match=r"run/data\.json is not valid JSON .*remove"):
        train_run(config, data, run, verbose=0)
    (run / "data.json").write_bytes(whole)
    for damaged in ("metrics.json", "model.keras"):
        path = run / damaged
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        assert finished_runs(tmp_path / "runs") == {}
        capsys.readouterr()
        metrics = train_run(config, data, run, verbose=0)
        assert f"not reused, {path}" in capsys.readouterr().out
        assert metrics == read_metrics(run) and list(finished_runs(tmp_path / "runs")) == ["run"]
        load_trained_model(run)


FILL_DISK_RUN = """
import os, sys
from pathlib import Path
import keras
sys.path.insert(0, sys.argv[2])
from test_train import tiny_config, tiny_data
from helpers.rnn.train import train_run

class FillTheDisk(keras.callbacks.Callback):
    '''After the first epoch's checkpoint, fills the disk: the second epoch's writes find no room.'''

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            handle = os.open(Path(sys.argv[1]).parent / "filler", os.O_WRONLY | os.O_CREAT)
            try:
                while True:
                    os.write(handle, bytes(65536))
            except OSError:
                os.close(handle)

train_run(tiny_config(epochs=3), tiny_data(), Path(sys.argv[1]), verbose=0, callbacks=[FillTheDisk()])
"""


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs of its own, really filled by the test (mounting one needs root: skipped without)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_a_full_disk_stops_training_with_a_message_keeps_the_last_checkpoint_and_resumes(small_disk, tmp_path):
    run = small_disk / "run"
    script = tmp_path / "fill_disk_run.py"
    script.write_text(FILL_DISK_RUN)
    environment = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, str(script), str(run), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr[-2000:]  # an error, not a crash (139 is a segfault)
    [message] = [line for line in done.stderr.splitlines() if line.startswith("helpers.rnn.train.DiskFullError: ")]
    assert f"{run / 'backup'}" in message and "free" in message and "epoch-0001.weights.h5" in message
    assert [path.name for path in (run / "backup").iterdir()] == ["epoch-0001.weights.h5"]
    (small_disk / "filler").unlink()
    metrics = train_run(tiny_config(epochs=3), tiny_data(), run, verbose=0)
    assert metrics["epochs_completed"] == 3


def test_a_history_file_without_its_header_is_refused_naming_it(tmp_path):
    (tmp_path / "history.csv").write_text("0,2.5,2.4\n1,2.0,2.1\n")
    with pytest.raises(DamagedFileError, match=r"history\.csv has no epoch, loss and val_loss columns"):
        read_history(tmp_path)
