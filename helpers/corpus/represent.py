"""What a model reads: the prepared sets, with each tune in its own key or moved to C, as written or in the
canonical notation, in characters or tokens.

The split is made once (notebook 01); every representation is computed from it, so models that read the tunes
differently are still trained and tested on the same tunes. A tune whose key cannot be moved to C, or that the
canonical notation cannot rewrite, is left out of that model's test tunes (see `ModelData.test_index`), so
per-tune comparisons pair the test tunes that both models scored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from helpers.config import KEY_HANDLINGS, NOTATIONS, SYMBOLS
from helpers.corpus.canonical import canonical_tunes
from helpers.corpus.keys import normalise_tunes
from helpers.corpus.load import Tune, split_records
from helpers.corpus.split import SPLITS, PreparedData, to_records
from helpers.corpus.vocab import TokenVocabulary, Vocabulary

__all__ = ["ModelData", "make_vocabulary", "model_data"]


@dataclass(frozen=True)
class ModelData:
    """The three sets as the model reads them, and its test tunes one by one."""

    train: str
    validation: str
    test: str
    test_tunes: tuple[str, ...]  # each test tune's text as the model reads it
    test_index: tuple[int, ...]  # their positions among the prepared test tunes
    dropped: dict[str, int] = field(default_factory=dict)  # tunes left out (key not movable), by reason


def in_keys(tunes: list[Tune], keys: str) -> tuple[list[tuple[int, Tune]], Counter]:
    """(position, tune) of each tune in the key handling given, and the tunes left out by reason."""
    if keys == "as written":
        return list(enumerate(tunes)), Counter()
    if keys == "in C":
        return normalise_tunes(tunes)
    raise ValueError(f"unknown key handling {keys!r}; expected one of {KEY_HANDLINGS}")


def in_notation(kept: list[tuple[int, Tune]], notation: str) -> tuple[list[tuple[int, Tune]], Counter]:
    """The (position, tune) pairs in the notation given (their positions kept), and the tunes left out by reason."""
    if notation == "as written":
        return kept, Counter()
    if notation == "canonical":
        rewritten, report = canonical_tunes([tune for _, tune in kept])
        return [(kept[index][0], tune) for index, tune in rewritten], report.dropped
    raise ValueError(f"unknown notation {notation!r}; expected one of {NOTATIONS}")


def model_data(data: PreparedData, keys: str, notation: str = "as written") -> ModelData:
    """The prepared sets with every tune in the key handling, then the notation, given; tunes whose key cannot be
    moved, or that the canonical notation cannot rewrite, are counted by reason."""
    dropped: Counter = Counter()
    texts, test = {}, []
    for name in SPLITS:
        kept, left_out = in_keys(split_records(getattr(data, name), name), keys)
        kept, rewritten_out = in_notation(kept, notation)
        dropped.update({f"{name}: {reason}": count for reason, count in (left_out + rewritten_out).items()})
        as_written = keys == "as written" and notation == "as written"
        texts[name] = getattr(data, name) if as_written else to_records([tune for _, tune in kept])
        if name == "test":
            test = kept
    return ModelData(
        **texts,
        test_tunes=tuple(tune.text for _, tune in test),
        test_index=tuple(position for position, _ in test),
        dropped=dict(dropped),
    )


def make_vocabulary(symbols: str, train_text: str) -> Vocabulary | TokenVocabulary:
    """The vocabulary of the training text, in characters or in tokens of the ABC reader."""
    if symbols == "chars":
        return Vocabulary.from_text(train_text)
    if symbols == "tokens":
        return TokenVocabulary.from_text(train_text)
    raise ValueError(f"unknown symbols {symbols!r}; expected one of {SYMBOLS}")
