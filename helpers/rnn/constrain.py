"""Which symbols may come next, for a whole batch at once: the grammar of helpers.abc.grammar as a lookup table.

Every grammar state met while sampling gets a number and, once, a row: the number of the state each vocabulary
symbol leads to (-1 where the symbol would break the tune) and how many characters the shortest valid ending
takes from there. A sampling step is then two array lookups per batch, whatever the grammar's size.
"""

from __future__ import annotations

import numpy as np

from helpers.abc.grammar import Completion, TuneState, advance

NOT_YET = -2  # a row not computed yet
BROKEN = -1  # the symbol cannot continue the tune
TOO_LONG = np.iinfo(np.int32).max


class GrammarTable:
    """Grammar states numbered as they are met, with each one's next states and the length of its ending."""

    def __init__(self, symbols: tuple[str, ...]) -> None:
        self.symbols = symbols  # symbol 0 (the unknown symbol) is never allowed
        self.completion = Completion(symbol for symbol in symbols[1:] if len(symbol) == 1)
        self.states: list[TuneState] = []
        self.numbers: dict[TuneState, int] = {}
        self.next = np.full((1024, len(symbols)), NOT_YET, dtype=np.int32)
        self.left = np.zeros(1024, dtype=np.int32)

    def number(self, state: TuneState) -> int:
        """The state's number, given on first sight with the length of its shortest ending."""
        number = self.numbers.get(state)
        if number is None:
            number = self.numbers[state] = len(self.states)
            self.states.append(state)
            if number >= len(self.left):
                self.next = np.concatenate([self.next, np.full_like(self.next, NOT_YET)])
                self.left = np.concatenate([self.left, np.zeros_like(self.left)])
            length = self.completion.length(state)
            self.left[number] = TOO_LONG if length is None else length  # None: these symbols cannot end it
        return number

    def fill(self, numbers: np.ndarray) -> None:
        """Compute the rows of these states that have none yet."""
        for number in np.unique(numbers[self.next[numbers, 0] == NOT_YET]):
            state = self.states[number]
            row = [BROKEN] + [
                BROKEN if (following := advance(state, symbol)) is None else self.number(following)
                for symbol in self.symbols[1:]
            ]
            self.next[number] = row

    def allowed(self, numbers: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(next state numbers, allowed mask), each (rows, symbols): a symbol is allowed when it keeps the tune
        valid and its shortest ending still fits in the characters each row has left after it (budget - 1)."""
        self.fill(numbers)
        following = self.next[numbers]
        lengths = np.where(following >= 0, self.left[np.maximum(following, 0)], TOO_LONG)
        return following, lengths <= (budget - 1)[:, None]

    def finished(self, numbers: np.ndarray) -> np.ndarray:
        """Whether each state has written <end>."""
        return np.array([self.states[number].phase == "done" for number in numbers], dtype=bool)
