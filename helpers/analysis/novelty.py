"""Copying from the training set: the longest passage a tune shares with any training tune, and shared n-grams.

A network that memorises writes out long stretches of its training tunes. Copying is measured on the text
(characters and whole bars), on pitches (8-note sequences) and on the intervals between consecutive notes
(in semitones), which a copy in another key keeps: the longest shared run of intervals, the share of the
tune's 8-interval sequences found in training, and the nearest training tune by edit distance over intervals.
The training set is indexed once (suffix automata of the tune bodies, their bars and their intervals, and the
sets of 8-note and 8-interval sequences), so that each tune is then measured in time proportional to its own
length, apart from the nearest tune, which rapidfuzz finds among all training tunes in a few milliseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from helpers.abc.music import pitch_sequence, read_music
from helpers.abc.reader import header_fields, split_header_body

__all__ = ["TrainingIndex"]

NGRAM = 8
INTERVAL_CHARACTER_ZERO = 0x1000  # the character of interval 0; rapidfuzz compares strings faster than lists
INTERVAL_LIMIT = 0xFFF  # wider intervals (hundreds of octave marks, which only a broken tune has) are cut to this
SEPARATOR = None  # between two training sequences; never in a query, so no match runs across it


class SuffixAutomaton:
    """All substrings of a collection of sequences (of characters, or of any hashable symbols) in one automaton.

    Built in time linear in the total length; longest_match finds the longest run of a query that occurs in
    some sequence of the collection, reading the query once.
    """

    def __init__(self, sequences: Sequence[Sequence[Hashable]]) -> None:
        self.transitions: list[dict] = [{}]
        self.link = [-1]
        self.length = [0]
        self.end = [-1]  # where the state's substrings first end in the concatenated sequences
        self.starts: list[int] = []  # where each sequence starts in the concatenation
        last = position = 0
        for sequence in sequences:
            self.starts.append(position)
            for symbol in [*sequence, SEPARATOR]:
                last = self.extend(last, symbol, position)
                position += 1

    def extend(self, last: int, symbol: Hashable, position: int) -> int:
        """Add one symbol at the end (the classic online construction); returns the new last state."""
        transitions, link, length, end = self.transitions, self.link, self.length, self.end
        current = len(transitions)
        transitions.append({})
        link.append(0)
        length.append(length[last] + 1)
        end.append(position)
        state = last
        while state != -1 and symbol not in transitions[state]:
            transitions[state][symbol] = current
            state = link[state]
        if state != -1:
            target = transitions[state][symbol]
            if length[state] + 1 == length[target]:
                link[current] = target
            else:
                clone = len(transitions)
                transitions.append(dict(transitions[target]))
                link.append(link[target])
                length.append(length[state] + 1)
                end.append(end[target])
                while state != -1 and transitions[state].get(symbol) == target:
                    transitions[state][symbol] = clone
                    state = link[state]
                link[target] = link[current] = clone
        return current

    def longest_match(self, query: Sequence[Hashable]) -> tuple[int, int, int]:
        """(length, end in query, index of a sequence holding it) of the longest shared run; (0, -1, -1) if none."""
        transitions, link, length = self.transitions, self.link, self.length
        state = matched = best = 0
        best_end = best_state = -1
        for index, symbol in enumerate(query):
            while state and symbol not in transitions[state]:
                state = link[state]
                matched = length[state]
            if symbol in transitions[state]:
                state = transitions[state][symbol]
                matched += 1
            if matched > best:
                best, best_end, best_state = matched, index, state
        if not best:
            return 0, -1, -1
        return best, best_end, bisect_right(self.starts, self.end[best_state]) - 1


def tune_body(abc: str) -> str:
    """The music of a tune: its lines after the first K: field."""
    return "\n".join(split_header_body(abc)[1])


def bar_texts(abc: str) -> list[str]:
    """The tune's bars as the reader found them, as text without spaces, bar lines, endings and comments."""
    music = read_music(abc)
    bars = [*music.bars, music.trailing] if music.trailing is not None else music.bars
    return [bar.text for bar in bars if bar.text]


def ngrams(pitches: Sequence[int], n: int = NGRAM) -> list[tuple[int, ...]]:
    """Every run of n consecutive pitches (or intervals)."""
    return [tuple(pitches[i : i + n]) for i in range(len(pitches) - n + 1)]


def intervals(pitches: Sequence[int]) -> list[int]:
    """Semitones from each note to the next: the same for a tune in any key."""
    return [after - before for before, after in zip(pitches, pitches[1:], strict=False)]


def interval_text(steps: Sequence[int]) -> str:
    """Intervals as one character each, so that rapidfuzz compares them as a string (twice as fast as a list)."""
    return "".join(chr(INTERVAL_CHARACTER_ZERO + max(-INTERVAL_LIMIT, min(step, INTERVAL_LIMIT))) for step in steps)


@dataclass(frozen=True)
class Novelty:
    """How much of one tune is copied from the training set."""

    longest_copy_chars: int
    copied_text: str
    copied_from: str | None  # title (or number) of the training tune that holds the longest copy
    longest_copy_bars: int
    ngrams: int
    ngrams_in_training: int
    longest_interval_copy: int  # in intervals: a run of k intervals is k + 1 notes, in any key
    interval_copied_from: str | None  # title of the training tune that holds the longest interval copy
    interval_ngrams: int
    interval_ngrams_in_training: int
    nearest_title: str | None  # the training tune whose intervals are fewest edits away; None without intervals
    nearest_distance: float | None  # its edit distance over intervals / the longer length: 0 same, 1 nothing alike

    @property
    def ngram_share(self) -> float | None:
        """Share of the tune's 8-note sequences that occur in some training tune; None for a tune that short."""
        return self.ngrams_in_training / self.ngrams if self.ngrams else None

    @property
    def interval_ngram_share(self) -> float | None:
        """Share of the tune's 8-interval sequences that occur in some training tune, in any key; None if fewer."""
        return self.interval_ngrams_in_training / self.interval_ngrams if self.interval_ngrams else None

    def row(self) -> dict:
        return {
            "longest_copy_chars": self.longest_copy_chars,
            "longest_copy_bars": self.longest_copy_bars,
            "ngram_share": self.ngram_share,
            "longest_interval_copy": self.longest_interval_copy,
            "interval_ngram_share": self.interval_ngram_share,
            "nearest_distance": self.nearest_distance,
        }


class TrainingIndex:
    """The training tunes indexed once for copying checks: bodies, bars, pitch n-grams and intervals.

    For the full profile's ~1,560 training tunes (~480,000 characters) indexing takes about 5 s and 300 MB,
    after which one tune is measured in about 5 ms, half of it finding the nearest tune.
    """

    def __init__(self, tunes: Sequence[str], n: int = NGRAM) -> None:
        if not tunes:
            raise ValueError("the training index needs at least one training tune")
        self.n = n
        self.titles = [header_fields(tune).get("T") or f"training tune {i + 1}" for i, tune in enumerate(tunes)]
        self.characters = SuffixAutomaton([tune_body(tune) for tune in tunes])
        self.bar_ids: dict[str, int] = {}
        self.bars = SuffixAutomaton([self.bar_sequence(tune, grow=True) for tune in tunes])
        pitches = [pitch_sequence(tune) for tune in tunes]
        self.ngram_set = {gram for tune in pitches for gram in ngrams(tune, n)}
        steps = [intervals(tune) for tune in pitches]
        self.intervals = SuffixAutomaton(steps)
        self.interval_ngram_set = {gram for tune in steps for gram in ngrams(tune, n)}
        self.interval_texts = [interval_text(tune) for tune in steps]

    def bar_sequence(self, abc: str, grow: bool = False) -> list[int]:
        """The tune's bars as ids; a bar no training tune has gets -1 (which matches nothing)."""
        if grow:
            return [self.bar_ids.setdefault(bar, len(self.bar_ids)) for bar in bar_texts(abc)]
        return [self.bar_ids.get(bar, -1) for bar in bar_texts(abc)]

    def nearest(self, steps: Sequence[int]) -> tuple[str | None, float | None]:
        """The training tune whose intervals are fewest edits (per interval of the longer) from these, and how few."""
        if not steps:
            return None, None
        _, distance, source = process.extractOne(
            interval_text(steps), self.interval_texts, scorer=Levenshtein.normalized_distance
        )
        return self.titles[source], float(distance)

    def novelty(self, abc: str) -> Novelty:
        """How much of this tune a training tune holds: as text, as pitches, and as intervals in any key."""
        body = tune_body(abc)
        length, end, source = self.characters.longest_match(body)
        pitches = pitch_sequence(abc)
        grams = ngrams(pitches, self.n)
        steps = intervals(pitches)
        interval_length, _, interval_source = self.intervals.longest_match(steps)
        interval_grams = ngrams(steps, self.n)
        nearest_title, nearest_distance = self.nearest(steps)
        return Novelty(
            longest_copy_chars=length,
            copied_text=body[end + 1 - length : end + 1] if length else "",
            copied_from=self.titles[source] if length else None,
            longest_copy_bars=self.bars.longest_match(self.bar_sequence(abc))[0],
            ngrams=len(grams),
            ngrams_in_training=sum(gram in self.ngram_set for gram in grams),
            longest_interval_copy=interval_length,
            interval_copied_from=self.titles[interval_source] if interval_length else None,
            interval_ngrams=len(interval_grams),
            interval_ngrams_in_training=sum(gram in self.interval_ngram_set for gram in interval_grams),
            nearest_title=nearest_title,
            nearest_distance=nearest_distance,
        )
