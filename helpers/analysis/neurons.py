"""Inside the network: every hidden unit's activation at every character, and units ranked by ABC facts.

Activations are recorded with the sampler's own step function (helpers.rnn.sample), so they are exactly the
states the network carries while it reads or writes a tune: for every layer the hidden output h, and for
an LSTM also the cell state c. The activation at character t is the state after reading that character.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from threadpoolctl import threadpool_limits

from helpers.abc.reader import END, START
from helpers.abc.structure import FACTS, Fact, label_structure
from helpers.config import MODEL, VOCAB
from helpers.corpus.vocab import TokenVocabulary, Vocabulary
from helpers.files import write_csv
from helpers.rnn.model import OneHot
from helpers.rnn.sample import Sampler

__all__ = [
    "Activations",
    "CELL",
    "HIDDEN",
    "KIND_NAMES",
    "MIN_POSITIVES",
    "UnitRanking",
    "as_record",
    "example_tune",
    "rank_network",
    "record_activations",
    "record_many",
    "training_gains",
    "untrained_network",
    "write_scores",
]

HIDDEN, CELL = "hidden", "cell"
KIND_NAMES = {HIDDEN: "hidden output h", CELL: "cell state c"}
KIND_SHORT = {HIDDEN: "h", CELL: "c"}
MIN_POSITIVES = 20


@dataclass(frozen=True)
class Activations:
    """Every hidden unit's value at every character of one text, for each recurrent layer."""

    text: str
    cells: tuple[str, ...]  # the cell type of each layer
    hidden: tuple[np.ndarray, ...]  # per layer, (len(text), units): the layer's output h
    cell_state: tuple[np.ndarray | None, ...]  # per layer, (len(text), units) for an LSTM, else None

    @property
    def layers(self) -> int:
        return len(self.hidden)

    def units(self, layer: int = 0) -> int:
        return self.hidden[self.check_layer(layer)].shape[1]

    def kinds(self, layer: int = 0) -> tuple[str, ...]:
        """What can be drawn for a layer: the hidden output, and for an LSTM the cell state."""
        return (HIDDEN, CELL) if self.cell_state[self.check_layer(layer)] is not None else (HIDDEN,)

    def check_layer(self, layer: int) -> int:
        if not isinstance(layer, int | np.integer) or not 0 <= layer < self.layers:
            raise ValueError(
                f"layer {layer!r} is out of range: the network has {self.layers} recurrent layer(s), "
                f"0..{self.layers - 1}"
            )
        return int(layer)

    def values(self, layer: int = 0, kind: str = HIDDEN) -> np.ndarray:
        """(len(text), units) activations of one layer: its hidden output, or an LSTM's cell state."""
        if kind not in self.kinds(layer):
            raise ValueError(
                f"unknown activation kind {kind!r} for this {self.cells[layer]} layer; expected one of "
                f"{self.kinds(layer)} (only an LSTM has a cell state)"
            )
        return self.hidden[layer] if kind == HIDDEN else self.cell_state[layer]

    def describe(self, layer: int = 0, kind: str = HIDDEN) -> str:
        """E.g. 'LSTM layer 0, cell state c': which values a figure shows."""
        self.values(layer, kind)
        return f"{self.cells[layer]} layer {layer}, {KIND_NAMES[kind]}"

    def check_unit(self, unit: int, layer: int = 0) -> int:
        units = self.units(layer)
        if not isinstance(unit, int | np.integer) or not 0 <= unit < units:
            raise ValueError(
                f"neuron index {unit!r} is out of range: {self.cells[layer]} layer {layer} has {units} units, "
                f"0..{units - 1}"
            )
        return int(unit)


def as_record(abc: str) -> str:
    """The tune between <start> and <end>, as the network read tunes in training; a record stays as it is."""
    if not isinstance(abc, str):
        raise ValueError(f"expected the ABC text of a tune as a str, got {type(abc).__name__}")
    if not abc.strip():
        raise ValueError("the tune is empty: paste or choose the ABC text of a tune")
    if abc.lstrip().startswith(START):
        return abc
    tune = abc.strip("\n")
    return f"{START}\n{tune}\n{END}\n"


def encode_text(vocab: Vocabulary, text: str) -> np.ndarray:
    """The ids of a text the network can read; an empty text or unknown characters are an error."""
    if not isinstance(text, str):
        raise ValueError(f"expected a tune as a str, got {type(text).__name__}")
    if isinstance(vocab, TokenVocabulary):
        raise ValueError("this model reads tokens: the neuron views show one value per character of a tune")
    if not text.strip():
        raise ValueError("the tune is empty: there is nothing for the network to read")
    unknown = vocab.unknown_characters(text)
    if unknown:
        raise ValueError(f"the tune has characters the model never saw in training: {sorted(unknown)}")
    return vocab.encode(text)


def record_activations(network: Sampler, text: str) -> Activations:
    """Run one text through the network and keep every unit's activation at every character."""
    return record_many(network, [text])[0]


def record_many(network: Sampler, texts: Sequence[str], batch_size: int = 64) -> list[Activations]:
    """record_activations for many texts, run side by side in batches of similar length."""
    if isinstance(texts, str) or not len(texts):
        raise ValueError("expected a non-empty list of tune texts")
    ids = []
    for index, text in enumerate(texts):
        try:
            ids.append(encode_text(network.vocab, text))
        except ValueError as error:
            raise ValueError(f"tune {index}: {error}" if len(texts) > 1 else str(error)) from None
    cells = tuple(layer.cell for layer in network.layers)
    recorded: list[Activations | None] = [None] * len(texts)
    order = np.argsort([len(row) for row in ids], kind="stable")
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        length = max(len(ids[row]) for row in rows)
        batch = np.zeros((len(rows), length), dtype=np.int32)  # padding after a text never affects it
        for i, row in enumerate(rows):
            batch[i, : len(ids[row])] = ids[row]
        hidden, cell_state = run_network(network, batch)
        for i, row in enumerate(rows):
            n = len(ids[row])
            recorded[row] = Activations(
                texts[row],
                cells,
                tuple(values[i, :n] for values in hidden),
                tuple(None if values is None else values[i, :n] for values in cell_state),
            )
    return recorded


def run_network(network: Sampler, batch: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """(batch, time, units) hidden outputs and LSTM cell states of each layer, one step at a time."""
    rows, length = batch.shape
    hidden = [np.empty((rows, length, layer.units), dtype=np.float32) for layer in network.layers]
    cell_state = [
        hidden_layer.copy() if layer.cell == "LSTM" else None
        for layer, hidden_layer in zip(network.layers, hidden, strict=True)
    ]
    state = network.initial_state(rows)
    with threadpool_limits(limits=1, user_api="blas"):
        for t in range(length):
            _, state = network.step(batch[:, t], state)
            for layer, layer_state in enumerate(state):
                hidden[layer][:, t] = layer_state[0]  # every cell's output is the first part of its state
                if cell_state[layer] is not None:
                    cell_state[layer][:, t] = layer_state[1]
    return hidden, cell_state


def seeded(config: object, rng: np.random.Generator) -> object:
    """The Keras config with every seed left to Keras (None) drawn from rng instead."""
    if isinstance(config, dict):
        return {
            key: int(rng.integers(1, 2**31)) if key == "seed" and value is None else seeded(value, rng)
            for key, value in config.items()
        }
    if isinstance(config, list):
        return [seeded(value, rng) for value in config]
    return config


def untrained_network(run_dir: Path, seed: int = 0) -> Sampler:
    """The run's architecture and vocabulary with fresh random weights, as Keras initialises them: the chance control.

    Keras draws the seed of each initializer it builds from Python's global random module; here each is drawn
    from a generator of the given seed, so the same seed gives the same weights and no global state changes.
    """
    run_dir = Path(run_dir)
    if not (run_dir / MODEL).is_file():
        raise FileNotFoundError(f"{run_dir} holds no trained model ({MODEL} is missing)")
    with zipfile.ZipFile(run_dir / MODEL) as saved:  # a .keras file is a zip; config.json is the architecture
        architecture = json.loads(saved.read("config.json"))
    model = keras.saving.deserialize_keras_object(
        seeded(architecture, np.random.default_rng(seed)), custom_objects={"helpers>OneHot": OneHot}
    )
    return Sampler(model, Vocabulary.load(run_dir / VOCAB))


# --- ranking units by structural facts ---------------------------------------------------------------------------


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of each column's values, tied values sharing their average rank."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return average_ranks(values[:, None])[:, 0]
    ranks = np.empty_like(values)
    for column in range(values.shape[1]):
        order = np.argsort(values[:, column], kind="stable")
        ordered = values[order, column]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each run of equal values begins
        stops = np.r_[starts[1:], len(ordered)]
        group = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
        ranks[order, column] = ((starts + stops + 1) / 2)[group]
    return ranks


def auc_from_ranks(ranks: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Mann-Whitney: the area under the ROC curve of each column's ranks for the boolean labels."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return (ranks[labels].sum(axis=0) - positives * (positives + 1) / 2) / (positives * negatives)


def check_labels(activations: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    activations, labels = np.asarray(activations), np.asarray(labels)
    if activations.ndim != 2:
        raise ValueError(f"activations must be (characters, units), got shape {activations.shape}")
    if labels.shape != (len(activations),):
        raise ValueError(f"expected {len(activations)} labels, one per character, got shape {labels.shape}")
    return activations, labels


def auc_scores(activations: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per unit, the probability that it is higher on a character with the fact than on one without (AUC)."""
    activations, labels = check_labels(activations, labels)
    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        raise ValueError(
            f"the AUC needs characters with and without the fact; got {int(labels.sum())} of {len(labels)}"
        )
    return auc_from_ranks(average_ranks(activations), labels)


def correlation_scores(activations: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per unit, the Pearson correlation of its activation with a numeric fact (0 for a constant unit)."""
    activations, values = check_labels(activations, values)
    values = values.astype(np.float64)
    if not np.isfinite(values).all():
        raise ValueError("the numeric fact has NaN or infinite values; keep only the characters where it is defined")
    if values.std() == 0:
        raise ValueError(f"the numeric fact is constant ({values[:1]}): a correlation needs it to vary")
    centred = activations - activations.mean(axis=0)
    spread = np.sqrt((centred**2).sum(axis=0))
    covariance = centred.T @ (values - values.mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = covariance / (spread * np.sqrt(((values - values.mean()) ** 2).sum()))
    return np.where(spread > 0, correlation, 0.0)


@dataclass(frozen=True)
class UnitRanking:
    """How well each unit alone predicts one fact: AUC (binary) or Pearson r (numeric), orientation-free."""

    fact: Fact
    signed: np.ndarray  # per unit: the AUC, or the correlation; NaN when the fact could not be scored
    characters: int  # characters the fact was judged on
    positives: int  # characters with the fact (binary facts), else the characters judged

    @property
    def scores(self) -> np.ndarray:
        """max(AUC, 1 - AUC) or |r|: a unit that is low on the fact predicts it as well as one that is high."""
        return np.abs(self.signed) if self.fact.numeric else np.maximum(self.signed, 1.0 - self.signed)

    @property
    def measure(self) -> str:
        return "|r|" if self.fact.numeric else "AUC"

    @property
    def scored(self) -> bool:
        return bool(np.isfinite(self.signed).all())

    @property
    def order(self) -> np.ndarray:
        """Units from the best predictor to the worst."""
        return np.argsort(-self.scores, kind="stable")

    @property
    def best_unit(self) -> int:
        return int(self.order[0])

    @property
    def best_score(self) -> float:
        return float(self.scores[self.best_unit]) if self.scored else float("nan")

    def direction(self, unit: int) -> str:
        """'high' when the unit's activation rises with the fact, else 'low'."""
        neutral = 0.0 if self.fact.numeric else 0.5
        return "high" if self.signed[unit] >= neutral else "low"

    def summary(self, unit: int | None = None) -> str:
        unit = self.best_unit if unit is None else unit
        if not self.scored:
            return (
                f"'{self.fact.description}' not scored: {self.positives} of {self.characters} characters have it, "
                "too few either way to judge"
            )
        if self.fact.numeric:
            how = "rises as it grows" if self.direction(unit) == "high" else "falls as it grows"
        else:
            how = f"{self.direction(unit)} where it holds"
        return f"unit {unit}: {self.measure} {self.scores[unit]:.3f} for '{self.fact.description}' ({how})"


def rank_units(activations: np.ndarray, labels: np.ndarray, fact: Fact) -> UnitRanking:
    """Rank the units (columns) by how well each predicts the labels of one fact on these characters."""
    activations, labels = check_labels(activations, labels)
    if fact.numeric:
        signed = correlation_scores(activations, labels)
        return UnitRanking(fact, signed, len(labels), len(labels))
    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        return UnitRanking(fact, np.full(activations.shape[1], np.nan), len(labels), int(labels.sum()))
    return UnitRanking(fact, auc_scores(activations, labels), len(labels), int(labels.sum()))


def rank_facts(
    recorded: Sequence[Activations],
    layer: int = 0,
    kind: str = HIDDEN,
    facts: Sequence[Fact] = FACTS,
    min_positives: int = MIN_POSITIVES,
) -> dict[str, UnitRanking]:
    """For each fact, the units ranked on all characters of the recorded tunes where the fact is judged.

    A yes/no fact held by fewer than min_positives characters (or missed by fewer) is left unscored: with a
    handful of examples, the best of a hundred units scores high by chance.
    """
    if not len(recorded):
        raise ValueError("expected at least one recorded tune to rank the units on")
    labels = [label_structure(item.text) for item in recorded]
    activations = np.concatenate([item.values(layer, kind) for item in recorded])
    stacked = {name: np.concatenate([tune[name] for tune in labels]) for name in labels[0]}
    unscored = np.full(activations.shape[1], np.nan)
    ranks_within: dict[str, np.ndarray] = {}
    rankings = {}
    for fact in facts:
        domain = stacked[fact.within]
        truth = stacked[fact.name][domain]
        if fact.numeric:
            varies = len(truth) > 1 and truth.std() > 0
            rankings[fact.name] = (
                rank_units(activations[domain], truth, fact) if varies else UnitRanking(fact, unscored, len(truth), 0)
            )
            continue
        positives = int(truth.sum())
        if min(positives, len(truth) - positives) < max(min_positives, 1):
            rankings[fact.name] = UnitRanking(fact, unscored, len(truth), positives)
            continue
        if fact.within not in ranks_within:  # the ranks depend only on the characters judged, not on the fact
            ranks_within[fact.within] = average_ranks(activations[domain])
        signed = auc_from_ranks(ranks_within[fact.within], truth)
        rankings[fact.name] = UnitRanking(fact, signed, len(truth), positives)
    return rankings


def rank_network(
    network: Sampler,
    texts: Sequence[str],
    name: str,
    layer: int = 0,
    facts: Sequence[Fact] = FACTS,
    min_positives: int = MIN_POSITIVES,
) -> dict[str, dict[str, UnitRanking]]:
    """Rankings of one layer's hidden output (and an LSTM's cell state) on the texts, as table columns by name."""
    recorded = record_many(network, texts)
    return {
        f"{name} {KIND_SHORT[kind]}": rank_facts(recorded, layer, kind, facts, min_positives)
        for kind in recorded[0].kinds(layer)
    }


def example_tune(recorded: Sequence[Activations], fact: Fact) -> Activations:
    """The shortest recorded tune where the fact varies, to show a unit's heatmap on."""
    for item in sorted(recorded, key=lambda item: len(item.text)):
        labels = label_structure(item.text)
        values = labels[fact.name][labels[fact.within]]
        if len(values) > 1 and np.nanstd(values.astype(float)) > 0:
            return item
    raise ValueError(f"no recorded tune shows the fact {fact.name!r} ({fact.description})")


# --- the best scores, and what training added ---------------------------------------------------------------


def score_rows(columns: dict[str, dict[str, UnitRanking]]) -> list[dict]:
    """One row per fact and model column: best unit, its score, and how many characters it was judged on."""
    rows = []
    for column, rankings in columns.items():
        for fact_name, ranking in rankings.items():
            rows.append(
                {
                    "fact": fact_name,
                    "description": ranking.fact.description,
                    "model": column,
                    "measure": ranking.measure,
                    "best_unit": ranking.best_unit if ranking.scored else "",
                    "direction": ranking.direction(ranking.best_unit) if ranking.scored else "",
                    "score": round(ranking.best_score, 4) if ranking.scored else "",
                    "characters": ranking.characters,
                    "positives": ranking.positives,
                }
            )
    return rows


def write_scores(columns: dict[str, dict[str, UnitRanking]], folder: Path, name: str = "neuron_scores") -> Path:
    """Write the best scores as <name>.csv under folder: one row per fact and model column."""
    if not columns:
        raise ValueError("expected at least one model's rankings to write")
    path = Path(folder) / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(score_rows(columns), path)
    return path


def random_twin(column: str) -> str:
    """'LSTM random c' for 'LSTM c': the table column of the same network with untrained weights."""
    head, _, kind = column.rpartition(" ")
    return f"{head} random {kind}"


def training_gains(columns: dict[str, dict[str, UnitRanking]]) -> list[dict]:
    """Each fact's best score in each trained column next to its random twin's, where both were scored."""
    gains = []
    for column, rankings in columns.items():
        twin = columns.get(random_twin(column))
        if twin is None:
            continue
        for fact, ranking in rankings.items():
            if ranking.scored and fact in twin and twin[fact].scored:
                trained, untrained = ranking.best_score, twin[fact].best_score
                gains.append({"fact": ranking.fact, "column": column, "trained": trained, "random": untrained})
    return gains
