"""Which symbols may come next, for a whole batch at once: the grammar of helpers.abc.grammar as a lookup table.

Every grammar state met while sampling gets a number and, per symbol, the number of the state that symbol leads to
(-1 where the symbol would break the tune), and, when needed, how many characters the shortest valid ending takes
from there. An entry is computed the first time it is asked for: a Gumbel-max draw (choose) asks only about the
symbols it tries, most often one, and the whole row is computed only where it is needed (allowed, and a row whose
first TRIES symbols were refused). A known entry is an array lookup. A full table (MAX_STATES) forgets the states
that no row is at, so its memory is bounded.
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
TRIES = 8  # symbols asked about one at a time (GrammarTable.choose) before a row's whole row is computed


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
        """Compute the whole rows of these states where they are not yet (entries asked for one by one leave the
        first, the unknown symbol's, unknown: such a row is computed whole here)."""
        for number in np.unique(numbers[self.next[numbers, 0] == NOT_YET]):
            state = self.states[number]
            row = np.full(len(self.symbols), BROKEN, dtype=np.int32)
            candidates = np.flatnonzero(self.body_symbols) if state.phase == "body" else range(1, len(self.symbols))
            for index in candidates:
                following = advance(state, self.symbols[index])
                if following is not None:
                    row[index] = self.number(following)
            self.next[number] = row

    def follow(self, numbers: np.ndarray, symbols: np.ndarray, budget: np.ndarray) -> np.ndarray:
        """The state each row reaches with its symbol, or BROKEN where the symbol would break the tune or leave no
        room for its shortest ending in the characters the row has left after it (budget - 1). Only these entries
        of the rows are computed, not the rows."""
        reached = self.next[numbers, symbols]
        for index in np.flatnonzero(reached == NOT_YET):
            number, symbol = numbers[index], symbols[index]
            state = self.states[number]
            writable = symbol != 0 and (state.phase != "body" or self.body_symbols[symbol])
            following = advance(state, self.symbols[symbol]) if writable else None
            reached[index] = self.next[number, symbol] = BROKEN if following is None else self.number(following)
        rows = np.flatnonzero(self.tight(numbers, budget) & (reached >= 0))
        if len(rows):
            fits = self.ending_lengths(reached[rows]) <= budget[rows] - 1
            reached[rows] = np.where(fits, reached[rows], BROKEN)
        return reached

    def choose(self, numbers: np.ndarray, scores: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each row's highest-scoring allowed symbol. The grammar is asked about each row's TRIES best symbols in
        turn; a row refused them all gets its whole row of the table.

        Returns (symbols, the states they reach, whether the row's highest-scoring symbol was refused); the state is
        BROKEN where the row allows no symbol.
        """
        scores = scores.copy()
        symbols = np.zeros(len(numbers), dtype=np.int64)
        reached = np.full(len(numbers), BROKEN)
        refused = np.zeros(len(numbers), dtype=bool)
        rows = np.arange(len(numbers))
        for _ in range(TRIES):
            tried = scores[rows].argmax(axis=1)
            following = self.follow(numbers[rows], tried, budget[rows])
            good = following >= 0
            symbols[rows[good]], reached[rows[good]] = tried[good], following[good]
            refused[rows[~good]] = True  # a row tried again was refused its own highest score
            scores[rows[~good], tried[~good]] = -np.inf
            rows = rows[~good]
        if len(rows):
            following, allowed = self.allowed(numbers[rows], budget[rows])
            tried = np.where(allowed, scores[rows], -np.inf).argmax(axis=1)
            symbols[rows] = tried
            reached[rows] = np.where(allowed.any(axis=1), following[np.arange(len(rows)), tried], BROKEN)
        return symbols, reached, refused

    def ending_lengths(self, numbers: np.ndarray) -> np.ndarray:
        """The length of each state's shortest valid ending; TOO_LONG where the vocabulary cannot write one."""
        for number in numbers[self.left[numbers] == NOT_YET]:
            length = self.completion.length(self.states[number])
            self.left[number] = TOO_LONG if length is None else length
        return self.left[numbers]

    def tight(self, numbers: np.ndarray, budget: np.ndarray) -> np.ndarray:
        """The rows whose characters left after the next one (budget - 1) may not hold the longest ending their state
        may need: only for them do the endings' lengths decide what is allowed."""
        return budget - 1 < self.bound[numbers] if self.completion.complete else np.ones(len(numbers), dtype=bool)

    def allowed(self, numbers: np.ndarray, budget: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(next state numbers, allowed mask), each (rows, symbols): a symbol is allowed when it keeps the tune
        valid and its shortest ending still fits in the characters each row has left after it (budget - 1)."""
        self.fill(numbers)
        following = self.next[numbers]
        valid = following >= 0
        tight = self.tight(numbers, budget)
        if not tight.any():
            return following, valid
        lengths = np.where(valid, 0, TOO_LONG)
        rows = np.flatnonzero(tight)
        tight_lengths = np.full((len(rows), following.shape[1]), TOO_LONG, dtype=np.int64)
        tight_valid = valid[rows]
        tight_lengths[tight_valid] = self.ending_lengths(following[rows][tight_valid])
        lengths[rows] = tight_lengths
        return following, lengths <= (budget - 1)[:, None]
