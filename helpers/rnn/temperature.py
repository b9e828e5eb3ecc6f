"""What temperature does: it reshapes the model's distribution at sampling time; training never sees it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.special import log_softmax

from helpers.config import VOCAB
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import check_softmax_output, load_trained_model
from helpers.rnn.pipeline import make_chunks
from helpers.rnn.sample import check_temperature

__all__ = ["tempered_cross_entropy"]


def tempered_cross_entropy(run_dir: Path, text: str, temperatures, chunk_length: int = 100) -> dict[float, float]:
    """Cross-entropy in nats per character of softmax(log p / T) on the text, for each temperature T.

    T = 1 gives the model's own validation loss; any other T scores the distribution the sampler draws from.
    """
    temperatures = list(temperatures)
    for temperature in temperatures:
        check_temperature(temperature)  # the sampler's range: outside it, log p / T overflows or underflows
    run_dir = Path(run_dir)
    model = load_trained_model(run_dir)
    check_softmax_output(model)
    ids = Vocabulary.load(run_dir / VOCAB).encode(text)
    inputs, targets = make_chunks(ids, chunk_length)
    outputs = model.predict(inputs, batch_size=256, verbose=0).astype(np.float64)
    log_p = np.log(np.clip(outputs, 1e-30, None))
    losses = {}
    for temperature in temperatures:
        tempered = log_softmax(log_p / temperature, axis=-1)
        losses[float(temperature)] = float(-np.take_along_axis(tempered, targets[..., None], axis=-1).mean())
    return losses
