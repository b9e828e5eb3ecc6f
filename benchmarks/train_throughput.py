"""Training throughput of SimpleRNN, LSTM and GRU at several sizes, at a profile's batch size and chunk length.

Prints characters per second, seconds per epoch and seconds per run (at the profile's epochs) on the
prepared training set of the profile (notebook 01 writes it; without it, the profile's corpus is cleaned
here), then the same for the study's best model, its most expensive configuration. Usage:

    .venv/bin/python benchmarks/train_throughput.py [--profile full] [--cells SimpleRNN,LSTM,GRU] [--sizes 50,100]
"""

from __future__ import annotations

import argparse
import os
import time

import helpers as h
from helpers.analysis.study import BEST_MODEL
from helpers.corpus.clean import clean_tunes
from helpers.corpus.load import load_corpus
from helpers.corpus.split import read_prepared, split_by_tune, to_records
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import build_model, compile_model
from helpers.rnn.pipeline import batches_per_epoch, make_training_dataset


def training_text(profile: h.Profile) -> str:
    """The profile's training text: data/<profile> if prepared, else made here the same way."""
    try:
        return read_prepared(h.project_paths(profile).data).train
    except FileNotFoundError:
        tunes, _ = clean_tunes(load_corpus(profile.corpus))
        split = split_by_tune(tunes, seed=profile.seed, max_tunes=profile.max_tunes)
        return to_records(split.train)


def measure(config: h.RunConfig, ids, vocab_size: int, epochs: int) -> tuple[float, float]:
    """Seconds per epoch and characters per second of model.fit, after a warm-up epoch."""
    model = compile_model(build_model(config, vocab_size), config)
    steps = batches_per_epoch(ids, config.chunk_length, config.batch_size)
    warm_up = make_training_dataset(ids, config.chunk_length, config.batch_size, config.seed, range(1))
    model.fit(warm_up, steps_per_epoch=3, epochs=1, verbose=0, shuffle=False)
    batches = make_training_dataset(ids, config.chunk_length, config.batch_size, config.seed, range(epochs))
    started = time.perf_counter()
    model.fit(batches, steps_per_epoch=steps, epochs=epochs, verbose=0, shuffle=False)
    seconds = (time.perf_counter() - started) / epochs
    characters = (len(ids) - 1) // config.chunk_length * config.chunk_length
    return seconds, characters / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--cells", default="SimpleRNN,LSTM,GRU")
    parser.add_argument("--sizes", default="50,100,150,256")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per model")
    args = parser.parse_args()

    profile = h.get_profile(args.profile)
    text = training_text(profile)
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    print(
        f"profile {profile.name}: {len(text):,} training characters, batch {profile.batch_size}, "
        f"chunk {profile.chunk_length}, {os.cpu_count()} CPU cores"
    )
    print(f"{'model':18s} {'params':>8s} {'chars/s':>10s} {'s/epoch':>8s} {'s/run':>6s}")
    configs = {
        f"{cell} {size}": profile.run_config(cell=cell, hidden_size=size)
        for cell in args.cells.split(",")
        for size in (int(s) for s in args.sizes.split(","))
    }
    configs["best model"] = profile.run_config(**BEST_MODEL)
    for name, config in configs.items():
        seconds, rate = measure(config, ids, vocab.size, args.epochs)
        params = build_model(config, vocab.size).count_params()
        print(f"{name:18s} {params:8,d} {rate:10,.0f} {seconds:8.2f} {seconds * config.epochs:6.0f}", flush=True)


if __name__ == "__main__":
    main()
