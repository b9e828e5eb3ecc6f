"""Characters <-> integer ids, with one unknown symbol for characters never seen in training."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.exercise import exercise
from helpers.files import read_json_object

UNKNOWN = "\ufffd"


@dataclass(frozen=True)
class Vocabulary:
    """The training set's characters; id 0 is the unknown symbol."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars or self.chars[0] != UNKNOWN or len(set(self.chars)) != len(self.chars):
            raise ValueError("a vocabulary starts with the unknown symbol and holds each character once")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Every character of the training text, in a fixed (sorted) order."""
        if not text:
            raise ValueError("cannot build a vocabulary from empty text")
        return cls((UNKNOWN, *sorted(set(text) - {UNKNOWN})))

    @property
    def size(self) -> int:
        return len(self.chars)

    @property
    def index(self) -> dict[str, int]:
        return {char: i for i, char in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters; unseen characters become the unknown id 0."""
        return np.asarray(encode(self.chars, text), dtype=np.int32).reshape(len(text))

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size}); got {ids.min()}..{ids.max()}")
        return decode(self.chars, ids)

    def unknown_characters(self, text: str) -> Counter:
        """Characters of text that this vocabulary has never seen, with their counts."""
        index = self.index
        return Counter(char for char in text if char not in index)

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps({"chars": list(self.chars)}, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """The vocabulary saved at path: of characters, or a TokenVocabulary when its "kind" is "tokens"."""
        saved = read_json_object(path, "train the run again: its vocabulary was cut short or edited")
        kind = saved.get("kind", "chars")
        if kind == "tokens":
            from helpers.corpus.tokens import TokenVocabulary  # imported here: tokens.py builds on this module

            return TokenVocabulary(tuple(saved["chars"]))
        if kind != "chars":
            raise ValueError(f"{path} holds a vocabulary of kind {kind!r}; expected 'chars' or 'tokens'")
        return Vocabulary(tuple(saved["chars"]))


@exercise("01_data.ipynb")
def encode(chars: tuple[str, ...], text: str) -> np.ndarray:
    """The id of each character of text: its position in chars, or 0 (the unknown symbol) if chars lacks it."""
    index = {char: i for i, char in enumerate(chars)}
    return np.fromiter((index.get(char, 0) for char in text), dtype=np.int32, count=len(text))


@exercise("01_data.ipynb")
def decode(chars: tuple[str, ...], ids) -> str:
    """The text of a sequence of ids: the character at each id's position in chars."""
    return "".join(chars[i] for i in np.asarray(ids).tolist())
