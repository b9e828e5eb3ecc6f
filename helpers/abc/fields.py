"""The values of the fields that music depends on: meter (M:), unit note length (L:) and key (K:)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["KEY_PATTERN", "parse_key", "parse_meter", "parse_unit_length"]

MODES = {"": 0, "m": -3, "maj": 0, "ion": 0, "min": -3, "aeo": -3, "mix": -1, "dor": -2, "phr": -4, "lyd": 1, "loc": -5}
MODE_NAMES = ("major", "minor", "ionian", "aeolian", "mixolydian", "dorian", "phrygian", "lydian", "locrian")
TONIC_FIFTHS = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
SHARP_ORDER = "FCGDAEB"
ACCIDENTAL_SHIFT = {"^": 1, "^^": 2, "_": -1, "__": -2, "=": 0}

KEY_PATTERN = re.compile(
    r"^(?:(?P<special>none|HP|Hp)|(?P<tonic>[A-G][#b]?)\s*(?P<mode>[A-Za-z]*))"
    r"(?P<accidentals>(?:\s+(?:\^\^|\^|__|_|=)[A-Ga-g])*)(?:\s+[A-Za-z\-]+=\S+)*\s*$"
)
METER_PATTERN = re.compile(r"^(?P<beats>\d+(?:\+\d+)*)/(?P<unit>\d+)$")
LENGTH_PATTERN = re.compile(r"^(?P<num>\d+)/(?P<den>\d+)$")
# The ABC standard 2.1's q of a tuplet (p: p notes in the time of q); None: 3 in compound meter, else 2.
TUPLET_TIME = {2: 3, 3: 2, 4: 3, 6: 2, 8: 3}


@dataclass(frozen=True)
class Meter:
    """A meter as written: 6/8 stays 6 eighths (compound), not the 3/4 that the same bar length would reduce to."""

    beats: int
    unit: int

    @property
    def bar_length(self) -> Fraction:
        """The length of one bar in whole notes: 6/8 -> 3/4."""
        return Fraction(self.beats, self.unit)

    @property
    def compound(self) -> bool:
        """6/8, 9/8, 12/8, 6/4, ...: the beats are dotted, a multiple of three above three."""
        return self.beats % 3 == 0 and self.beats > 3


def parse_meter(value: str) -> Meter | None:
    """The meter of an M: field as written ('6/8' -> 6 eighths, 'C' -> 4/4, 'C|' -> 2/2), or None for 'none'."""
    value = value.strip()
    if value in ("C", "C|"):
        return Meter(4, 4) if value == "C" else Meter(2, 2)
    if value.lower() == "none":
        return None
    match = METER_PATTERN.match(value)
    if not match or int(match["unit"]) == 0 or sum(map(int, match["beats"].split("+"))) == 0:
        raise ValueError(f"meter {value!r} is not C, C|, none or a fraction like 6/8")
    return Meter(sum(map(int, match["beats"].split("+"))), int(match["unit"]))


def tuplet_time(count: int, meter: Meter | None) -> int:
    """The q of a tuplet (p written without one (ABC standard 2.1): (3 -> 2; (5 -> 3 in compound meter, else 2."""
    return TUPLET_TIME.get(count, 3 if meter is not None and meter.compound else 2)


def parse_unit_length(value: str) -> Fraction:
    """The unit note length of an L: field in whole notes ('1/8' -> 1/8)."""
    match = LENGTH_PATTERN.match(value.strip())
    if not match or int(match["num"]) == 0 or int(match["den"]) == 0:
        raise ValueError(f"unit note length {value!r} is not a fraction like 1/8")
    return Fraction(int(match["num"]), int(match["den"]))


def default_unit_length(meter: Meter | None) -> Fraction:
    """The ABC standard's unit length when L: is missing: 1/16 below a 3/4 bar, else (and without meter) 1/8."""
    return Fraction(1, 16) if meter is not None and meter.bar_length < Fraction(3, 4) else Fraction(1, 8)


def parse_key(value: str) -> dict[str, int]:
    """The key signature of a K: field as {letter: semitone shift}, e.g. 'D' -> {'F': 1, 'C': 1}."""
    match = KEY_PATTERN.match(value.strip())
    if not match:
        raise ValueError(f"key {value!r} is not a tonic and mode like G, Ador or F#m (or none)")
    signature: dict[str, int] = {}
    if match["tonic"]:
        mode = match["mode"].lower()
        if mode == "exp":
            offset = None
        elif mode in ("", "m"):
            offset = MODES[mode]
        elif len(mode) >= 3 and any(name.startswith(mode) for name in MODE_NAMES):
            offset = MODES[mode[:3]]
        else:
            raise ValueError(f"key {value!r} has an unknown mode {match['mode']!r}")
        if offset is not None:
            tonic = match["tonic"]
            fifths = TONIC_FIFTHS[tonic[0]] + {"#": 7, "b": -7}.get(tonic[1:], 0) + offset
            if not -7 <= fifths <= 7:
                raise ValueError(f"key {value!r} needs {abs(fifths)} sharps or flats (at most 7)")
            letters = SHARP_ORDER[:fifths] if fifths > 0 else SHARP_ORDER[::-1][:-fifths]
            signature = {letter: 1 if fifths > 0 else -1 for letter in letters}
    for accidental, letter in re.findall(r"(\^\^|\^|__|_|=)([A-Ga-g])", match["accidentals"]):
        signature[letter.upper()] = ACCIDENTAL_SHIFT[accidental]
    return signature
