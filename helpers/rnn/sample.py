"""Compose tunes: a batched temperature sampler that carries the recurrent state one character at a time.

The trained Keras model's weights are read once and its equations run in NumPy, step by step, for a
whole batch of tunes at once; nothing re-reads the growing text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from threadpoolctl import threadpool_limits

from helpers.abc.reader import END, START
from helpers.config import MODEL, VOCAB
from helpers.corpus.vocab import Vocabulary

DEFAULT_PRIME = f"{START}\n"


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class RecurrentLayer:
    """One recurrent layer's weights and the Keras equations of its cell."""

    cell: str
    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    def initial_state(self, batch: int) -> tuple[np.ndarray, ...]:
        zeros = np.zeros((batch, self.units), dtype=np.float32)
        return (zeros, zeros.copy()) if self.cell == "LSTM" else (zeros,)

    def step(self, projected: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple]:
        """One time step from the input already multiplied by the kernel; returns (output, new state)."""
        h = state[0]
        if self.cell == "SimpleRNN":
            h = np.tanh(projected + h @ self.recurrent_kernel + self.bias)
            return h, (h,)
        if self.cell == "LSTM":
            i, f, c, o = np.split(projected + h @ self.recurrent_kernel + self.bias, 4, axis=-1)
            c = sigmoid(f) * state[1] + sigmoid(i) * np.tanh(c)
            h = sigmoid(o) * np.tanh(c)
            return h, (h, c)
        # GRU with reset_after=True (the Keras default): separate input and recurrent biases.
        x_z, x_r, x_h = np.split(projected + self.bias[0], 3, axis=-1)
        r_z, r_r, r_h = np.split(h @ self.recurrent_kernel + self.bias[1], 3, axis=-1)
        z = sigmoid(x_z + r_z)
        candidate = np.tanh(x_h + sigmoid(x_r + r_r) * r_h)
        h = z * h + (1.0 - z) * candidate
        return h, (h,)


@dataclass(frozen=True)
class GeneratedTune:
    """One sampled text: the prime, what the network wrote, and whether it reached <end>."""

    prime: str
    text: str
    finished: bool

    @property
    def abc(self) -> str:
        """The tune alone, without the <start> and <end> markers."""
        whole = self.prime + self.text
        whole = whole.split(END)[0] if self.finished else whole
        return whole.removeprefix(START).strip("\n") + "\n"


class Sampler:
    """Next-character probabilities and sampling with the weights of a trained model."""

    def __init__(self, model: keras.Model, vocab: Vocabulary) -> None:
        self.vocab = vocab
        layers = {layer.name: layer for layer in model.layers}
        if "onehot" in layers:
            self.input_table = None
        else:
            self.input_table = np.asarray(layers["embedding"].embeddings, dtype=np.float32)
        recurrent = [layers[name] for name in sorted(layers) if name.startswith("rnn_")]
        self.layers = [
            RecurrentLayer(type(layer).__name__, *(np.asarray(w, dtype=np.float32) for w in layer.cell.weights))
            for layer in recurrent
        ]
        self.output_kernel, self.output_bias = (np.asarray(w, dtype=np.float32) for w in layers["next_char"].weights)
        if self.output_kernel.shape[1] != vocab.size:
            raise ValueError(
                f"the model predicts {self.output_kernel.shape[1]} symbols, the vocabulary has {vocab.size}"
            )

    @classmethod
    def from_run(cls, run_dir: Path) -> Sampler:
        """The sampler of a finished training run folder."""
        run_dir = Path(run_dir)
        if not (run_dir / MODEL).is_file():
            raise FileNotFoundError(f"{run_dir} holds no trained model ({MODEL}); train it first")
        return cls(keras.models.load_model(run_dir / MODEL), Vocabulary.load(run_dir / VOCAB))

    def initial_state(self, batch: int) -> list[tuple[np.ndarray, ...]]:
        return [layer.initial_state(batch) for layer in self.layers]

    def step(self, ids: np.ndarray, state: list) -> tuple[np.ndarray, list]:
        """Logits of the next character for a batch of current characters, and the new state."""
        first = self.layers[0]
        if self.input_table is None:
            x = first.kernel[ids]  # a one-hot vector times the kernel is one row of it
        else:
            x = self.input_table[ids] @ first.kernel
        new_state = []
        for index, layer in enumerate(self.layers):
            if index:
                x = x @ layer.kernel
            x, layer_state = layer.step(x, state[index])
            new_state.append(layer_state)
        return x @ self.output_kernel + self.output_bias, new_state

    def encode_prime(self, prime: str) -> np.ndarray:
        """The prime's ids; characters the model never saw are an error, not a guess."""
        if not prime:
            raise ValueError("the prime must hold at least one character, e.g. '<start>\\n'")
        unknown = self.vocab.unknown_characters(prime)
        if unknown:
            raise ValueError(f"prime has characters the model never saw in training: {sorted(unknown)}")
        return self.vocab.encode(prime)

    def probabilities(self, text: str) -> np.ndarray:
        """(len(text), vocab) probabilities of each next character, reading text one character at a time."""
        ids = self.encode_prime(text)
        state = self.initial_state(1)
        rows = []
        for char_id in ids:
            logits, state = self.step(np.array([char_id]), state)
            rows.append(softmax(logits)[0])
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
    ) -> list[GeneratedTune]:
        """n tunes written after the prime, each stopping at <end> or after max_length characters."""
        check_sampling(n, temperature, max_length, top_k, top_p)
        noise = RowNoise(seed, n)
        prime_ids = self.encode_prime(prime)
        end_ids = self.vocab.encode(END)
        # One BLAS thread: for matrices this small, threads cost more than they give.
        with threadpool_limits(limits=1, user_api="blas"):
            state = self.initial_state(n)
            for char_id in prime_ids[:-1]:
                _, state = self.step(np.full(n, char_id), state)
            # The text so far, prime included, so an <end> that the prime begins is still recognised.
            text = np.zeros((n, len(prime_ids) + max_length), dtype=np.int32)
            text[:, : len(prime_ids)] = prime_ids
            lengths = np.full(n, len(prime_ids) + max_length)
            finished = np.zeros(n, dtype=bool)
            active = np.arange(n)  # rows still writing; finished rows leave the batch
            current = np.full(n, prime_ids[-1])
            for position in range(len(prime_ids), len(prime_ids) + max_length):
                logits, state = self.step(current, state)
                current = draw(logits, temperature, top_k, top_p, noise.uniform(active, position))
                text[active, position] = current
                if position + 1 >= len(end_ids):
                    done = (text[active, position + 1 - len(end_ids) : position + 1] == end_ids).all(axis=1)
                    if done.any():
                        finished[active[done]] = True
                        lengths[active[done]] = position + 1
                        keep = ~done
                        active, current = active[keep], current[keep]
                        state = [tuple(part[keep] for part in layer_state) for layer_state in state]
                        if not len(active):
                            break
        return [
            GeneratedTune(prime, self.vocab.decode(text[row, len(prime_ids) : lengths[row]]), bool(finished[row]))
            for row in range(n)
        ]


class RowNoise:
    """Uniform numbers from one random stream per row, so tune i of a seed is the same in any batch size."""

    BLOCK = 256

    def __init__(self, seed: int, rows: int) -> None:
        self.generators = [np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(rows)]
        self.block = np.empty((rows, 0))
        self.block_start = 0

    def uniform(self, rows: np.ndarray, step: int) -> np.ndarray:
        """(len(rows), 1) numbers in (0, 1] for the given rows at this step; steps only go forward."""
        if step - self.block_start >= self.block.shape[1]:
            self.block = 1.0 - np.stack([g.random(self.BLOCK) for g in self.generators])
            self.block_start = step
        return self.block[rows, step - self.block_start, None]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def check_sampling(n: int, temperature: float, max_length: int, top_k: int | None, top_p: float | None) -> None:
    """One clear error per bad sampling argument."""
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"the number of tunes (batch size) must be at least 1, got {n!r}")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    if not isinstance(max_length, int | np.integer) or max_length < 1:
        raise ValueError(f"max_length must be at least 1, got {max_length!r}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be at least 1 or None, got {top_k!r}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")


def draw(
    logits: np.ndarray, temperature: float, top_k: int | None, top_p: float | None, uniform: np.ndarray
) -> np.ndarray:
    """One id per row from softmax(logits / T), optionally kept to the top k or the top-p nucleus.

    uniform holds one number in (0, 1] per row: the inverse-CDF draw.

    The unknown symbol (id 0) is never written.
    """
    logits = logits / temperature
    logits[:, 0] = -np.inf
    if top_k is not None and top_k < logits.shape[1]:
        kth = np.partition(logits, -top_k, axis=1)[:, -top_k][:, None]
        logits = np.where(logits < kth, -np.inf, logits)
    probabilities = softmax(logits)
    if top_p is not None and top_p < 1:
        order = np.argsort(-probabilities, axis=1)
        sorted_p = np.take_along_axis(probabilities, order, axis=1)
        outside = np.cumsum(sorted_p, axis=1) - sorted_p >= top_p  # keep the smallest set reaching top_p
        mask = np.zeros_like(outside)
        np.put_along_axis(mask, order, outside, axis=1)
        probabilities = np.where(mask, 0.0, probabilities)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    return (cumulative < uniform).sum(axis=1).astype(np.int32)
