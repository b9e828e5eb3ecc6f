"""The form of a tune: its parts (between repeat signs and double bars), how often each is played, and its last note.

A folk dance tune is usually AABB: two parts of 8 bars, each played twice, ending on the tonic. A tune is
split into parts at section boundaries (any bar line but a plain |, as helpers.analysis.checks reads them);
a part closed by a repeat (:| or ::) is played twice. First and second endings belong to the part they end,
and a part's length is one pass through it: its bars up to and including the first ending. A pickup (a short
first bar) is not a bar of its own; the short closing bar that completes it counts as the part's last bar.
"""

from __future__ import annotations

import csv
import string
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from helpers.abc.fields import KEY_PATTERN, parse_key
from helpers.abc.music import NATURAL_PITCH, Bar, read_music
from helpers.abc.reader import header_fields
from helpers.analysis.checks import can_parse, closes_repeat, section_boundary
from helpers.corpus.load import load_collections

__all__ = ["HAND_READING", "ReadForm", "hand_reading"]  # the rest is used only inside helpers.analysis

PART_LETTERS = string.ascii_uppercase
EXTRA_PART_LETTER = "+"  # the letter of every part after the 26th
PART_BARS = 8
STANDARD_PART_BARS = (8, 16)  # the part lengths of dance tunes: a strain, or a long one
# A hand reading of the forms of 20 tunes drawn at random from the dance collections (random.Random(20261206)),
# each read by ear from its text by the package's author on 2026-12-06, before the measure was run on them: the
# parts as played (a D.C. counted) and the bars of one pass through each part.
HAND_READING = Path(__file__).with_name("form_reading.csv")


@dataclass(frozen=True)
class Part:
    """One part of a tune: its bars in one pass (pickup left out), and whether it is played twice."""

    bars: int
    repeated: bool


@dataclass(frozen=True)
class TuneForm:
    """A tune's parts in order, and whether it ends on the tonic of its key (None: no tonic or no note)."""

    parts: tuple[Part, ...]
    ends_on_tonic: bool | None

    @property
    def n_parts(self) -> int:
        return len(self.parts)

    @property
    def bars_per_part(self) -> tuple[int, ...]:
        return tuple(part.bars for part in self.parts)

    @property
    def label(self) -> str:
        """The parts as played, one letter per part in order, doubled when repeated: 'AABB', 'AB', 'AAB'."""
        letters = [PART_LETTERS[i] if i < len(PART_LETTERS) else EXTRA_PART_LETTER for i in range(self.n_parts)]
        return "".join(letter * (2 if part.repeated else 1) for letter, part in zip(letters, self.parts, strict=True))

    @property
    def aabb(self) -> bool:
        """The dance-tune form: two parts, each played twice."""
        return self.label == "AABB"

    @property
    def eight_bar_parts(self) -> bool:
        """Every part is 8 bars long (in one pass), and there is at least one part."""
        return bool(self.parts) and all(part.bars == PART_BARS for part in self.parts)

    @property
    def dance_form(self) -> bool:
        """AABB with 8-bar parts: what Sampler.sample(form='AABB') promises."""
        return self.aabb and self.eight_bar_parts

    @property
    def standard_parts(self) -> bool:
        """Every part is 8 or 16 bars long (in one pass), and there is at least one part."""
        return bool(self.parts) and all(part.bars in STANDARD_PART_BARS for part in self.parts)

    def row(self) -> dict:
        return {
            "parts": self.n_parts,
            "bars_per_part_mean": float(mean(self.bars_per_part)) if self.parts else None,
            "aabb": self.aabb,
            "eight_bar_parts": self.eight_bar_parts,
            "standard_parts": self.standard_parts,
            "ends_on_tonic": self.ends_on_tonic,
        }


def key_tonic(value: str) -> int | None:
    """The pitch class (0 = C ... 11 = B) of a K: field's tonic: 'G' -> 7, 'Ador' -> 9, 'Bbmix' -> 10.

    None for a key without tonic (none, HP) or one the reader cannot read: such a tune is not judged on it.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected a K: field value as a str, got {type(value).__name__}")
    match = KEY_PATTERN.match(value.strip())
    if not match or not match["tonic"] or not can_parse(parse_key, value):
        return None
    tonic = match["tonic"]
    return (NATURAL_PITCH[tonic[0]] + {"#": 1, "b": -1}.get(tonic[1:], 0)) % 12


def is_short(bar: Bar) -> bool:
    """Shorter than its meter asks (a pickup, or the closing bar that completes one); never without a meter."""
    return bar.meter is not None and 0 < bar.duration < bar.meter.bar_length


def sections(bars: list[Bar]) -> list[list[Bar]]:
    """The bars cut after every section boundary (repeat sign, double bar or end bar)."""
    cut = [0] + [i + 1 for i, bar in enumerate(bars) if section_boundary(bar.closed_by)] + [len(bars)]
    return [bars[start:stop] for start, stop in zip(cut, cut[1:], strict=False) if start < stop]


def split_parts(bars: list[Bar]) -> tuple[Part, ...]:
    """The parts of a tune from its bars: sections, with endings joined to their part and pickups to the next."""
    parts: list[tuple[list[Bar], bool]] = []  # (bars of one pass, pickup first; repeated)
    pickup: list[Bar] = []
    for section in sections(bars):
        repeated = closes_repeat(section[-1].closed_by)
        if section[0].ending and parts:
            played, was_repeated = parts[-1]
            first_ending = not any(bar.ending for bar in played)  # a later ending replaces it: not a new bar
            parts[-1] = (played + section if first_ending else played, was_repeated or repeated)
        elif all(is_short(bar) for bar in section):
            pickup += section  # a pickup written before |: leads into the next part
        else:
            parts.append((pickup + section, repeated))
            pickup = []
    return tuple(Part(len(played) - leading_short_bars(played), repeated) for played, repeated in parts)


def leading_short_bars(bars: list[Bar]) -> int:
    """How many short bars open a part: its pickup."""
    count = 0
    while count < len(bars) and is_short(bars[count]):
        count += 1
    return count


def tune_form(abc: str) -> TuneForm:
    """The parts of one tune (ABC text) and whether its last note is the tonic of its K: field."""
    if not isinstance(abc, str):
        raise TypeError(f"expected the ABC text of a tune as a str, got {type(abc).__name__}")
    music = read_music(abc)
    bars = [*music.bars, music.trailing] if music.trailing is not None else music.bars
    pitches = [note.pitch for note in music.notes if note.pitch is not None]
    key = header_fields(abc).get("K")
    tonic = key_tonic(key) if key is not None else None
    ends_on_tonic = None if tonic is None or not pitches else pitches[-1] % 12 == tonic
    return TuneForm(split_parts(bars), ends_on_tonic)


@dataclass(frozen=True)
class ReadForm:
    """A tune's form read by hand beside the form the measure reads from its text."""

    source: str
    title: str
    label: str
    bars: tuple[int, ...]
    note: str
    measured: TuneForm

    @property
    def label_agrees(self) -> bool:
        return self.measured.label == self.label

    @property
    def bars_agree(self) -> bool:
        return self.measured.bars_per_part == self.bars


def hand_reading(reading: Path = HAND_READING) -> list[ReadForm]:
    """Each tune of the hand reading, found in its packaged collection by its X: and title, beside the measure's
    form; a tune that is not found exactly once is an error."""
    with Path(reading).open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    named: dict[tuple[str, str | None, str | None], list] = {}  # (collection, X:, T:): its tunes, read once
    for tune in load_collections(list(dict.fromkeys(row["source"] for row in rows))):
        fields = header_fields(tune.text)
        named.setdefault((tune.source, fields.get("X"), fields.get("T")), []).append(tune)
    read = []
    for row in rows:
        found = named.get((row["source"], row["X"], row["title"]), [])
        if len(found) != 1:
            raise ValueError(
                f"{reading}: {len(found)} tunes of {row['source']} have X:{row['X']} and T:{row['title']}; "
                "the hand reading names exactly one"
            )
        bars = tuple(int(count) for count in row["bars"].split())
        read.append(ReadForm(row["source"], row["title"], row["label"], bars, row["note"], tune_form(found[0].text)))
    return read
