"""Train one run with model.fit and callbacks; everything it learns lives in its own folder."""

from __future__ import annotations

import csv
import json
import math
import shutil
import time
from pathlib import Path

import keras
import tensorflow as tf

from helpers.config import BACKUP, BEST_WEIGHTS, CONFIG, DATA, HISTORY, METRICS, MODEL, VOCAB, RunConfig  # noqa: F401
from helpers.corpus.split import PreparedData
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import build_model, compile_model
from helpers.rnn.pipeline import make_dataset


class RunConflictError(ValueError):
    """A run folder already holds a run with other settings or other data."""


class EpochTimer(keras.callbacks.Callback):
    """Adds each epoch's wall time to the logs, so the history file records it."""

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self.started


def to_bits(nats: float) -> float:
    """Nats per character -> bits per character."""
    return nats / math.log(2)


def distribution_strategy() -> tf.distribute.Strategy:
    """MirroredStrategy over several GPUs, else the default (one GPU, or all CPU cores)."""
    gpus = tf.config.list_logical_devices("GPU")
    return tf.distribute.MirroredStrategy() if len(gpus) > 1 else tf.distribute.get_strategy()


def read_history(run_dir: Path) -> list[dict]:
    """One row per epoch (0-based), numbers as floats; an epoch redone after a crash counts once."""
    path = Path(run_dir) / HISTORY
    if not path.is_file():
        return []
    with path.open(newline="") as handle:
        rows = {int(row["epoch"]): {k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)}
    return [rows[epoch] | {"epoch": epoch} for epoch in sorted(rows)]


def read_metrics(run_dir: Path) -> dict:
    """The final metrics of a finished run."""
    path = Path(run_dir) / METRICS
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} holds no finished run ({METRICS} is missing)")
    return json.loads(path.read_text(encoding="utf-8"))


def check_run_dir(run_dir: Path, config: RunConfig, fingerprint: str) -> None:
    """Refuse to reuse a folder that holds a different run; nothing is written before this passes."""
    if (run_dir / CONFIG).is_file() and RunConfig.load(run_dir / CONFIG) != config:
        raise RunConflictError(f"{run_dir} holds a run with other settings; choose another name or remove it")
    if (run_dir / DATA).is_file():
        trained_on = json.loads((run_dir / DATA).read_text(encoding="utf-8"))["fingerprint"]
        if trained_on != fingerprint:
            raise RunConflictError(f"{run_dir} was trained on other data ({trained_on}); choose another name")


def make_callbacks(run_dir: Path, config: RunConfig) -> list[keras.callbacks.Callback]:
    """Timer, NaN guard, best checkpoint, history, crash backup and optional early stopping, in that order."""
    best_so_far = min((row["val_loss"] for row in read_history(run_dir)), default=None)
    callbacks = [
        EpochTimer(),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.ModelCheckpoint(
            run_dir / BEST_WEIGHTS,
            monitor="val_loss",
            save_best_only=True,
            save_weights_only=True,
            initial_value_threshold=best_so_far,
        ),
        keras.callbacks.CSVLogger(run_dir / HISTORY, append=True),
        keras.callbacks.BackupAndRestore(run_dir / BACKUP, delete_checkpoint=False),
    ]
    if config.early_stopping_patience:
        callbacks.append(keras.callbacks.EarlyStopping(patience=config.early_stopping_patience))
    return callbacks


def train_run(config: RunConfig, data: PreparedData, run_dir: Path, verbose="auto", callbacks=()) -> dict:
    """Train (or resume, or reuse) the run in run_dir and return its final metrics."""
    run_dir = Path(run_dir)
    check_run_dir(run_dir, config, data.fingerprint)
    if (run_dir / METRICS).is_file():
        print(f"{run_dir.name}: finished before, reusing its results")
        return read_metrics(run_dir)
    vocab = Vocabulary.from_text(data.train)
    train_ids, validation_ids, test_ids = (vocab.encode(text) for text in (data.train, data.validation, data.test))
    keras.utils.set_random_seed(config.seed)
    train_set = make_dataset(train_ids, config.chunk_length, config.batch_size, shuffle_seed=config.seed)
    validation_set = make_dataset(validation_ids, config.chunk_length, config.batch_size)

    run_dir.mkdir(parents=True, exist_ok=True)
    config.save(run_dir / CONFIG)
    vocab.save(run_dir / VOCAB)
    (run_dir / DATA).write_text(json.dumps({"fingerprint": data.fingerprint, **data.manifest}, indent=2) + "\n")
    with distribution_strategy().scope():
        model = compile_model(build_model(config, vocab.size), config)
    model.fit(
        train_set,
        validation_data=validation_set,
        epochs=config.epochs,
        shuffle=False,  # the training set reshuffles itself each epoch, with the run's seed
        callbacks=[*make_callbacks(run_dir, config), *callbacks],
        verbose=verbose,
    )
    if not (run_dir / BEST_WEIGHTS).is_file():
        raise RuntimeError(f"{run_dir.name}: the loss became NaN before the first epoch ended; lower the learning rate")
    model.load_weights(run_dir / BEST_WEIGHTS)
    model.save(run_dir / MODEL)
    test_set = make_dataset(test_ids, config.chunk_length, config.batch_size)
    metrics = summarize(read_history(run_dir), config, model.evaluate(test_set, verbose=0), len(data.train))
    metrics |= {"parameters": model.count_params(), "vocab_size": vocab.size}
    (run_dir / METRICS).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(run_dir / BACKUP, ignore_errors=True)
    return metrics


def summarize(history: list[dict], config: RunConfig, test_loss: float, train_characters: int) -> dict:
    """Final and best losses in nats and bits per character, and timing, from the history."""
    best = min(history, key=lambda row: row["val_loss"])
    last = history[-1]
    wall_seconds = sum(row.get("epoch_seconds", 0.0) for row in history)
    stopped = "completed" if len(history) == config.epochs else "early"
    if not all(math.isfinite(row["loss"]) for row in history):
        stopped = "nan"
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
        "stopped": stopped,
        "wall_seconds": wall_seconds,
        "train_characters": train_characters,
        "characters_per_second": train_characters * len(history) / wall_seconds if wall_seconds else None,
    }
