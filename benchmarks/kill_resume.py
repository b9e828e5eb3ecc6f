"""Kill a small training run with SIGKILL at random moments, restart it, and compare it with an uninterrupted run.

Each kill starts a fresh run folder in a child process (python -m helpers.rnn.train), kills it at one moment
(in the middle of an epoch, milliseconds after an epoch's row reaches history.csv, while a checkpoint or the
final model is being written, or at a random time), starts it again and lets it finish. A kill counts as
survived when the restart finished and its history (and test loss) equal those of the same run never killed.
tests/test_kills.py uses the same pieces. Usage:

    .venv/bin/python benchmarks/kill_resume.py [--kills 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
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


# Each moment waits for its instant in the child's life, kills it there and says where that was.
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


def kill_and_resume(
    data: Path, config: Path, run_dir: Path, moment: str, rng: np.random.Generator, epoch_seconds: float
) -> tuple[bool, str]:
    """Start a run, kill it at the moment, start it again to the end; whether it was killed, and where."""
    training = Training(data, config, run_dir)
    where = MOMENTS[moment](training, rng, RunConfig.load(config).epochs, epoch_seconds)
    killed = training.kill()
    train(data, config, run_dir)
    return killed, where


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        data = write_small_data(folder / "data")
        config = folder / "config.json"
        small_config().save(config)
        started = time.perf_counter()
        train(data, config, folder / "uninterrupted")
        uninterrupted = outcome(folder / "uninterrupted")
        epoch_seconds = float(np.mean([row["epoch_seconds"] for row in read_history(folder / "uninterrupted")]))
        print(
            f"uninterrupted run: {len(uninterrupted['epochs'])} epochs of {epoch_seconds:.2f} s, "
            f"{time.perf_counter() - started:.0f} s with start-up"
        )

        moments = [list(MOMENTS)[i % len(MOMENTS)] for i in range(args.kills)]
        survived = killed_count = 0
        for number, moment in enumerate(moments, 1):
            run_dir = folder / f"killed-{number}"
            killed, where = kill_and_resume(data, config, run_dir, moment, rng, epoch_seconds)
            same = same_outcome(outcome(run_dir), uninterrupted)
            killed_count += killed
            survived += killed and same
            status = ("same history" if same else "OTHER HISTORY") if killed else "ended before the kill"
            print(f"kill {number:2d} {moment:16s} {where:58s} -> {status}", flush=True)
        print(
            f"{killed_count} kills at random moments: {survived} resumed and gave the history of the uninterrupted run"
        )


if __name__ == "__main__":
    main()
