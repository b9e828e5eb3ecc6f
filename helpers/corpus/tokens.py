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
read and write the same tunes. Their vocabulary (helpers.corpus.vocab.TokenVocabulary) keeps the tokens seen often
enough in the training text and every character of it; any other token is read as its characters, and only a
character it never saw becomes the unknown id 0, so that encoding never loses text without saying so.
"""

from __future__ import annotations

import re

from helpers.abc.reader import END, START, Token, read_tune

__all__: list[str] = []  # nothing here is used outside helpers.corpus

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
