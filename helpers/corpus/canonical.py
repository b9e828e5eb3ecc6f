"""A corpus in the one canonical ABC (helpers.abc.canonical): each tune rewritten, or dropped and counted by reason.

A tune is kept only when its rewrite is accepted by the grammar and reads back with the same notes and bars;
the others are counted by reason, with an example of each, never passed on half rewritten.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from helpers.abc.canonical import CanonicalError, canonical_abc
from helpers.corpus.load import CorpusError, Tune

__all__ = ["CanonicalReport", "canonical_tunes"]


@dataclass
class CanonicalReport:
    """How many tunes became canonical, and why the others were dropped."""

    tunes_in: int = 0
    tunes_out: int = 0
    dropped: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # reason: the source and detail of its first tune

    def summary(self) -> str:
        """A readable account: tunes kept, then one line per reason of dropping."""
        lines = [f"{self.tunes_in} tunes read, {self.tunes_out} canonical."]
        for reason, count in self.dropped.most_common():
            lines.append(f"  dropped {count:5d}: {reason}   e.g. {self.examples[reason]}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"tunes_in": self.tunes_in, "tunes_out": self.tunes_out, "dropped": dict(self.dropped)}


def canonical_tunes(tunes: list[Tune]) -> tuple[list[tuple[int, Tune]], CanonicalReport]:
    """Each tune that can be rewritten canonically, as (its position, the rewritten tune), and the report.

    CorpusError if tunes were given and none is left.
    """
    report = CanonicalReport(tunes_in=len(tunes))
    kept: list[tuple[int, Tune]] = []
    for position, tune in enumerate(tunes):
        try:
            text = canonical_abc(tune.text)
        except CanonicalError as error:
            report.dropped[error.reason] += 1
            report.examples.setdefault(error.reason, f"[{tune.source}] {error.detail[:60]!r}")
            continue
        kept.append((position, Tune(tune.source, text)))
    report.tunes_out = len(kept)
    if tunes and not kept:
        reasons = "; ".join(f"{count} {reason}" for reason, count in report.dropped.most_common())
        raise CorpusError(f"the canonical notation kept none of the {len(tunes)} tunes: {reasons}")
    return kept, report
