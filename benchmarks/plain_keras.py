"""The package's baseline against a plain Keras script with the same settings, on the same prepared split.

Both train a SimpleRNN-100 on one-hot input (RMSprop at 0.002, batch 64, chunks of 100 characters): the
package through helpers.rnn.train.train_run into a temporary run folder, the plain script below with
model.fit on NumPy arrays. Prints the best validation loss of each and their difference; one seed's
difference is mostly the two data orders, so compare several seeds (--seed). The default is the full
profile's data (data/full, written here the way notebooks/01_data.ipynb writes it when missing). Usage:

    .venv/bin/python benchmarks/plain_keras.py [--epochs 20] [--tunes 300] [--seed 1] [--plain-output logits]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

import helpers as h
from helpers.corpus.clean import clean_tunes
from helpers.corpus.load import load_corpus
from helpers.corpus.split import MANIFEST, PreparedData, read_prepared, split_by_tune, to_records, write_prepared
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.train import train_run


def prepared_data(profile: h.Profile, tunes: int | None) -> PreparedData:
    """The profile's prepared split (written first if missing), or a split of the first `tunes` tunes."""
    folder = h.project_paths(profile).data
    if tunes is None and (folder / MANIFEST).is_file():
        return read_prepared(folder)
    kept, report = clean_tunes(load_corpus(profile.corpus))
    split = split_by_tune(kept, seed=profile.seed, max_tunes=tunes or profile.max_tunes)
    if tunes is None:
        description = {"profile": profile.name, "corpus": profile.corpus, "seed": profile.seed}
        write_prepared(split, folder, description | {"max_tunes": profile.max_tunes, "cleaning": report.to_dict()})
        return read_prepared(folder)
    texts = {name: to_records(getattr(split, name)) for name in ("train", "validation", "test")}
    return PreparedData(**texts, manifest={"benchmark": f"first {tunes} tunes of {profile.corpus}"})


def package_best_loss(data: PreparedData, config: h.RunConfig) -> float:
    """Best validation loss of the package's train_run, in a temporary run folder."""
    with tempfile.TemporaryDirectory() as folder:
        return train_run(config, data, Path(folder) / "baseline", verbose=0)["best_val_loss"]


def plain_keras_best_loss(data: PreparedData, config: h.RunConfig, output: str) -> float:
    """Best validation loss of a plain Keras script: one-hot NumPy arrays, model.fit with shuffle=True."""
    vocab = Vocabulary.from_text(data.train)  # the same ids as the package's, so only the training differs

    def one_hot_chunks(text: str) -> tuple[np.ndarray, np.ndarray]:
        ids = vocab.encode(text)
        n = (len(ids) - 1) // config.chunk_length * config.chunk_length
        inputs = ids[:n].reshape(-1, config.chunk_length)
        targets = ids[1 : n + 1].reshape(-1, config.chunk_length)
        return np.eye(vocab.size, dtype="float32")[inputs], targets

    x_train, y_train = one_hot_chunks(data.train)
    x_validation, y_validation = one_hot_chunks(data.validation)
    keras.utils.set_random_seed(config.seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(None, vocab.size)),
            keras.layers.SimpleRNN(config.hidden_size, return_sequences=True),
            keras.layers.Dense(vocab.size, activation=None if output == "logits" else "softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=output == "logits"),
    )
    history = model.fit(
        x_train,
        y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        shuffle=True,
        validation_data=(x_validation, y_validation),
        verbose=0,
    )
    return min(history.history["val_loss"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--tunes", type=int, default=None, help="a split of this many tunes, for a quick check")
    parser.add_argument("--seed", type=int, default=1, help="initial weights and order of the chunks")
    parser.add_argument("--plain-output", choices=("logits", "softmax"), default="logits")
    args = parser.parse_args()

    profile = h.get_profile("full")
    data = prepared_data(profile, args.tunes)
    config = profile.run_config(epochs=args.epochs, seed=args.seed)
    print(
        f"{config.slug}, {config.epochs} epochs, batch {config.batch_size}, chunk {config.chunk_length}; "
        f"{len(data.train):,} training characters"
    )
    trainers = {
        "package train_run": lambda: package_best_loss(data, config),
        f"plain Keras ({args.plain_output})": lambda: plain_keras_best_loss(data, config, args.plain_output),
    }
    best = {}
    for label, train in trainers.items():
        started = time.perf_counter()
        best[label] = train()
        print(f"{label:24s} best validation loss {best[label]:.4f} nats/char  ({time.perf_counter() - started:.0f} s)")
    package, plain = best.values()
    print(f"package - plain: {package - plain:+.4f} nats/char (one seed: compare several with --seed)")


if __name__ == "__main__":
    main()
