"""Kill a small training run with SIGKILL at random moments, restart it, and compare it with an uninterrupted run.

Each kill starts a fresh run folder in a child process (python -m helpers.rnn.train), kills it at one moment
(in the middle of an epoch, milliseconds after an epoch's row reaches history.csv, while a checkpoint or the
final model is being written, or at a random time), starts it again and lets it finish. A kill counts as
survived when the restart finished and its history (and test loss) equal those of the same run never killed.
The harness (the child training, the kill moments) is tests/kill_support.py, shared with tests/rnn/test_kills.py.
Usage:

    .venv/bin/python benchmarks/kill_resume.py [--kills 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the kill harness, shared with the tests

from kill_support import MOMENTS, Training, outcome, same_outcome, small_config, train, write_small_data  # noqa: E402

from helpers.config import RunConfig  # noqa: E402
from helpers.rnn.train import read_history  # noqa: E402


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
