"""The kill harness: a small training run in a child process, killed with SIGKILL at a chosen moment.

tests/rnn/test_kills.py and benchmarks/kill_resume.py (which counts kills at random moments) share it. Each moment
waits for its instant in the child's life (in the middle of an epoch, milliseconds after an epoch's row reaches
history.csv, while a checkpoint or the final model is being written, or at a random time) and says where that was.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from helpers.config import BACKUP, HISTORY, METRICS, MODEL, RunConfig
from helpers.corpus.load import Tune
from helpers.corpus.split import split_by_tune, write_prepared
from helpers.files import PARTIAL_PREFIX
from helpers.rnn.train import read_history

NOTES = "CDEFGABcdefgab"


def write_small_data(folder: Path, n_tunes: int = 90, seed: int = 0) -> Path:
    """A prepared data folder of random little jigs, big enough for epochs of a fraction of a second."""
    rng = np.random.default_rng(seed)
    tunes = []
    for n in range(n_tunes):
        bars = "|".join("".join(rng.choice(list(NOTES), size=6)) for _ in range(8))
        tunes.append(Tune("kill test", f"X:{n}\nT:Tune {n}\nM:6/8\nL:1/8\nK:G\n{bars}|]"))
    write_prepared(split_by_tune(tunes, seed=seed), folder, {"seed": seed})
    return folder


def small_config(**changes) -> RunConfig:
    """A tiny model with dropout (so the random state must be restored too), trained for a few epochs."""
    settings = dict(hidden_size=24, dropout=0.2, epochs=4, batch_size=8, chunk_length=24, learning_rate=0.005, seed=3)
    return RunConfig(**(settings | changes))


class Training:
    """One training of a run folder in a child process, as a user would start it from the shell."""

    def __init__(self, data: Path, config: Path, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        command = [sys.executable, "-m", "helpers.rnn.train", str(data), str(config), str(run_dir)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 300, poll: float = 0.0005) -> bool:
        """Poll condition until it holds (True) or the child has ended (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            if self.process.poll() is not None:
                return condition()
            time.sleep(poll)
        raise TimeoutError(f"the training in {self.run_dir} took longer than {timeout} s")

    def kill(self) -> bool:
        """SIGKILL the child now; False if it had already ended."""
        if self.process.poll() is not None:
            return False
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return True

    def finish(self, timeout: float = 300) -> subprocess.CompletedProcess:
        """Wait for the child to end; its exit status and output."""
        stdout, stderr = self.process.communicate(timeout=timeout)
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)


def logged_epochs(run_dir: Path) -> int:
    """Whole rows in history.csv, as a reader polling it sees them."""
    try:
        lines = (Path(run_dir) / HISTORY).read_text().splitlines(keepends=True)
    except FileNotFoundError:
        return 0
    return max(0, sum(line.endswith("\n") for line in lines) - 1)


def writing(folder: Path, name: str = "") -> bool:
    """Whether a file whose name ends with name is being written in folder (it has a temporary name)."""
    return any(Path(folder).glob(f"{PARTIAL_PREFIX}*{name}"))


def train(data: Path, config: Path, run_dir: Path) -> None:
    """Run a training to its end in a child process; a failure raises with the child's error output."""
    done = Training(data, config, run_dir).finish()
    if done.returncode != 0:
        raise RuntimeError(f"training {run_dir} failed with exit status {done.returncode}:\n{done.stderr[-3000:]}")


def outcome(run_dir: Path) -> dict:
    """What a finished run learned: its losses per epoch and its test loss."""
    history = read_history(run_dir)
    return {
        "epochs": [row["epoch"] for row in history],
        "loss": [row["loss"] for row in history],
        "val_loss": [row["val_loss"] for row in history],
        "test_loss": json.loads((Path(run_dir) / METRICS).read_text())["test_loss"],
    }


def same_outcome(resumed: dict, uninterrupted: dict) -> bool:
    """Whether two runs logged the same epochs with the same losses, within float tolerance."""
    return resumed["epochs"] == uninterrupted["epochs"] and all(
        np.allclose(resumed[name], uninterrupted[name], rtol=1e-5, atol=1e-7)
        for name in ("loss", "val_loss", "test_loss")
    )


# Each moment waits for its instant in the child's life and says where that was; the caller kills it there.
def kill_mid_epoch(training: Training, rng: np.random.Generator, epochs: int, epoch_seconds: float) -> str:
    epoch = int(rng.integers(1, epochs))
    training.wait_until(lambda: logged_epochs(training.run_dir) >= epoch)
    fraction = rng.uniform(0.2, 0.7)
    time.sleep(fraction * epoch_seconds)
    return f"{fraction:.0%} into epoch {epoch + 1}"


def kill_after_epoch_row(training: Training, rng: np.random.Generator, epochs: int, epoch_seconds: float) -> str:
    epoch = int(rng.integers(1, epochs + 1))
    training.wait_until(lambda: logged_epochs(training.run_dir) >= epoch)
    return f"as epoch {epoch}'s row reached {HISTORY}"


def kill_during_checkpoint(training: Training, rng: np.random.Generator, epochs: int, epoch_seconds: float) -> str:
    epoch = int(rng.integers(1, epochs + 1))
    training.wait_until(lambda: logged_epochs(training.run_dir) >= epoch and writing(training.run_dir / BACKUP))
    return f"while the checkpoint of epoch {epoch} or later was being written"


def kill_during_final_save(training: Training, rng: np.random.Generator, epochs: int, epoch_seconds: float) -> str:
    run_dir = training.run_dir
    training.wait_until(lambda: writing(run_dir, MODEL) or (run_dir / MODEL).is_file())
    delay = rng.uniform(0, 0.03)
    time.sleep(delay)
    return f"{delay * 1000:.0f} ms into the final save"


def kill_at_random_time(training: Training, rng: np.random.Generator, epochs: int, epoch_seconds: float) -> str:
    delay = rng.uniform(0, (epochs + 3) * epoch_seconds)
    time.sleep(delay)
    return f"{delay:.2f} s after the start"


MOMENTS = {
    "mid-epoch": kill_mid_epoch,
    "epoch boundary": kill_after_epoch_row,
    "checkpoint write": kill_during_checkpoint,
    "final save": kill_during_final_save,
    "random time": kill_at_random_time,
}
