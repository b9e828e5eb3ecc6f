"""ABC text <-> token ids, in the spirit of folk-rnn: notes, lengths, bar lines and header fields as symbols.

The tokens come from the one ABC reader (helpers.abc.reader), cut a little further:
- "<start>", "<end>" and every line break are tokens of their own;
- a field with few values (M:, L:, K:, R:) is one token, e.g. "M:6/8" or "K:Gm", as in folk-rnn; any other field
  (a title, an X: number) is its name ("T:"), then its spacing, then its value character by character, so that
  free text does not make a new token for every title;
- a note is its pitch ("^c'", "=F", "B,") and then its length ("3/2", "/2") as a second token when it has one;
  the same for a rest ("z", "2") and a chord's closing bracket ("]", "2"). Kept apart, as in folk-rnn, the two
  lists add up (O'Neill's tunes: 55 pitches and 16 lengths); joined, they would give 300 pairs, most of them rare,
  for about 7% fewer symbols per tune;
- bar lines and repeats ("|:", ":|", "||", "|]"), ending numbers, tuplets ("(3"), decorations, chord symbols
  and spaces (a run of spaces is one token) are one token each; comments and stray characters are characters.

The tokens tile the text: joined in order they give it back exactly, so a character model and a token model
read and write the same tunes. A vocabulary keeps the tokens seen often enough in the training text and every
character of it; any other token is read as its characters, and only a character it never saw becomes the
unknown id 0, so that encoding never loses text without saying so.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.abc.reader import END, START, Token, read_tune
from helpers.corpus.vocab import UNKNOWN, Vocabulary

KIND = "tokens"  # the "kind" of a token vocabulary's vocab.json (a vocabulary of characters has none)
MIN_COUNT = 3  # a token seen fewer times in the training text is read as its characters
WHOLE_FIELDS = frozenset("MLKR")  # fields with few values: name and value are one token, e.g. "M:6/8"
CHARACTER_KINDS = frozenset({"comment", "unknown"})  # free text: read character by character
MARKER = re.compile(f"({re.escape(START)}|{re.escape(END)})")
FIELD_NAME = re.compile(r"([A-Za-z]:)(\s*)")


def tokenize(text: str) -> list[str]:
    """The text cut into tokens (see the module's docstring); joined, they give the text back exactly."""
    if not isinstance(text, str):
        raise TypeError(f"expected the text to cut into tokens as a str, got {type(text).__name__}")
    tokens = []
    for part in MARKER.split(text):  # each tune is read on its own, between its <start> and <end> markers
        if part in (START, END):
            tokens.append(part)
        elif part:
            tune = read_tune(part)
            for token in (*tune.header, *tune.body):
                tokens += token_pieces(token)
    return tokens


def token_pieces(token: Token) -> list[str]:
    """One token of the reader as the tokens of this vocabulary: usually itself, a note and its length apart."""
    if token.kind == "field":
        return field_pieces(token.text)
    if token.kind in CHARACTER_KINDS:
        return list(token.text)
    if token.length:  # a note, a rest or a chord's closing bracket with a written length
        return [token.text[: -len(token.length)], token.length]
    return [token.text]


def field_pieces(line: str) -> list[str]:
    """A field line as tokens: 'M:6/8' whole; 'T: The Kesh' as 'T:', ' ', then the title's characters."""
    name = FIELD_NAME.match(line)
    if name is None:
        raise ValueError(f"expected a field line like 'T: Title' or 'M:6/8', got {line!r}")
    if line[0] in WHOLE_FIELDS:
        return [line]
    return [piece for piece in (name[1], name[2]) if piece] + list(line[name.end() :])


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
