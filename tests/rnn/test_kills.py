"""Runs that survive anything: a training killed with SIGKILL at any moment resumes to the history of the same run
never killed, a half-saved run is never listed, and two processes never train into one folder."""

import signal
from dataclasses import dataclass, replace
from pathlib import Path

import kill_support
import numpy as np
import pytest

from helpers.config import BACKUP, CONFIG, METRICS, MODEL, RunConfig
from helpers.corpus.split import read_prepared
from helpers.rnn.runs import finished_runs
from helpers.rnn.train import LOCK_HOLDER, RunBusyError, RunConflictError, read_history, train_run

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class SmallRun:
    data: Path
    config: Path
    uninterrupted: dict
    epoch_seconds: float


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> SmallRun:
    """Small data, a tiny model with dropout, and the outcome of its uninterrupted training."""
    folder = tmp_path_factory.mktemp("kills")
    data = kill_support.write_small_data(folder / "data")
    config = folder / "config.json"
    kill_support.small_config(epochs=3).save(config)
    kill_support.train(data, config, folder / "uninterrupted")
    seconds = np.mean([row["epoch_seconds"] for row in read_history(folder / "uninterrupted")])
    return SmallRun(data, config, kill_support.outcome(folder / "uninterrupted"), float(seconds))


def kill_at(small_run: SmallRun, moment: str, run_dir: Path, seed: int = 0) -> "kill_support.Training":
    """Start a training of the small run and kill it at the moment; the killed child."""
    training = kill_support.Training(small_run.data, small_run.config, run_dir)
    kill_support.MOMENTS[moment](training, np.random.default_rng(seed), 3, small_run.epoch_seconds)
    assert training.kill(), f"the training ended before the {moment} kill"
    assert training.process.returncode == -signal.SIGKILL
    return training


def resume_and_compare(small_run: SmallRun, run_dir: Path) -> None:
    kill_support.train(small_run.data, small_run.config, run_dir)
    resumed = kill_support.outcome(run_dir)
    assert resumed["epochs"] == small_run.uninterrupted["epochs"]
    assert np.allclose(resumed["loss"], small_run.uninterrupted["loss"], rtol=1e-5)
    assert np.allclose(resumed["val_loss"], small_run.uninterrupted["val_loss"], rtol=1e-5)
    assert np.isclose(resumed["test_loss"], small_run.uninterrupted["test_loss"], rtol=1e-5)
    assert not (run_dir / BACKUP).exists()


def test_a_kill_in_the_middle_of_an_epoch_resumes_to_the_uninterrupted_history(small_run, tmp_path):
    kill_at(small_run, "mid-epoch", tmp_path / "run")
    assert not (tmp_path / "run" / METRICS).exists()
    assert (tmp_path / "run" / LOCK_HOLDER).is_file()  # names a dead process: its lock died with it
    resume_and_compare(small_run, tmp_path / "run")


def test_a_kill_just_after_an_epoch_is_logged_resumes_to_the_uninterrupted_history(small_run, tmp_path):
    """The row is in history.csv, its checkpoint may be half-written: the restart redoes the epoch exactly once."""
    kill_at(small_run, "epoch boundary", tmp_path / "run", seed=1)
    resume_and_compare(small_run, tmp_path / "run")


def test_a_kill_while_a_checkpoint_is_written_resumes_to_the_uninterrupted_history(small_run, tmp_path):
    kill_at(small_run, "checkpoint write", tmp_path / "run")
    resume_and_compare(small_run, tmp_path / "run")


def test_a_run_killed_during_its_final_save_is_not_listed_and_resumes(small_run, tmp_path):
    runs = tmp_path / "runs"
    kill_at(small_run, "final save", runs / "run")
    assert finished_runs(runs) == {}
    assert not (runs / "run" / METRICS).exists()
    resume_and_compare(small_run, runs / "run")
    assert list(finished_runs(runs)) == ["run"]
    assert (runs / "run" / MODEL).is_file()


def test_a_second_process_is_refused_naming_the_first_and_changes_nothing(small_run, tmp_path):
    """This test's process is the second trainer: it starts while a child trains into the same folder."""
    run_dir = tmp_path / "run"
    first = kill_support.Training(small_run.data, small_run.config, run_dir)
    assert first.wait_until(lambda: (run_dir / LOCK_HOLDER).is_file()), first.finish().stderr
    config, data = RunConfig.load(small_run.config), read_prepared(small_run.data)
    with pytest.raises(
        RunBusyError, match=rf"{run_dir} is being trained by another process \(pid {first.process.pid}\)"
    ):
        train_run(config, data, run_dir, verbose=0)
    with pytest.raises((RunBusyError, RunConflictError)):
        train_run(replace(config, hidden_size=32), data, run_dir, verbose=0)
    assert first.finish().returncode == 0
    assert kill_support.same_outcome(kill_support.outcome(run_dir), small_run.uninterrupted)
    assert RunConfig.load(run_dir / CONFIG) == config
