"""Corpus statistics for the data notebook: sources, lengths, characters, meters and keys."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from helpers.abc.reader import header_fields
from helpers.corpus.load import Tune

__all__ = ["corpus_stats"]


@dataclass(frozen=True)
class CorpusStats:
    """Counts that describe a set of tunes."""

    tunes_per_source: Counter
    lengths: list[int]
    characters: Counter
    meters: Counter
    keys: Counter


def corpus_stats(tunes: list[Tune]) -> CorpusStats:
    """Tunes per collection, tune lengths in characters, character, meter (M:) and key (K:) counts."""
    fields = [header_fields(tune.text) for tune in tunes]
    return CorpusStats(
        tunes_per_source=Counter(tune.source for tune in tunes),
        lengths=[len(tune.text) for tune in tunes],
        characters=Counter(char for tune in tunes for char in tune.text),
        meters=Counter(f.get("M", "(none)") for f in fields),
        keys=Counter(f.get("K", "(none)") for f in fields),
    )
