"""The shipped generator: the best model this package trains, by one resumable command (`make train-shipped`).

It is not part of the one-hour study. It trains on the dance-tune corpus (every packaged collection of
instrumental folk tunes, deduplicated), with every tune moved to the tonic C in its own mode, as folk-rnn does,
and a larger network than the study's, reading every tune in the canonical ABC (the tunes that cannot be
rewritten are left out and counted). Killed at any moment, the same command resumes it from its last whole
epoch. On a machine with a GPU the same code trains there: under TensorFlow (with several GPUs, under
MirroredStrategy), or, where a GPU machine has PyTorch but no TensorFlow, with `KERAS_BACKEND=torch` (cuDNN cells).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from helpers.config import SYMBOLS, RunConfig, get_profile, project_paths
from helpers.corpus.split import prepare_corpus
from helpers.rnn.train import TimeBudget, train_run

__all__ = ["shipped_data_dir", "shipped_run_dir"]

SHIPPED_CORPUS = "dance"
SHIPPED_CONFIG = RunConfig(
    cell="LSTM",
    hidden_size=512,
    layers=2,
    dropout=0.5,
    encoding="embedding",
    embedding_dim=64,
    optimizer="adam",
    learning_rate=0.002,
    # Early stopping ends it sooner on a GPU (18 epochs, 5 minutes on one H200, as written); on 2 CPU cores the
    # canonical composer ran 15 epochs in 1.5 hours (--minutes), still improving: models/folk-lstm/README.md.
    epochs=40,
    batch_size=32,
    chunk_length=150,  # longer than the study's 100: a reel's part is about 150 characters
    early_stopping_patience=3,
    seed=1,
    symbols="chars",
    keys="in C",
    notation="canonical",  # the grammar's own notation: what the valid-ABC and form sampling masks allow
)


PROFILE = get_profile("full", corpus=SHIPPED_CORPUS)  # its folders: data/full-dance, runs/full-dance


def shipped_data_dir(root: Path | None = None, max_tunes: int | None = None) -> Path:
    """Where the dance corpus is prepared: data/full-dance (data/full-dance-<n> for a trial on n tunes)."""
    folder = project_paths(PROFILE, root).data
    return folder if max_tunes is None else folder.with_name(f"{folder.name}-{max_tunes}")


def shipped_run_dir(root: Path | None = None, config: RunConfig = SHIPPED_CONFIG, max_tunes: int | None = None) -> Path:
    """Where the shipped model trains: runs/full-dance/shipped-<slug>-e<epochs>[-lr<rate>] (full-dance-<n>: a trial)."""
    runs = project_paths(PROFILE, root).runs
    runs = runs if max_tunes is None else runs.with_name(f"{runs.name}-{max_tunes}")
    rate = "" if config.learning_rate == SHIPPED_CONFIG.learning_rate else f"-lr{config.learning_rate:g}"
    return runs / f"shipped-{config.slug}-e{config.epochs}{rate}"


def train_shipped(
    root: Path | None = None,
    config: RunConfig = SHIPPED_CONFIG,
    max_tunes: int | None = None,
    verbose="auto",
    minutes: float | None = None,
) -> Path:
    """Prepare the dance corpus (once), train (or resume) the shipped configuration, and return its run folder.

    With minutes, training ends after the first epoch that finishes past that budget (the best epoch is kept).
    """
    folder = shipped_data_dir(root, max_tunes)
    data = prepare_corpus(SHIPPED_CORPUS, PROFILE.seed, folder, max_tunes=max_tunes, profile=PROFILE.name)
    run_dir = shipped_run_dir(root, config, max_tunes)
    train_run(config, data, run_dir, verbose=verbose, callbacks=[TimeBudget(minutes * 60)] if minutes else [])
    return run_dir


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: train the shipped model; the options train a candidate, or (--max-tunes) a small trial run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=SHIPPED_CONFIG.epochs, help="most epochs (early stopping)")
    parser.add_argument("--max-tunes", type=int, default=None, help="a smaller corpus, for a trial run")
    parser.add_argument("--hidden-size", type=int, default=SHIPPED_CONFIG.hidden_size)
    parser.add_argument("--layers", type=int, default=SHIPPED_CONFIG.layers)
    parser.add_argument("--dropout", type=float, default=SHIPPED_CONFIG.dropout)
    parser.add_argument("--symbols", choices=SYMBOLS, default=SHIPPED_CONFIG.symbols)
    parser.add_argument("--learning-rate", type=float, default=SHIPPED_CONFIG.learning_rate)
    parser.add_argument("--minutes", type=float, default=None, help="end after the first epoch past this budget")
    args = parser.parse_args(argv)
    options = {
        name: getattr(args, name) for name in ("epochs", "hidden_size", "layers", "dropout", "symbols", "learning_rate")
    }
    config = replace(SHIPPED_CONFIG, **options)
    print(train_shipped(config=config, max_tunes=args.max_tunes, verbose=2, minutes=args.minutes))


if __name__ == "__main__":
    main()
