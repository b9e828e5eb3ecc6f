"""Key normalisation of a corpus, as folk-rnn does: every tune moved to one tonic, its mode kept.

A model then learns one key per mode instead of twelve. A tune whose key cannot be read or written (K:none,
K:HP, an unknown mode, ...) is dropped and counted by reason, never passed on half transposed.
"""

from __future__ import annotations

from collections import Counter

from helpers.abc.transpose import TranspositionError, check_tonic, normalise_key
from helpers.corpus.load import CorpusError, Tune

__all__ = ["normalise_tunes"]


def normalise_tunes(tunes: list[Tune], tonic: str = "C") -> tuple[list[tuple[int, Tune]], Counter[str]]:
    """Each tune that moves to this tonic by the smaller move (-5..+6 semitones), as (its position, the moved tune),
    and how many were dropped, by reason.

    CorpusError if tunes were given and none is left.
    """
    check_tonic(tonic)
    kept: list[tuple[int, Tune]] = []
    dropped: Counter[str] = Counter()
    for position, tune in enumerate(tunes):
        try:
            text, _ = normalise_key(tune.text, tonic)
        except TranspositionError as error:
            dropped[error.reason] += 1
            continue
        kept.append((position, Tune(tune.source, text)))
    if tunes and not kept:
        reasons = "; ".join(f"{count} {reason}" for reason, count in dropped.most_common())
        raise CorpusError(f"key normalisation kept none of the {len(tunes)} tunes: {reasons}")
    return kept, dropped
