"""What temperature does: it reshapes the model's distribution at sampling time; training never sees it."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from helpers.config import MODEL, VOCAB
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.pipeline import make_chunks


def tempered_cross_entropy(run_dir: Path, text: str, temperatures, chunk_length: int = 100) -> dict[float, float]:
    """Cross-entropy in nats per character of softmax(log p / T) on the text, for each temperature T.

    T = 1 gives the model's own validation loss; any other T scores the distribution the sampler draws from.
    """
    if any(not t > 0 for t in temperatures):
        raise ValueError(f"temperatures must be positive, got {list(temperatures)}")
    run_dir = Path(run_dir)
    model = keras.models.load_model(run_dir / MODEL)
    ids = Vocabulary.load(run_dir / VOCAB).encode(text)
    inputs, targets = make_chunks(ids, chunk_length)
    log_p = np.log(np.clip(model.predict(inputs, batch_size=256, verbose=0), 1e-30, None)).astype(np.float64)
    losses = {}
    for temperature in temperatures:
        scaled = log_p / temperature
        log_normaliser = np.log(np.exp(scaled - scaled.max(-1, keepdims=True)).sum(-1)) + scaled.max(-1)
        chosen = np.take_along_axis(scaled, targets[..., None], axis=-1)[..., 0]
        losses[float(temperature)] = float((log_normaliser - chosen).mean())
    return losses
