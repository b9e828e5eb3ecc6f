"""What storing a shipped model's weights in float16 would change: its probabilities and its held-out loss.

Rounds every weight to float16 and back, then compares the two models on the held-out (test) tunes of the model's
own corpus: the largest change of any next-symbol probability, and the change in nats per tune and per symbol.
Usage:

    .venv/bin/python benchmarks/float16_weights.py [--model models/folk-lstm] [--data data/full-dance] [--tunes 100]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import keras
import numpy as np

from helpers.config import CONFIG, VOCAB, RunConfig
from helpers.corpus.represent import model_data
from helpers.corpus.split import read_prepared
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.evaluate import nats_per_tune
from helpers.rnn.model import load_trained_model


def probabilities(model: keras.Model, ids: np.ndarray) -> np.ndarray:
    """Next-symbol probabilities of one tune's ids (the model's softmax output)."""
    return keras.ops.convert_to_numpy(model(ids[None, :], training=False))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("models/folk-lstm"))
    parser.add_argument("--data", type=Path, default=Path("data/full-dance"))
    parser.add_argument("--tunes", type=int, default=100, help="test tunes compared (the first ones)")
    args = parser.parse_args()
    model = load_trained_model(args.model)
    halved = keras.models.clone_model(model)
    halved.set_weights([weights.astype(np.float16).astype(np.float32) for weights in model.get_weights()])
    vocab = Vocabulary.load(args.model / VOCAB)
    config = RunConfig.load(args.model / CONFIG)
    tunes = list(model_data(read_prepared(args.data), config.keys, config.notation).test_tunes)
    tunes = tunes[: args.tunes]
    largest = max(
        np.abs(probabilities(model, ids) - probabilities(halved, ids)).max()
        for ids in (np.array(vocab.encode(tune), dtype=np.int32) for tune in tunes)
    )
    full, half = nats_per_tune(model, vocab, tunes), nats_per_tune(halved, vocab, tunes)
    symbols = sum(len(vocab.encode(tune)) for tune in tunes)
    print(f"{args.model}: {len(tunes)} test tunes, {symbols:,} symbols")
    print(f"largest change of a probability: {largest:.5f}")
    print(f"nats per tune: float32 {full.mean():.3f}, float16 {half.mean():.3f}")
    print(f"change in nats per symbol: {(half.sum() - full.sum()) / symbols:+.2e}")


if __name__ == "__main__":
    main()
