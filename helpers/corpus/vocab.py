"""Characters (or ABC tokens) <-> integer ids, with one unknown symbol for characters never seen in training.

Vocabulary holds characters; TokenVocabulary holds the tokens of helpers.corpus.tokens and every character.
Both live here, so that Vocabulary.load can give back either without importing a module that imports this one.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.corpus.tokens import tokenize
from helpers.exercise import exercise
from helpers.files import read_json_object

__all__ = ["TokenVocabulary", "UNKNOWN", "Vocabulary", "decode", "encode"]

UNKNOWN = "\ufffd"
KIND = "tokens"  # the "kind" of a token vocabulary's vocab.json (a vocabulary of characters has none)
MIN_COUNT = 3  # a token seen fewer times in the training text is read as its characters


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
        if kind == KIND:
            return TokenVocabulary(tuple(saved["chars"]))
        if kind != "chars":
            raise ValueError(f"{path} holds a vocabulary of kind {kind!r}; expected 'chars' or 'tokens'")
        return Vocabulary(tuple(saved["chars"]))


@exercise("01_data.ipynb", fallback="keras_encode")
def encode(chars: tuple[str, ...], text: str) -> np.ndarray:
    """The id of each character of text: its position in chars, or 0 (the unknown symbol) if chars lacks it."""
    index = {char: i for i, char in enumerate(chars)}
    return np.fromiter((index.get(char, 0) for char in text), dtype=np.int32, count=len(text))


@exercise("01_data.ipynb", fallback="keras_decode")
def decode(chars: tuple[str, ...], ids) -> str:
    """The text of a sequence of ids: the character at each id's position in chars."""
    return "".join(chars[i] for i in np.asarray(ids).tolist())


@functools.lru_cache(maxsize=16)
def string_lookup(chars: tuple[str, ...], invert: bool):
    """Keras's StringLookup layer for these symbols: symbol i <-> id i, anything else <-> id 0 (chars[0])."""
    import keras

    return keras.layers.StringLookup(vocabulary=list(chars[1:]), oov_token=chars[0], invert=invert)


def keras_encode(chars: tuple[str, ...], text: str) -> np.ndarray:
    """encode computed by Keras's StringLookup layer: the student edition's package, which holds no answer."""
    import tensorflow as tf

    if not text:
        return np.zeros(0, dtype=np.int32)
    ids = string_lookup(tuple(chars), False)(tf.strings.unicode_split(text, "UTF-8"))
    return np.asarray(ids, dtype=np.int32)


def keras_decode(chars: tuple[str, ...], ids) -> str:
    """decode computed by Keras's StringLookup layer (inverted)."""
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    if not ids.size:
        return ""
    return b"".join(np.asarray(string_lookup(tuple(chars), True)(ids)).tolist()).decode("utf-8")


@dataclass(frozen=True)
class TokenVocabulary(Vocabulary):
    """The training set's tokens (those seen at least min_count times) and characters; id 0 is the unknown symbol.

    `chars` holds the symbols (tokens of one or more characters), so that code written for a vocabulary of
    characters (the sampler, training, the evaluation) uses this one unchanged; `symbols` is the same tuple.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        bad = [symbol for symbol in self.chars if not isinstance(symbol, str) or not symbol]
        if bad:
            raise ValueError(f"every symbol of a token vocabulary is a non-empty str; got {bad[:5]}")

    @classmethod
    def from_text(cls, text: str, min_count: int = MIN_COUNT) -> TokenVocabulary:
        """Every character of the training text and every token seen there at least min_count times, sorted."""
        if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
            raise ValueError(f"min_count must be a whole number >= 1, got {min_count!r}")
        if not isinstance(text, str) or not text:
            raise ValueError("cannot build a vocabulary from empty text")
        counts = Counter(tokenize(text))
        frequent = {token for token, count in counts.items() if count >= min_count}
        return cls((UNKNOWN, *sorted((set(text) | frequent) - {UNKNOWN})))

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols, id by id (the same tuple as `chars`)."""
        return self.chars

    def to_symbols(self, text: str) -> list[str]:
        """The text as this vocabulary reads it: its tokens, and the characters of tokens it does not hold."""
        index = self.index
        symbols = []
        for token in tokenize(text):
            if token in index:
                symbols.append(token)
            else:
                symbols += token
        return symbols

    def encode(self, text: str) -> np.ndarray:
        """Ids of the text's symbols; a character never seen becomes the unknown id 0 (see unknown_characters)."""
        index = self.index
        symbols = self.to_symbols(text)
        return np.fromiter((index.get(symbol, 0) for symbol in symbols), dtype=np.int32, count=len(symbols))

    def decode(self, ids) -> str:
        """The text of a sequence of ids: their symbols joined; the unknown id gives the unknown symbol."""
        # Not Vocabulary.decode: in the student edition that runs the student's exercise, written for characters.
        ids = np.asarray(ids)
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids must lie in [0, {self.size}); got {ids.min()}..{ids.max()}")
        return "".join(self.chars[i] for i in ids.reshape(-1).tolist())

    def unknown_characters(self, text: str) -> Counter:
        """The characters of text that encode turns into the unknown id 0, with their counts."""
        index = self.index
        return Counter(symbol for symbol in self.to_symbols(text) if symbol not in index)

    def save(self, path: Path) -> None:
        """Write the symbols as JSON, with "kind": "tokens" so that Vocabulary.load gives a TokenVocabulary back."""
        saved = {"kind": KIND, "chars": list(self.chars)}
        Path(path).write_text(json.dumps(saved, ensure_ascii=False) + "\n", encoding="utf-8")
