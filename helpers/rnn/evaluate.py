"""Nats per tune: how well a model predicts whole held-out tunes, comparable across characters and tokens.

A loss per character and a loss per token measure different things: a token model takes fewer, harder steps.
The information in a tune is the same either way, so models that read a tune in different symbols are compared
by the sum of -log p over the whole tune. Each tune is read from a fresh state after its "<start>" line, and
everything after that line is scored: the tune's text, then the line break and "<end>" that close it.
"""

from __future__ import annotations

import keras
import numpy as np

from helpers.abc.reader import END, START
from helpers.corpus.vocab import Vocabulary
from helpers.rnn.model import check_softmax_output

__all__ = ["nats_per_tune"]

PREFIX = f"{START}\n"  # given, not scored: every tune starts with it


def tune_record(tune_text: str) -> str:
    """A tune as the model reads it, between its <start> and <end> lines."""
    return f"{PREFIX}{tune_text}\n{END}\n"


def nats_per_tune(model: keras.Model, vocab: Vocabulary, tune_texts: list[str], batch_size: int = 32) -> np.ndarray:
    """-log p (nats) of each tune after its <start> line, under the model; one number per tune."""
    if not tune_texts:
        raise ValueError("no tunes to score")
    prefix_length = len(vocab.encode(PREFIX))
    encoded = [vocab.encode(tune_record(text)) for text in tune_texts]
    check_softmax_output(model)
    totals = np.zeros(len(encoded))
    order = np.argsort([len(ids) for ids in encoded])  # batches of similar length pad little
    for first in range(0, len(order), batch_size):
        rows = order[first : first + batch_size]
        width = max(len(encoded[row]) for row in rows)
        ids = np.zeros((len(rows), width), dtype=np.int32)
        for i, row in enumerate(rows):
            ids[i, : len(encoded[row])] = encoded[row]
        outputs = np.asarray(model.predict_on_batch(ids[:, :-1]), dtype=np.float64)
        log_p = np.log(np.maximum(outputs, np.finfo(np.float64).tiny))
        targets = np.take_along_axis(log_p, ids[:, 1:, None], axis=-1)[..., 0]
        for i, row in enumerate(rows):
            totals[row] = -targets[i, prefix_length - 1 : len(encoded[row]) - 1].sum()
    return totals
