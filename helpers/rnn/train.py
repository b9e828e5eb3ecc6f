"""Train one run with model.fit and callbacks; everything it learns lives in its own folder.

A run survives being killed at any moment: after each epoch its weights and optimizer state are saved whole
(backup/epoch-NNNN.weights.h5, written under a temporary name and then renamed), every random choice of an
epoch follows from (seed, epoch), and a restart resumes from the newest whole checkpoint, dropping the history
rows logged after it, so the resumed run's history is the one an uninterrupted run would have written.
"""

from __future__ import annotations

import argparse
import csv
import errno
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import filelock
import keras
import numpy as np

from helpers.config import BACKUP, BEST_WEIGHTS, CONFIG, DATA, HISTORY, METRICS, MODEL, TUNE_NATS, VOCAB, RunConfig
from helpers.corpus.represent import ModelData, make_vocabulary, model_data
from helpers.corpus.split import PreparedData, read_prepared
from helpers.corpus.vocab import Vocabulary
from helpers.files import (
    DamagedFileError,
    read_json_object,
    remove_partial_files,
    replacing,
    write_csv,
    write_json,
    write_text,
)
from helpers.rnn.backend import distribution_scope, machine_facts, set_threads
from helpers.rnn.evaluate import nats_per_tune
from helpers.rnn.model import build_model, compile_model, usable_builder
from helpers.rnn.pipeline import batches_per_epoch, make_dataset, make_training_dataset
from helpers.rnn.runs import is_finished, unfinished_reason

__all__ = ["read_history", "read_metrics", "read_tune_nats", "train_in_processes", "train_run"]

LOCK, LOCK_HOLDER = ".training.lock", ".training.pid"  # in the run folder, while a process trains into it
CHECKPOINT_PREFIX, CHECKPOINT_SUFFIX = "epoch-", ".weights.h5"  # backup/epoch-0003.weights.h5: 3 epochs done


class RunConflictError(ValueError):
    """A run folder already holds a run with other settings or other data."""


class RunBusyError(RuntimeError):
    """Another process is training into the same run folder."""


class LossNotFiniteError(RuntimeError):
    """The training loss became NaN or infinite: the run diverged and is not a result."""


class DiskFullError(RuntimeError):
    """The disk that holds a run folder has no room left for the next checkpoint."""


def disk_full(folder: Path, error: OSError) -> DiskFullError:
    """The error that says which folder's disk is full, how much is free, and which checkpoint training resumes from."""
    free = shutil.disk_usage(folder).free
    saved = checkpoints(folder)
    resume = f"the newest whole checkpoint, {saved[-1].name}, is kept" if saved else "no epoch was saved yet"
    return DiskFullError(
        f"no room left to save the checkpoint in {folder} ({free / 2**20:.2f} MiB free; {os.strerror(error.errno)}): "
        f"{resume}; free some space and train again to resume from it"
    )


class EpochTimer(keras.callbacks.Callback):
    """Adds each epoch's wall time to the logs, so the history file records it."""

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self.started


class EpochRandomState(keras.callbacks.Callback):
    """Seeds every random generator from (seed, epoch) as an epoch begins, so a resumed epoch draws the same dropout."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.seed = seed

    def on_epoch_begin(self, epoch, logs=None):
        states = [v for v in self.model.non_trainable_variables if v.name == "seed_generator_state"]
        seeds = np.random.default_rng([self.seed, epoch]).integers(2**31 - 1, size=len(states) + 1)
        keras.utils.set_random_seed(int(seeds[0]))
        for state, seed in zip(states, seeds[1:], strict=True):
            state.assign(np.array([seed, 0], dtype=state.dtype))


class TimeBudget(keras.callbacks.Callback):
    """Ends training after the first epoch that finishes past a budget of wall-clock seconds (a lent machine's)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if time.perf_counter() - self.started > self.seconds:
            self.model.stop_training = True


class EpochCheckpoint(keras.callbacks.Callback):
    """After each epoch with a finite loss, saves weights and optimizer state whole; keeps the newest two."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.disk_full: DiskFullError | None = None  # set when a save found no room; training then stops

    def on_epoch_end(self, epoch, logs=None):
        if not all(math.isfinite(float((logs or {}).get(name, math.nan))) for name in ("loss", "val_loss")):
            return  # a diverged epoch is never resumed from
        try:
            with replacing(self.folder / f"{CHECKPOINT_PREFIX}{epoch + 1:04d}{CHECKPOINT_SUFFIX}") as partial:
                self.model.save_weights(partial)
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
            # Stopped here, not raised through Keras and tf.data: the half-written file is gone, the older ones stay.
            self.disk_full = disk_full(self.folder, error)
            self.model.stop_training = True
            return
        for older in checkpoints(self.folder)[:-2]:
            older.unlink()


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """Early stopping on the validation loss that also counts the epochs logged before a resume."""

    def __init__(self, patience: int, history: list[dict]) -> None:
        super().__init__(monitor="val_loss", mode="min", patience=patience)
        self.history_before = history

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.history_before:
            self.best = min(row["val_loss"] for row in self.history_before)
            self.wait = epochs_since_best(self.history_before)


def epochs_since_best(history: Sequence[dict]) -> int:
    """Epochs logged after the first one with the lowest validation loss (what EarlyStopping waits on)."""
    losses = [row["val_loss"] for row in history]
    return len(losses) - 1 - losses.index(min(losses))


def checkpoints(folder: Path) -> list[Path]:
    """The whole epoch checkpoints in folder, oldest first (one being written has a temporary name)."""
    found = Path(folder).glob(f"{CHECKPOINT_PREFIX}*{CHECKPOINT_SUFFIX}")
    return sorted(found, key=epochs_in)


def epochs_in(checkpoint: Path) -> int:
    """How many epochs a checkpoint holds, from its name."""
    return int(checkpoint.name.removeprefix(CHECKPOINT_PREFIX).removesuffix(CHECKPOINT_SUFFIX))


def restore_checkpoint(model: keras.Model, folder: Path) -> int:
    """Load the newest checkpoint that reads into the compiled model; return its epochs (0: none, start afresh)."""
    saved = checkpoints(folder)
    if not saved:
        return 0
    model.optimizer.build(model.trainable_variables)  # the checkpoint holds the optimizer's state too
    errors = []
    for checkpoint in reversed(saved):
        try:
            model.load_weights(checkpoint)
            return epochs_in(checkpoint)
        except (OSError, ValueError) as error:
            errors.append(f"{checkpoint.name}: {error}")
    raise RuntimeError(f"no checkpoint in {folder} could be read ({'; '.join(errors)}); remove it to start afresh")


def to_bits(nats: float) -> float:
    """Nats per character -> bits per character."""
    return nats / math.log(2)


def read_history(run_dir: Path) -> list[dict]:
    """One row per epoch (0-based), numbers as floats; an epoch redone after a crash counts once."""
    path = Path(run_dir) / HISTORY
    if not path.is_file():
        return []
    rows = {}
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        lines = list(reader)
        # A header cut short by a kill has no rows after it: that epoch is redone. Rows under another header are not.
        if lines and not {"epoch", "loss", "val_loss"} <= set(reader.fieldnames):
            raise DamagedFileError(
                f"{path} has no epoch, loss and val_loss columns (its header reads {reader.fieldnames}); it was "
                "overwritten or edited: remove the run folder to train it again"
            )
        for row in lines:
            try:
                values = {name: float(value) for name, value in row.items()}
            except (TypeError, ValueError):
                continue  # a row cut off by a kill; the epoch is redone on resume
            rows[int(values["epoch"])] = values
    return [rows[epoch] | {"epoch": epoch} for epoch in sorted(rows)]


def keep_history(run_dir: Path, epochs: int) -> list[dict]:
    """Drop the history rows of epochs after the restored checkpoint (a kill can leave one) and return the rest."""
    path = Path(run_dir) / HISTORY
    kept = [row for row in read_history(run_dir) if row["epoch"] < epochs]
    if kept:
        write_csv(kept, path)
    else:
        path.unlink(missing_ok=True)
    return kept


def read_metrics(run_dir: Path) -> dict:
    """The final metrics of a finished run."""
    path = Path(run_dir) / METRICS
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} holds no finished run ({METRICS} is missing)")
    return read_json_object(path, "train the run again (train_run redoes a run whose metrics are damaged)")


def read_tune_nats(run_dir: Path) -> dict[int, float]:
    """The nats of each test tune a run scored, by the tune's position among the prepared test tunes."""
    path = Path(run_dir) / TUNE_NATS
    with path.open(newline="", encoding="utf-8") as handle:
        try:
            return {int(row["tune"]): float(row["nats"]) for row in csv.DictReader(handle)}
        except (KeyError, TypeError, ValueError) as error:
            raise DamagedFileError(
                f"{path} is not a whole table of tune and nats columns ({type(error).__name__}: {error}); "
                "train the run again"
            ) from None


def check_run_dir(run_dir: Path, config: RunConfig, fingerprint: str) -> None:
    """Refuse to reuse a folder that holds a different run; nothing is written before this passes."""
    if (run_dir / CONFIG).is_file() and RunConfig.load(run_dir / CONFIG) != config:
        raise RunConflictError(f"{run_dir} holds a run with other settings; choose another name or remove it")
    if (run_dir / DATA).is_file():
        remedy = f"remove {run_dir} to train it again, or choose another folder"
        trained_on = read_json_object(run_dir / DATA, remedy).get("fingerprint")
        if not isinstance(trained_on, str):
            raise DamagedFileError(f"{run_dir / DATA} records no data fingerprint; {remedy}")
        if trained_on != fingerprint:
            raise RunConflictError(f"{run_dir} was trained on other data ({trained_on}); choose another name")


@contextmanager
def training_lock(run_dir: Path) -> Iterator[None]:
    """Hold run_dir for this process alone while it trains; the lock dies with the process, even a killed one."""
    lock = filelock.FileLock(run_dir / LOCK)
    try:
        lock.acquire(blocking=False)
    except filelock.Timeout:
        holder = run_dir / LOCK_HOLDER
        pid = (holder.read_text(encoding="utf-8").strip() if holder.is_file() else "") or "unknown"
        raise RunBusyError(
            f"{run_dir} is being trained by another process (pid {pid}); wait for it to end or choose another folder"
        ) from None
    try:
        write_text(f"{os.getpid()}\n", run_dir / LOCK_HOLDER)  # only for the message another process shows
        yield
    finally:
        (run_dir / LOCK_HOLDER).unlink(missing_ok=True)
        lock.release()


def reusable_metrics(run_dir: Path, config: RunConfig, data: PreparedData) -> dict | None:
    """The metrics of the same run finished before in run_dir, None if there is none; another run is refused."""
    check_run_dir(run_dir, config, data.fingerprint)
    reason = unfinished_reason(run_dir)
    if reason is not None:
        if (run_dir / METRICS).is_file():  # finished once, damaged since: trained again, not reused
            print(f"{run_dir.name}: not reused, {reason}")
        return None
    print(f"{run_dir.name}: finished before, reusing its results")
    return read_metrics(run_dir)


def write_run_description(run_dir: Path, config: RunConfig, vocab: Vocabulary, data: PreparedData) -> None:
    """Settings, vocabulary and data fingerprint, each written whole; leftovers of interrupted writes removed."""
    remove_partial_files(run_dir)
    remove_partial_files(run_dir / BACKUP)
    config.save(run_dir / CONFIG)
    with replacing(run_dir / VOCAB) as partial:
        vocab.save(partial)
    write_json({"fingerprint": data.fingerprint, **data.manifest}, run_dir / DATA)


def make_callbacks(run_dir: Path, config: RunConfig, history: list[dict]) -> list[keras.callbacks.Callback]:
    """Random state, timer, NaN guard, best weights, history, early stopping, then the epoch checkpoint."""
    callbacks = [
        EpochRandomState(config.seed),
        EpochTimer(),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.ModelCheckpoint(
            run_dir / BEST_WEIGHTS,
            monitor="val_loss",
            save_best_only=True,
            save_weights_only=True,
            initial_value_threshold=min((row["val_loss"] for row in history), default=None),
        ),
        keras.callbacks.CSVLogger(run_dir / HISTORY, append=True),
    ]
    if config.early_stopping_patience:
        callbacks.append(ResumableEarlyStopping(config.early_stopping_patience, history))
    # Last: an epoch counts as done only once everything above has logged it.
    callbacks.append(EpochCheckpoint(run_dir / BACKUP))
    return callbacks


def train_run(config: RunConfig, data: PreparedData, run_dir: Path, verbose="auto", callbacks=(), build=None) -> dict:
    """Train (or resume, or reuse) the run in run_dir and return its final metrics.

    build: a function (config, vocab_size) -> keras.Model to build the network with (yours, from 03_train), used
    if it builds the same model as the package does (else the package's, said in one line); default the package's.
    """
    run_dir = Path(run_dir)
    if (metrics := reusable_metrics(run_dir, config, data)) is not None:
        return metrics
    texts = model_data(data, config.keys, config.notation)
    vocab = make_vocabulary(config.symbols, texts.train)
    train_ids, validation_ids, test_ids = (vocab.encode(text) for text in (texts.train, texts.validation, texts.test))
    # Every set is cut into chunks before anything is written: a set too short for the chunk length is refused.
    steps_per_epoch = batches_per_epoch(train_ids, config.chunk_length, config.batch_size)
    validation_set = make_dataset(validation_ids, config.chunk_length, config.batch_size, name="validation set")
    test_set = make_dataset(test_ids, config.chunk_length, config.batch_size, name="test set")
    if not texts.test_tunes:
        raise ValueError(
            f"no whole test tune to score with keys {config.keys!r} and notation {config.notation!r} "
            f"(left out: {texts.dropped})"
        )

    run_dir.mkdir(parents=True, exist_ok=True)
    with training_lock(run_dir):
        if (metrics := reusable_metrics(run_dir, config, data)) is not None:  # another process may have finished it
            return metrics
        write_run_description(run_dir, config, vocab, data)

        keras.utils.set_random_seed(config.seed)
        with distribution_scope():
            build = build_model if build in (None, build_model) else usable_builder(build, config, vocab.size)
            model = compile_model(build(config, vocab.size), config)
            first_epoch = restore_checkpoint(model, run_dir / BACKUP)
        history = keep_history(run_dir, first_epoch)
        patience = config.early_stopping_patience
        stopped_early = bool(patience and history and epochs_since_best(history) >= patience)
        if first_epoch < config.epochs and not stopped_early:
            run_callbacks = make_callbacks(run_dir, config, history)
            epochs = range(first_epoch, config.epochs)
            try:
                model.fit(
                    make_training_dataset(train_ids, config.chunk_length, config.batch_size, config.seed, epochs),
                    steps_per_epoch=steps_per_epoch,
                    shuffle=False,  # the dataset orders each epoch by (seed, epoch) itself
                    initial_epoch=first_epoch,
                    epochs=config.epochs,
                    validation_data=validation_set,
                    callbacks=[*run_callbacks, *callbacks],
                    verbose=verbose,
                )
            except OSError as error:  # the best weights or the history found the disk full before the checkpoint
                if error.errno != errno.ENOSPC:
                    raise
                raise disk_full(run_dir / BACKUP, error) from None
            if run_callbacks[-1].disk_full is not None:
                raise run_callbacks[-1].disk_full
        history = read_history(run_dir)
        check_finite(history, run_dir, config)
        model.load_weights(run_dir / BEST_WEIGHTS)
        with replacing(run_dir / MODEL) as partial:
            model.save(partial)
        metrics = summarize(history, config, model.evaluate(test_set, verbose=0), len(texts.train))
        metrics |= {"parameters": model.count_params(), "vocab_size": vocab.size, "machine": machine_facts()}
        metrics |= score_test_tunes(model, vocab, texts, run_dir / TUNE_NATS)
        write_json(metrics, run_dir / METRICS)  # the completion marker: written last
        shutil.rmtree(run_dir / BACKUP, ignore_errors=True)
    return metrics


def score_test_tunes(model: keras.Model, vocab: Vocabulary, texts: ModelData, path: Path) -> dict:
    """Write the nats of each test tune (comparable across symbols) and return their mean and what was left out."""
    nats = nats_per_tune(model, vocab, list(texts.test_tunes))
    rows = [
        {"tune": index, "nats": float(value), "characters": len(text), "symbols": len(vocab.encode(text))}
        for index, value, text in zip(texts.test_index, nats, texts.test_tunes, strict=True)
    ]
    write_csv(rows, path)
    return {"test_nats_per_tune": float(nats.mean()), "test_tunes": len(rows), "tunes_left_out": texts.dropped}


def check_finite(history: list[dict], run_dir: Path, config: RunConfig) -> None:
    """Refuse a run whose loss became NaN or infinite: it is not a trained model."""
    diverged = [row["epoch"] + 1 for row in history if not all(map(math.isfinite, (row["loss"], row["val_loss"])))]
    if diverged or not history:
        where = f"in epoch {diverged[0]}" if diverged else "before the first epoch ended"
        raise LossNotFiniteError(
            f"{run_dir.name}: the loss became NaN {where}; lower the learning rate ({config.learning_rate})"
        )


def summarize(history: list[dict], config: RunConfig, test_loss: float, train_characters: int) -> dict:
    """Final and best losses in nats and bits per character, and timing, from the history."""
    best = min(history, key=lambda row: row["val_loss"])
    last = history[-1]
    wall_seconds = sum(row.get("epoch_seconds", 0.0) for row in history)
    values = {
        "final_train_loss": last["loss"],
        "final_val_loss": last["val_loss"],
        "best_val_loss": best["val_loss"],
        "train_loss_at_best": best["loss"],
        "test_loss": float(test_loss),
    }
    return {
        **values,
        **{name.replace("loss", "bits"): to_bits(value) for name, value in values.items()},
        "best_epoch": best["epoch"] + 1,
        "epochs_completed": len(history),
        "stopped": "completed" if len(history) == config.epochs else "early",
        "wall_seconds": wall_seconds,
        "train_characters": train_characters,
        "characters_per_second": train_characters * len(history) / wall_seconds if wall_seconds else None,
    }


# Roughly how many times a SimpleRNN's work one step of each cell does: its gates.
CELL_GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds helpers/, for the child processes


def train_in_processes(jobs: dict[Path, RunConfig], data_dir: Path, workers: int, report=print) -> None:
    """Train the unfinished runs of jobs (run folder: settings), `workers` at a time, each in its own process.

    A small recurrent network on a CPU gains little from a second core: two runs side by side, one thread each,
    finish in about the time one takes on both cores, and their losses are bit-identical to it. The longest runs
    start first. A run that fails stops the others and raises with its own error message; so does an interrupt,
    and the stopped runs resume from their last epoch the next time.
    """

    def work(run_dir: Path) -> int:
        config = jobs[run_dir]
        return config.epochs * config.layers * config.hidden_size * CELL_GATES.get(config.cell, 1)

    pending = sorted((run_dir for run_dir in jobs if not is_finished(run_dir)), key=work, reverse=True)
    total, running = len(pending), {}
    environment = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))
    }
    with tempfile.TemporaryDirectory() as scratch:
        try:
            while pending or running:
                while pending and len(running) < workers:
                    run_dir = pending.pop(0)
                    config, log = (Path(scratch) / f"{Path(run_dir).name}.{suffix}" for suffix in ("json", "log"))
                    jobs[run_dir].save(config)
                    folders = (str(Path(data_dir).resolve()), str(config), str(Path(run_dir).resolve()))
                    command = [sys.executable, "-m", "helpers.rnn.train", *folders, "--threads", "1"]
                    with log.open("w") as output:  # the child keeps its own handle on the file
                        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
                    running[run_dir] = (process, log)
                run_dir = next_to_finish(running)
                process, log = running.pop(run_dir)
                if process.returncode != 0:
                    last = log.read_text(errors="replace").strip().splitlines()[-1:]
                    raise RuntimeError(f"training {run_dir} failed in its own process: {''.join(last)}")
                report(f"trained {Path(run_dir).name} ({total - len(pending) - len(running)} of {total})")
        finally:
            for process, _ in running.values():
                process.kill()
                process.wait()


def next_to_finish(running: dict) -> Path:
    """Wait until one of the running processes ends and return its run folder."""
    while True:
        for run_dir, (process, _) in running.items():
            if process.poll() is not None:
                return run_dir
        time.sleep(0.2)


def main(argv: Sequence[str] | None = None) -> None:
    """Train one run from the shell; a second start after a crash resumes it."""
    parser = argparse.ArgumentParser(description="Train (or resume, or reuse) one run.")
    parser.add_argument("data", type=Path, help="a prepared data folder, e.g. data/full (notebook 01 writes it)")
    parser.add_argument("config", type=Path, help="a RunConfig saved as JSON (RunConfig.save)")
    parser.add_argument("run_dir", type=Path, help="the run folder, e.g. runs/full/baseline")
    parser.add_argument("--verbose", type=int, default=0, help="Keras verbosity: 0 quiet, 1 progress bar, 2 a line")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads the backend may use; 0: one per core")
    args = parser.parse_args(argv)
    if args.threads < 0:
        parser.error(f"--threads must be 0 or more, got {args.threads}")
    if args.threads:
        set_threads(args.threads)
    train_run(RunConfig.load(args.config), read_prepared(args.data), args.run_dir, verbose=args.verbose)


if __name__ == "__main__":
    main()
