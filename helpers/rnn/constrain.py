"""Which symbols may come next, for a whole batch at once: the grammar of helpers.abc.grammar as a lookup table.

Every grammar state met while sampling gets a number and, once, a row: the number of the state each vocabulary
symbol leads to (-1 where the symbol would break the tune) and how many characters the shortest valid ending
takes from there. A sampling step is then two array lookups per batch, whatever the grammar's size. A full table
(MAX_STATES) forgets the states that no row is at, so its memory is bounded.
"""

from __future__ import annotations

import numpy as np

from helpers.abc.grammar import BODY_CHARACTERS, Completion, TuneState, advance, max_completion

__all__: list[str] = []  # nothing here is used outside helpers.rnn

NOT_YET = -2  # a row, or an ending's length, not computed yet
BROKEN = -1  # the symbol cannot continue the tune
TOO_LONG = np.iinfo(np.int32).max
# Past this many states (about 1 KB each, with their rows and endings), the table forgets every state that no row is
# at: its memory then grows with the batch (one step meets at most batch × vocabulary new states), not with every
# state ever met. benchmarks/constrained_memory.py prints what it holds.
MAX_STATES = 200_000


class GrammarTable:
    """Grammar states numbered as they are met, with each one's next states and the length of its ending.

    The length of a state's ending is needed only when a row has fewer characters left than the longest ending its
    state may need (helpers.abc.grammar.max_completion; before that, every state fits), so it is computed only then.
    Past max_states, keep_only forgets the states no row is at.
    """

    def __init__(self, symbols: tuple[str, ...], max_states: int = MAX_STATES) -> None:
        self.symbols = symbols  # symbol 0 (the unknown symbol) is never allowed
        self.max_states = max_states
        self.completion = Completion(symbol for symbol in symbols[1:] if len(symbol) == 1)
        self.body_symbols = np.array([bool(symbol) and set(symbol) <= BODY_CHARACTERS for symbol in symbols])
        self.body_symbols[0] = False
        self.clear()

    def clear(self) -> None:
        """Forget every state, its row and its ending."""
        self.states: list[TuneState] = []
        self.numbers: dict[TuneState, int] = {}
        self.next = np.full((1024, len(self.symbols)), NOT_YET, dtype=np.int32)
        self.left = np.full(1024, NOT_YET, dtype=np.int64)
        self.done = np.zeros(1024, dtype=bool)
        self.bound = np.zeros(1024, dtype=np.int64)  # no ending from the state is longer (max_completion)
        self.completion.lengths.clear()

    def keep_only(self, numbers: np.ndarray) -> np.ndarray:
        """Once the table holds more than max_states states (endings included), forget all but these (the states the
        rows are at) and renumber them; the rows' numbers afterwards."""
        if len(self.states) + len(self.completion.lengths) <= self.max_states:
            return numbers
        kept, renumbered = np.unique(numbers, return_inverse=True)
        states = [self.states[number] for number in kept]
        self.clear()
        for state in states:
            self.number(state)
        return renumbered.reshape(numbers.shape).astype(numbers.dtype)

    def number(self, state: TuneState) -> int:
        """The state's number, given on first sight."""
        number = self.numbers.get(state)
        if number is None:
            number = self.numbers[state] = len(self.states)
            self.states.append(state)
            if number >= len(self.left):
                self.next = np.concatenate([self.next, np.full_like(self.next, NOT_YET)])
                self.left = np.concatenate([self.left, np.full_like(self.left, NOT_YET)])
                self.done = np.concatenate([self.done, np.zeros_like(self.done)])
                self.bound = np.concatenate([self.bound, np.zeros_like(self.bound)])
            self.done[number] = state.phase == "done"
            self.bound[number] = max_completion(state)
        return number

    def fill(self, numbers: np.ndarray) -> None:
        """Compute the rows of these states that have none yet."""
        for number in np.unique(numbers[self.next[numbers, 0] == NOT_YET]):
            state = self.states[number]
            row = np.full(len(self.symbols), BROKEN, dtype=np.int32)
            candidates = np.flatnonzero(self.body_symbols) if state.phase == "body" else range(1, len(self.symbols))
            for index in candidates:
                following = advance(state, self.symbols[index])
                if following is not None:
                    row[index] = self.number(following)
            self.next[number] = row

    def ending_lengths(self, numbers: np.ndarray) -> np.ndarray:
        """The length of each state's shortest valid ending; TOO_LONG where the vocabulary cannot write one."""
        for number in numbers[self.left[numbers] == NOT_YET]:
            length = self.completion.length(self.states[number])
            self.left[number] = TOO_LONG if length is None else length
        return self.left[numbers]

    def allowed(self, numbers: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(next state numbers, allowed mask), each (rows, symbols): a symbol is allowed when it keeps the tune
        valid and its shortest ending still fits in the characters each row has left after it (budget - 1)."""
        self.fill(numbers)
        following = self.next[numbers]
        valid = following >= 0
        tight = budget - 1 < self.bound[numbers] if self.completion.complete else np.ones(len(numbers), dtype=bool)
        if not tight.any():
            return following, valid
        lengths = np.where(valid, 0, TOO_LONG)
        rows = np.flatnonzero(tight)
        tight_lengths = np.full((len(rows), following.shape[1]), TOO_LONG, dtype=np.int64)
        tight_valid = valid[rows]
        tight_lengths[tight_valid] = self.ending_lengths(following[rows][tight_valid])
        lengths[rows] = tight_lengths
        return following, lengths <= (budget - 1)[:, None]
