"""Compose tunes: a batched temperature sampler that carries the recurrent state one character at a time.

The trained Keras model's weights are read once and its cells' equations (helpers.rnn.cells) run in NumPy,
step by step, for a whole batch of tunes at once; nothing re-reads the growing text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
from scipy.special import log_softmax, softmax
from threadpoolctl import threadpool_limits

from helpers.abc.grammar import Completion, parse_form, start_state
from helpers.abc.reader import END, START
from helpers.config import MODEL, VOCAB
from helpers.corpus.vocab import Vocabulary
from helpers.exercise import falls_back
from helpers.rnn import cells
from helpers.rnn.constrain import GrammarTable
from helpers.rnn.model import OneHot, check_softmax_output, load_trained_model

__all__ = ["DEFAULT_PRIME", "GeneratedTune", "Sampler"]

DEFAULT_PRIME = f"{START}\n"
# The usable temperatures. Below MIN_TEMPERATURE, logits / T overflow (top_k=1 is the greedy limit of T -> 0); above
# MAX_TEMPERATURE the draw is uniform for every practical purpose, and near 3.4e38 T itself overflows float32.
MIN_TEMPERATURE, MAX_TEMPERATURE = 1e-6, 1e6
# The largest sample: tunes in one batch, characters per tune, and characters held in memory, n × (prime +
# max_length), as one int32 array (80 MB at the limit).
MAX_TUNES, MAX_LENGTH, MAX_SYMBOLS = 10_000, 100_000, 20_000_000


@dataclass(frozen=True)
class RecurrentLayer:
    """One recurrent layer's weights (Keras's `layer.cell.weights`) and its cell's equations (helpers.rnn.cells)."""

    cell: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    function: Callable | None = None  # a step function of the same signature (a student's), else helpers.rnn.cells'

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def step_function(self) -> str:
        """The name of the function that computes this layer's step: the one given, or helpers.rnn.cells'."""
        if self.function is not None:
            return f"your {getattr(self.function, '__name__', 'step function')}"
        return f"{CELL_FUNCTIONS[self.cell]} of helpers.rnn.cells"

    def initial_state(self, batch: int) -> tuple[np.ndarray, ...]:
        zeros = np.zeros((batch, self.units), dtype=np.float32)
        return (zeros, zeros.copy()) if self.cell == "LSTM" else (zeros,)

    def step(self, x: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple]:
        """One time step for a batch of inputs x (batch, inputs); returns (output, new state)."""
        weights = (self.kernel, self.recurrent_kernel, self.bias)
        function = self.function or getattr(cells, CELL_FUNCTIONS[self.cell])
        if self.cell == "LSTM":
            h, c = function(x, state[0], state[1], *weights)
            return h, (h, c)
        h = function(x, state[0], *weights)
        return h, (h,)


@dataclass(frozen=True)
class GeneratedTune:
    """One sampled text: the prime, what the network wrote, whether it reached <end>, and how it was drawn.

    surprisal: the mean, over the characters written, of -log p_T(character) in nats under the network's tempered
    distribution (the unknown symbol left out) before the grammar's mask: how likely the network itself finds what
    was written. removed_mass: for constrained sampling, the mean share of that distribution that the grammar masked
    at each step (how much the network wanted to break the tune), exact or estimated (Sampler.sample's exact_mass);
    None for free sampling. form: the form asked for
    ('free', or e.g. 'AABB': helpers.abc.grammar.parse_form).
    """

    prime: str
    text: str
    finished: bool
    constrained: bool = False
    surprisal: float | None = None
    removed_mass: float | None = None
    form: str = "free"

    @property
    def abc(self) -> str:
        """The tune alone, without the <start> and <end> markers."""
        whole = self.prime + self.text
        whole = whole.split(END)[0] if self.finished else whole
        return whole.removeprefix(START).strip("\n") + "\n"


# The cell settings whose equations helpers.rnn.cells implements; any other value is refused.
SUPPORTED_CELL_SETTINGS = {
    "SimpleRNN": {"activation": "tanh"},
    "LSTM": {"activation": "tanh", "recurrent_activation": "sigmoid"},
    "GRU": {"activation": "tanh", "recurrent_activation": "sigmoid", "reset_after": True},
}
SUPPORTED_SEQUENCE_SETTINGS = {
    "use_bias": True,
    "return_sequences": True,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
}
RECURRENT_TYPES = {getattr(keras.layers, cell): cell for cell in SUPPORTED_CELL_SETTINGS}
CELL_FUNCTIONS = {"SimpleRNN": "simple_rnn_step", "LSTM": "lstm_step", "GRU": "gru_step"}
# Layers that do nothing at sampling time.
PASS_THROUGH_TYPES = (keras.layers.InputLayer, keras.layers.Dropout)
SUPPORTED_LAYERS = "OneHot or Embedding, then SimpleRNN, LSTM or GRU layers (Dropout between them), then Dense"
# A loaded model must agree with the NumPy equations on a short text to this absolute tolerance.
CHECK_LENGTH, CHECK_TOLERANCE = 40, 1e-4


def check_layer_settings(layer: keras.layers.Layer, supported: dict) -> None:
    """Refuse a layer whose configuration has a setting the NumPy equations do not implement."""
    config = layer.get_config()
    for setting, value in supported.items():
        if config.get(setting) != value:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) has {setting}={config.get(setting)!r}; "
                f"the NumPy sampler implements only {setting}={value!r}"
            )


def read_layers(model: keras.Model) -> tuple[keras.layers.Layer, list[keras.layers.Layer], keras.layers.Dense]:
    """The input encoding, the recurrent layers and the output layer, in model order, each one checked."""
    encoding, recurrent, output = None, [], None
    for layer in model.layers:
        if isinstance(layer, PASS_THROUGH_TYPES):
            continue
        if output is not None:
            raise ValueError(
                f"layer {layer.name!r} follows the output layer {output.name!r}; expected {SUPPORTED_LAYERS}"
            )
        if type(layer) in (OneHot, keras.layers.Embedding) and encoding is None and not recurrent:
            if isinstance(layer, keras.layers.Embedding):
                check_layer_settings(layer, {"mask_zero": False})
            encoding = layer
        elif type(layer) in RECURRENT_TYPES and encoding is not None:
            cell = RECURRENT_TYPES[type(layer)]
            check_layer_settings(layer, SUPPORTED_SEQUENCE_SETTINGS | SUPPORTED_CELL_SETTINGS[cell])
            recurrent.append(layer)
        elif type(layer) is keras.layers.Dense and recurrent:
            check_layer_settings(layer, {"use_bias": True})
            output = layer
        else:
            raise ValueError(
                f"layer {layer.name!r} ({type(layer).__name__}) is not where the NumPy sampler can run it; "
                f"expected {SUPPORTED_LAYERS}"
            )
    if output is None:
        raise ValueError(
            f"model {model.name!r} has no Dense output layer after a recurrent layer; expected {SUPPORTED_LAYERS}"
        )
    # The Dense layer's value before its softmax is the logits, which Sampler.step returns.
    check_softmax_output(model)
    return encoding, recurrent, output


class Sampler:
    """Next-character probabilities and sampling with the weights of a trained model."""

    def __init__(self, model: keras.Model, vocab: Vocabulary, steps: dict[str, Callable] | None = None) -> None:
        """steps: your own step functions by cell ("SimpleRNN", "GRU", "LSTM"), used where they agree with Keras."""
        self.vocab = vocab
        encoding, recurrent, output = read_layers(model)
        self.layers = [
            RecurrentLayer(RECURRENT_TYPES[type(layer)], *(np.asarray(w, dtype=np.float32) for w in layer.cell.weights))
            for layer in recurrent
        ]
        # The first layer's input for each id: its one-hot row, or its embedding.
        self.input_table = (
            np.eye(self.layers[0].kernel.shape[0], dtype=np.float32)
            if isinstance(encoding, OneHot)
            else np.asarray(encoding.embeddings, dtype=np.float32)
        )
        self.output_kernel, self.output_bias = (np.asarray(w, dtype=np.float32) for w in output.weights)
        if self.output_kernel.shape[1] != vocab.size:
            raise ValueError(
                f"the model predicts {self.output_kernel.shape[1]} symbols, the vocabulary has {vocab.size}"
            )
        self.check_against(model)
        for cell, function in (steps or {}).items():
            self.use_step(model, cell, function)
        self.grammar: GrammarTable | None = None  # built on the first constrained sample, then kept

    def use_step(self, model: keras.Model, cell: str, function: Callable) -> bool:
        """Run this model's layers of one cell type with the given step function if it agrees with Keras's model;
        else keep helpers.rnn.cells' step and say so in one line. Whether the function is used."""
        if cell not in CELL_FUNCTIONS:
            raise ValueError(f"steps are given by cell type, one of {sorted(CELL_FUNCTIONS)}; got {cell!r}")
        if not callable(function):
            raise TypeError(f"the step for {cell} must be a function, got {function!r}")
        if all(layer.cell != cell for layer in self.layers):
            return False
        kept = self.layers
        self.layers = [replace(layer, function=function) if layer.cell == cell else layer for layer in kept]
        try:  # whatever the student's function does wrong, the sampler goes on without it
            difference = self.difference_from(model)
            reason = None if difference <= CHECK_TOLERANCE else f"probabilities {difference:.2g} away from Keras's"
        except Exception as error:
            reason = error
        if reason is None:
            return True
        self.layers = kept
        falls_back(f"your {getattr(function, '__name__', cell + ' step')}", reason, f"Keras's own {cell} cell")
        return False

    def check_against(self, model: keras.Model) -> None:
        """Fail loudly if these NumPy equations' probabilities differ from the Keras model's on a short text."""
        difference = self.difference_from(model)
        if not difference <= CHECK_TOLERANCE:
            functions = ", ".join(sorted({layer.step_function for layer in self.layers}))
            raise ValueError(
                f"model {model.name!r}: the NumPy sampler's probabilities differ from Keras's by {difference:.2g} "
                f"(tolerance {CHECK_TOLERANCE}); either the model computes something the sampler does not "
                f"implement, or a cell's equations are wrong ({functions})"
            )

    def difference_from(self, model: keras.Model) -> float:
        """The largest difference between these equations' probabilities and the Keras model's on a short text."""
        ids = np.random.default_rng(0).integers(0, self.vocab.size, CHECK_LENGTH, dtype=np.int32)
        self.check_cells(ids[:2])
        expected = keras.ops.convert_to_numpy(model(ids[None, :], training=False)).astype(np.float64)[0]
        return float(np.abs(self.probabilities_of_ids(ids) - expected).max())

    def check_cells(self, ids: np.ndarray) -> None:
        """A clear error if a cell's step function does not return its new state, (batch, units) floats."""
        x, state = self.input_table[ids], self.initial_state(len(ids))
        for index, layer in enumerate(self.layers):
            x, layer_state = layer.step(x, state[index])
            for part in layer_state:
                if not isinstance(part, np.ndarray) or part.shape != (len(ids), layer.units) or part.dtype.kind != "f":
                    found = f"{type(part).__name__} {getattr(part, 'shape', '')}".strip()
                    raise ValueError(
                        f"{layer.step_function} returned {found} for layer {index} "
                        f"({layer.cell}, {layer.units} units) and a batch of {len(ids)}: expected a float array of "
                        f"shape ({len(ids)}, {layer.units}), the new state; is its `return` missing?"
                    )

    @classmethod
    def from_run(cls, run_dir: Path, steps: dict[str, Callable] | None = None) -> Sampler:
        """The sampler of a finished training run folder (steps: as for Sampler)."""
        run_dir = Path(run_dir)
        if not (run_dir / MODEL).is_file():
            raise FileNotFoundError(f"{run_dir} holds no trained model ({MODEL}); train it first")
        return cls(load_trained_model(run_dir), Vocabulary.load(run_dir / VOCAB), steps)

    def initial_state(self, batch: int) -> list[tuple[np.ndarray, ...]]:
        return [layer.initial_state(batch) for layer in self.layers]

    def step(self, ids: np.ndarray, state: list) -> tuple[np.ndarray, list]:
        """Logits of the next character for a batch of current characters, and the new state."""
        x = self.input_table[ids]
        new_state = []
        for index, layer in enumerate(self.layers):
            x, layer_state = layer.step(x, state[index])
            new_state.append(layer_state)
        return x @ self.output_kernel + self.output_bias, new_state

    def encode_prime(self, prime: str) -> np.ndarray:
        """The prime's ids; characters the model never saw are an error, not a guess."""
        if not isinstance(prime, str):
            raise TypeError(f"the prime must be a str, got {prime!r} ({type(prime).__name__})")
        if not prime:
            raise ValueError("the prime must hold at least one character, e.g. '<start>\\n'")
        unknown = self.vocab.unknown_characters(prime)
        if unknown:
            raise ValueError(f"prime has characters the model never saw in training: {sorted(unknown)}")
        return self.vocab.encode(prime)

    def probabilities(self, text: str) -> np.ndarray:
        """(len(text), vocab) probabilities of each next character, reading text one character at a time."""
        return self.probabilities_of_ids(self.encode_prime(text))

    def probabilities_of_ids(self, ids: np.ndarray) -> np.ndarray:
        """(len(ids), vocab) probabilities of each next character, reading the ids one at a time."""
        state = self.initial_state(1)
        rows = []
        for char_id in ids:
            logits, state = self.step(np.array([char_id]), state)
            rows.append(softmax(logits, axis=-1)[0])
        return np.stack(rows)

    def sample(
        self,
        n: int = 1,
        temperature: float = 1.0,
        prime: str = DEFAULT_PRIME,
        max_length: int = 1000,
        seed: int = 0,
        top_k: int | None = None,
        top_p: float | None = None,
        constrained: bool = False,
        form: str = "free",
        exact_mass: bool = False,
    ) -> list[GeneratedTune]:
        """n tunes written after the prime, each stopping at <end> or after max_length characters.

        Limits, checked before anything is allocated: MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE, n <= MAX_TUNES,
        max_length <= MAX_LENGTH and n × (prime + max_length) <= MAX_SYMBOLS; a prime that holds <end> is refused.

        constrained=True masks, at every step, the characters that cannot continue a valid tune
        (helpers.abc.grammar), so that every tune is valid ABC and ends with <end> within max_length.
        form (FORMS, or any that helpers.abc.grammar.parse_form reads) asks the grammar for a form as well, e.g. 'AABB':
        two parts of 8 bars, each played twice; 'AB16': two parts of 16 bars, each played once. Any form but 'free'
        samples with the mask, as constrained=True does.

        A masked draw is the Gumbel-max draw: the allowed symbol of highest logit / T + Gumbel noise. Without top_k
        or top_p, the grammar is asked only about the symbols tried in that order, and each tune's removed_mass is
        estimated without bias as the share of its characters where the network's own draw (the highest score of
        all) was refused. exact_mass=True computes the whole mask at every step instead, and with it the exact mass
        removed: slower, and the same tunes.
        """
        check_sampling(n, temperature, max_length, seed, top_k, top_p)
        if not isinstance(constrained, bool | np.bool_):
            raise TypeError(f"constrained must be True or False, got {constrained!r} ({type(constrained).__name__})")
        parse_form(form)  # an unknown form is refused before anything runs
        constrained = bool(constrained) or form != "free"
        prime_ids = self.encode_prime(prime)
        check_prime(prime, n, len(prime_ids), max_length)
        noise = RowNoise(seed, n, width=len(self.vocab.chars) if constrained else 1)
        whole_mask = exact_mass or top_k is not None or top_p is not None
        grammar = self.grammar_rows(prime, n, max_length, form) if constrained else None
        end_ids = self.vocab.encode(END)
        total = len(prime_ids) + max_length
        # One BLAS thread: for matrices this small, threads cost more than they give.
        with threadpool_limits(limits=1, user_api="blas"):
            state = self.initial_state(n)
            for char_id in prime_ids[:-1]:
                _, state = self.step(np.full(n, char_id), state)
            # The text so far, prime included, so an <end> that the prime begins is still recognised.
            text = np.zeros((n, total), dtype=np.int32)
            text[:, : len(prime_ids)] = prime_ids
            lengths = np.full(n, total)
            finished = np.zeros(n, dtype=bool)
            surprisal, removed = np.zeros(n), np.zeros(n)
            active = np.arange(n)  # rows still writing; finished rows leave the batch
            current = np.full(n, prime_ids[-1])
            for position in range(len(prime_ids), total):
                logits, state = self.step(current, state)
                logits[:, 0] = -np.inf  # the unknown symbol is never written
                log_p = log_softmax(logits / temperature, axis=-1)
                if grammar is None:
                    current = draw(logits, temperature, top_k, top_p, noise.uniform(active, position))
                else:
                    grammar[active] = self.grammar.keep_only(grammar[active])  # the table's memory stays bounded
                    budget = np.full(len(active), total - position)
                    if whole_mask:
                        following, allowed = self.grammar.allowed(grammar[active], budget)
                        removed[active] += 1.0 - np.where(allowed, np.exp(log_p), 0.0).sum(axis=1)
                        logits = truncate(np.where(allowed, logits, -np.inf), temperature, top_k, top_p)
                        current = np.argmax(logits / temperature + noise.gumbel(active, position), axis=1)
                        following = following[np.arange(len(active)), current]  # BROKEN where nothing is allowed
                    else:
                        scores = logits / temperature + noise.gumbel(active, position)
                        current, following, refused = self.grammar.choose(grammar[active], scores, budget)
                        removed[active] += refused
                    if (following < 0).any():
                        self.nothing_allowed(active[following < 0][0], text, position)
                surprisal[active] -= log_p[np.arange(len(active)), current]
                text[active, position] = current
                if grammar is not None:
                    grammar[active] = following
                    done = self.grammar.done[grammar[active]]
                elif position + 1 >= len(end_ids):
                    done = (text[active, position + 1 - len(end_ids) : position + 1] == end_ids).all(axis=1)
                else:
                    done = np.zeros(len(active), dtype=bool)
                if done.any():
                    finished[active[done]] = True
                    lengths[active[done]] = position + 1
                    keep = ~done
                    active, current = active[keep], current[keep]
                    state = [tuple(part[keep] for part in layer_state) for layer_state in state]
                    if not len(active):
                        break
        written = np.maximum(lengths - len(prime_ids), 1)
        return [
            GeneratedTune(
                prime,
                self.vocab.decode(text[row, len(prime_ids) : lengths[row]]),
                bool(finished[row]),
                constrained=grammar is not None,
                surprisal=float(surprisal[row] / written[row]),
                removed_mass=float(removed[row] / written[row]) if grammar is not None else None,
                form=form,
            )
            for row in range(n)
        ]

    def nothing_allowed(self, row: int, text: np.ndarray, position: int) -> None:
        """Raise the error for a row whose state allows no symbol (the grammar's fault, never the caller's)."""
        written = self.vocab.decode(text[row, :position])
        raise RuntimeError(
            f"the grammar (helpers.abc.grammar) allows no character of this model's vocabulary for tune {row} after "
            f"...{written[-120:]!r}: an error of the grammar, not of your code; please report it with that text, and "
            "sample with constrained=False meanwhile"
        )

    def grammar_rows(self, prime: str, n: int, max_length: int, form: str = "free") -> np.ndarray:
        """Each row's grammar state number after the prime, for a tune of this form; a prime or a length that no valid
        tune fits is an error."""
        if self.grammar is None:
            self.grammar = GrammarTable(self.vocab.chars)
        start = start_state(prime, form)
        needed = self.grammar.completion.length(start)
        if needed is None:
            raise ValueError(
                f"this model's vocabulary lacks characters that every valid tune after the prime {prime!r} needs "
                f"(e.g. those of {Completion().text(start)!r}); constrained sampling cannot end a tune with it"
            )
        if max_length < needed:
            raise ValueError(
                f"max_length={max_length} is too short for a valid tune after this prime"
                + ("" if form == "free" else f" in the form {form}")
                + f": it needs at least {needed}"
            )
        return np.full(n, self.grammar.number(start), dtype=np.int64)


class RowNoise:
    """Random numbers from one stream per row, so tune i of a seed is the same in any batch size: width numbers per
    row and step (1 for the inverse-CDF draw; one per symbol for the Gumbel-max draw)."""

    BLOCK = 256  # steps drawn at once, for width 1
    NUMBERS = 2**21  # at most this many numbers (16 MB) held at once for a wider draw, at least one step's

    def __init__(self, seed: int, rows: int, width: int = 1) -> None:
        self.generators = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(rows)]
        self.steps = self.BLOCK if width == 1 else int(np.clip(self.NUMBERS // (max(rows, 1) * width), 1, self.BLOCK))
        self.width = width
        self.block = np.empty((rows, 0, width))
        self.block_start = 0

    def numbers(self, rows: np.ndarray, step: int) -> np.ndarray:
        """(len(rows), width) numbers in [0, 1) for the given rows at this step; steps only go forward."""
        if step - self.block_start >= self.block.shape[1]:
            self.block = np.stack([g.random((self.steps, self.width)) for g in self.generators])
            self.block_start = step
        return self.block[rows, step - self.block_start]

    def uniform(self, rows: np.ndarray, step: int) -> np.ndarray:
        """(len(rows), width) numbers in (0, 1]."""
        return 1.0 - self.numbers(rows, step)

    def gumbel(self, rows: np.ndarray, step: int) -> np.ndarray:
        """(len(rows), width) standard Gumbel numbers (a 0 drawn, once in 2**53, gives -inf: never chosen)."""
        with np.errstate(divide="ignore"):
            return -np.log(-np.log(self.numbers(rows, step)))


def check_integer(what: str, value, minimum: int, maximum: int | None = None) -> None:
    """A TypeError unless value is an int (bools are not), a ValueError if it is below minimum or above maximum."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{what} must be an integer, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{what} must be at most {maximum}, got {value!r}")


def check_real(name: str, value) -> None:
    """A TypeError unless value is a real number (bools are not), a ValueError if it is not finite."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def check_sampling(
    n: int, temperature: float, max_length: int, seed: int, top_k: int | None, top_p: float | None
) -> None:
    """One clear error per bad sampling argument: a TypeError for the wrong type, a ValueError out of range."""
    check_integer("the number of tunes (batch size) n", n, 1, MAX_TUNES)
    check_temperature(temperature)
    check_integer("max_length", max_length, 1, MAX_LENGTH)
    check_integer("the seed", seed, 0)
    if top_k is not None:
        check_integer("top_k (or None)", top_k, 1)
    if top_p is not None:
        check_real("top_p", top_p)
        if not 0 < top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")


def check_temperature(temperature) -> None:
    """A TypeError unless temperature is a real number, a ValueError outside MIN_TEMPERATURE..MAX_TEMPERATURE."""
    if isinstance(temperature, bool | np.bool_) or not isinstance(temperature, int | float | np.integer | np.floating):
        raise TypeError(f"temperature must be a number, got {temperature!r} ({type(temperature).__name__})")
    if not MIN_TEMPERATURE <= temperature <= MAX_TEMPERATURE:
        greedy = "; for greedy sampling use top_k=1" if 0 < temperature < MIN_TEMPERATURE else ""
        raise ValueError(
            f"temperature must be a positive number between {MIN_TEMPERATURE:g} and {MAX_TEMPERATURE:g}, "
            f"got {temperature!r}{greedy}"
        )


def check_prime(prime: str, n: int, prime_length: int, max_length: int) -> None:
    """A ValueError for a prime that already holds <end>, or for more symbols in memory than MAX_SYMBOLS."""
    if END in prime:
        raise ValueError(
            f"the prime holds {END} at index {prime.index(END)}: that tune is already finished; "
            f"give a prime that stops before {END}"
        )
    if n * (prime_length + max_length) > MAX_SYMBOLS:
        raise ValueError(
            f"n × (prime + max_length) = {n} × ({prime_length} + {max_length}) = {n * (prime_length + max_length)} "
            f"symbols, but at most {MAX_SYMBOLS} are held in memory at once: sample fewer or shorter tunes per call"
        )


def truncate(logits: np.ndarray, temperature: float, top_k: int | None, top_p: float | None) -> np.ndarray:
    """The logits with -inf outside the top k, or outside the top-p nucleus of softmax(logits / T)."""
    if top_k is not None and top_k < logits.shape[1]:
        kth = np.partition(logits, -top_k, axis=1)[:, -top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    if top_p is not None and top_p < 1:
        probabilities = softmax(logits / temperature, axis=-1)
        order = np.argsort(-probabilities, axis=1)
        sorted_p = np.take_along_axis(probabilities, order, axis=1)
        outside = np.cumsum(sorted_p, axis=1) - sorted_p >= top_p  # keep the smallest set reaching top_p
        mask = np.zeros_like(outside)
        np.put_along_axis(mask, order, outside, axis=1)
        logits = np.where(mask, -np.inf, logits)
    return logits


def draw(
    logits: np.ndarray, temperature: float, top_k: int | None, top_p: float | None, uniform: np.ndarray
) -> np.ndarray:
    """One id per row from softmax(logits / T), optionally kept to the top k or the top-p nucleus (truncate).

    uniform holds one number in (0, 1] per row: the inverse-CDF draw. An id whose logit is -inf is never drawn.
    """
    probabilities = softmax(truncate(logits, temperature, top_k, top_p) / temperature, axis=-1)
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    return (cumulative < uniform).sum(axis=1).astype(np.int32)
