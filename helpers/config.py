"""Profiles (quick / full), one run's settings (RunConfig), run-folder file names and every output path."""

from __future__ import annotations

import hashlib
import math
import numbers
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from helpers.files import read_json_object, write_json

__all__ = [
    "BACKUP",
    "BEST_WEIGHTS",
    "CONFIG",
    "DATA",
    "HISTORY",
    "KEY_HANDLINGS",
    "NOTATIONS",
    "METRICS",
    "MODEL",
    "OPTIMIZER_NAMES",
    "PROFILES",
    "PROFILE_ENV",
    "Profile",
    "ProjectPaths",
    "RunConfig",
    "SYMBOLS",
    "TUNE_NATS",
    "VOCAB",
    "get_profile",
    "project_paths",
    "project_root",
]

PROFILE_ENV = "MUSICRNN_PROFILE"
CORPUS_ENV = "MUSICRNN_CORPUS"
ROOT_ENV = "MUSICRNN_ROOT"
DEFAULT_CORPUS = "oneills1850"
DEFAULT_SEED = 1

# The files of one run folder (runs/<tag>/<name>/); training writes them, everything else reads them.
CONFIG, VOCAB, DATA, HISTORY = "config.json", "vocab.json", "data.json", "history.csv"
BEST_WEIGHTS, MODEL, METRICS, BACKUP = "best.weights.h5", "model.keras", "metrics.json", "backup"
TUNE_NATS = "test_tunes.csv"  # nats of each test tune, by its position among the prepared test tunes

CELL_TYPES = ("SimpleRNN", "LSTM", "GRU")
ENCODINGS = ("onehot", "embedding")
SYMBOLS = ("chars", "tokens")  # what one step of the network reads: a character, or a token of the ABC reader
KEY_HANDLINGS = ("as written", "in C")  # tunes in their own keys, or each moved to the tonic C in its own mode
NOTATIONS = ("as written", "canonical")  # tunes as transcribed, or rewritten in the one canonical ABC
OPTIMIZER_NAMES = {"rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam", "sgd": "SGD"}  # Keras name: shown
OPTIMIZERS = tuple(OPTIMIZER_NAMES)
MAX_SEED = 2**32 - 1  # NumPy's and Keras's seeds are unsigned 32-bit integers


def _whole_number(name: str, value: object, expected: str, within: Callable[[int], bool]) -> int:
    """value as an int if it is a whole number (a bool is not) for which within holds; else a ValueError naming it."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and within(int(value)):
        return int(value)
    raise ValueError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")


def _finite_number(name: str, value: object, expected: str, within: Callable[[float], bool]) -> float:
    """value as a float if it is a finite real number (ints too, bools not) for which within holds."""
    if (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and within(float(value))
    ):
        return float(value)
    raise ValueError(f"{name} must be {expected}, got {value!r} ({type(value).__name__})")


@dataclass(frozen=True)
class RunConfig:
    """Model and training settings; the defaults are the assignment's baseline."""

    cell: str = "SimpleRNN"
    hidden_size: int = 100
    layers: int = 1
    dropout: float = 0.0
    encoding: str = "onehot"
    embedding_dim: int = 32
    optimizer: str = "rmsprop"
    learning_rate: float = 0.002
    epochs: int = 50
    batch_size: int = 64
    chunk_length: int = 100
    early_stopping_patience: int | None = None
    seed: int = 1
    symbols: str = "chars"
    keys: str = "as written"
    notation: str = "as written"  # or canonical: every tune rewritten in helpers.abc.canonical's notation

    def __post_init__(self) -> None:
        """Refuse a setting of the wrong type or out of range, naming it; numbers are stored as plain int and float."""
        choices_of = {"cell": CELL_TYPES, "encoding": ENCODINGS, "optimizer": OPTIMIZERS}
        for name, choices in (choices_of | {"symbols": SYMBOLS, "keys": KEY_HANDLINGS, "notation": NOTATIONS}).items():
            value = getattr(self, name)
            if not (isinstance(value, str) and value in choices):
                raise ValueError(f"unknown {name} {value!r}; expected one of {choices}")
        sizes = ("hidden_size", "layers", "embedding_dim", "epochs", "batch_size", "chunk_length")
        checked = {
            name: _whole_number(name, getattr(self, name), "a positive integer", lambda n: n > 0) for name in sizes
        }
        checked["seed"] = _whole_number(
            "seed", self.seed, f"an integer in [0, {MAX_SEED}]", lambda n: 0 <= n <= MAX_SEED
        )
        if self.early_stopping_patience is not None:
            checked["early_stopping_patience"] = _whole_number(
                "early_stopping_patience", self.early_stopping_patience, "None or a positive integer", lambda n: n > 0
            )
        checked["dropout"] = _finite_number("dropout", self.dropout, "a number in [0, 1)", lambda x: 0 <= x < 1)
        checked["learning_rate"] = _finite_number(
            "learning_rate", self.learning_rate, "a positive finite number", lambda x: x > 0
        )
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # frozen; dropout=0 and dropout=0.0 must give one config and one slug

    @property
    def slug(self) -> str:
        """A name that says what the model is, e.g. SimpleRNN-h100-l1-d0.0-onehot-rmsprop-s1 (-tokens, -inC, -canon if
        so)."""
        encoding = "onehot" if self.encoding == "onehot" else f"emb{self.embedding_dim}"
        data = ("-tokens" if self.symbols == "tokens" else "") + ("-inC" if self.keys == "in C" else "")
        data += "-canon" if self.notation == "canonical" else ""
        return (
            f"{self.cell}-h{self.hidden_size}-l{self.layers}-d{self.dropout}-{encoding}-{self.optimizer}{data}"
            f"-s{self.seed}"
        )

    def save(self, path: Path) -> None:
        """The settings as strict JSON, written whole or not at all."""
        write_json(asdict(self), path)

    @classmethod
    def load(cls, path: Path) -> RunConfig:
        """The settings saved at path; settings this version no longer knows are ignored."""
        values = read_json_object(path, "fix it, or save the settings again with RunConfig.save")
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


@dataclass(frozen=True)
class Profile:
    """How much data and training one pass through the notebooks uses."""

    name: str
    corpus: str = DEFAULT_CORPUS
    seed: int = DEFAULT_SEED
    max_tunes: int | None = None
    epochs: int = 20  # the fixed budget of every run but the study's converged ones
    batch_size: int = 64
    chunk_length: int = 100
    converged_epochs: int = 60  # the cap for runs trained to convergence (the study's cell types)
    converged_patience: int = 3  # epochs without a better validation loss before such a run stops
    workers: int = 0  # runs the study trains at once, each in its own process on one thread; 0: one per CPU core
    scratch_characters: int = 50_000  # the slice of training text that notebook 02's NumPy network learns from
    scratch_steps: int = 5000  # the steps of its training loop from scratch

    @property
    def study_workers(self) -> int:
        """How many runs the study trains at once on this machine."""
        return self.workers or os.cpu_count() or 1

    @property
    def tag(self) -> str:
        """Folder name for this profile's outputs; another corpus gets its own folders."""
        if self.corpus == DEFAULT_CORPUS:
            return self.name
        slug = re.sub(r"[^A-Za-z0-9]+", "-", Path(self.corpus).name).strip("-").lower()
        if "/" in self.corpus or "\\" in self.corpus:
            # Two files of the same name in different folders must not share outputs.
            where = str(Path(self.corpus).expanduser().resolve())
            slug += "-" + hashlib.sha256(where.encode()).hexdigest()[:6]
        return f"{self.name}-{slug}"

    def run_config(self, **changes) -> RunConfig:
        """The baseline run at this profile's epochs, batch size, chunk length and seed, with changes."""
        settings = {"epochs": self.epochs, "batch_size": self.batch_size, "chunk_length": self.chunk_length}
        return RunConfig(**(settings | {"seed": self.seed} | changes))


PROFILES = {
    "full": Profile("full"),
    "quick": Profile(
        "quick",
        max_tunes=150,
        epochs=1,
        batch_size=32,
        converged_epochs=3,
        converged_patience=1,
        workers=1,
        scratch_characters=15_000,
        scratch_steps=1000,
    ),
}


def get_profile(name: str | None = None, corpus: str | None = None) -> Profile:
    """The profile named (or in $MUSICRNN_PROFILE, default full), on the corpus in $MUSICRNN_CORPUS."""
    if name is None:
        name = os.environ.get(PROFILE_ENV) or "full"
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; expected one of {sorted(PROFILES)}")
    corpus = corpus or os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS
    return replace(PROFILES[name], corpus=corpus)


def project_root() -> Path:
    """The project folder, where notebooks/ and models/ are and every output goes; never assumed to be the cwd.

    In order: $MUSICRNN_ROOT (tests and hosted notebooks point it anywhere); the checkout that holds this
    package, as with `pip install -e .`; else, for a package installed into site-packages, the nearest folder
    at or above the current one that holds notebooks/ and models/ (a clone opened from any of its folders).
    Outside any project a FileNotFoundError says what to set, rather than writing into an arbitrary folder.
    """
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV])
    checkout = Path(__file__).resolve().parent.parent
    here = Path.cwd().resolve()
    for folder in (checkout, here, *here.parents):
        if (folder / "notebooks").is_dir() and (folder / "models").is_dir():
            return folder
    raise FileNotFoundError(
        f"no project folder (one holding notebooks/ and models/) beside the package in {checkout} nor at or above "
        f"{here}: set ${ROOT_ENV} to your clone of the project, or work from inside it"
    )


@dataclass(frozen=True)
class ProjectPaths:
    """Where one profile reads and writes: data/<tag>, runs/<tag>, figures/<tag>, results/<tag>."""

    root: Path
    tag: str

    @property
    def data(self) -> Path:
        return self.root / "data" / self.tag

    @property
    def runs(self) -> Path:
        return self.root / "runs" / self.tag

    @property
    def figures(self) -> Path:
        return self.root / "figures" / self.tag

    @property
    def results(self) -> Path:
        """Tables (CSV and LaTeX) and numbers the report reads."""
        return self.root / "results" / self.tag


def project_paths(profile: Profile, root: Path | None = None) -> ProjectPaths:
    """Output folders of a profile; quick and full never share one."""
    return ProjectPaths(Path(root) if root else project_root(), profile.tag)
