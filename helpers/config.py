"""Profiles (quick / full), one run's settings (RunConfig), run-folder file names and every output path."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

PROFILE_ENV = "MUSICRNN_PROFILE"
CORPUS_ENV = "MUSICRNN_CORPUS"
ROOT_ENV = "MUSICRNN_ROOT"
DEFAULT_CORPUS = "oneills1850"
DEFAULT_SEED = 1

# The files of one run folder (runs/<tag>/<name>/); training writes them, everything else reads them.
CONFIG, VOCAB, DATA, HISTORY = "config.json", "vocab.json", "data.json", "history.csv"
BEST_WEIGHTS, MODEL, METRICS, BACKUP = "best.weights.h5", "model.keras", "metrics.json", "backup"

CELL_TYPES = ("SimpleRNN", "LSTM", "GRU")
ENCODINGS = ("onehot", "embedding")
OPTIMIZER_NAMES = {"rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam", "sgd": "SGD"}  # Keras name: shown
OPTIMIZERS = tuple(OPTIMIZER_NAMES)


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

    def __post_init__(self) -> None:
        def check(ok: bool, message: str) -> None:
            if not ok:
                raise ValueError(message)

        check(self.cell in CELL_TYPES, f"unknown cell type {self.cell!r}; expected one of {CELL_TYPES}")
        check(self.encoding in ENCODINGS, f"unknown input encoding {self.encoding!r}; expected one of {ENCODINGS}")
        check(self.optimizer in OPTIMIZERS, f"unknown optimizer {self.optimizer!r}; expected one of {OPTIMIZERS}")
        for name in ("hidden_size", "layers", "embedding_dim", "epochs", "batch_size", "chunk_length"):
            value = getattr(self, name)
            check(isinstance(value, int) and value > 0, f"{name} must be a positive integer, got {value!r}")
        check(0.0 <= self.dropout < 1.0, f"dropout must be in [0, 1), got {self.dropout!r}")
        check(self.learning_rate > 0, f"learning_rate must be positive, got {self.learning_rate!r}")
        patience = self.early_stopping_patience
        check(patience is None or (isinstance(patience, int) and patience > 0), f"bad patience {patience!r}")

    @property
    def slug(self) -> str:
        """A name that says what the model is, e.g. SimpleRNN-h100-l1-d0.0-onehot-rmsprop-s1."""
        encoding = "onehot" if self.encoding == "onehot" else f"emb{self.embedding_dim}"
        return (
            f"{self.cell}-h{self.hidden_size}-l{self.layers}-d{self.dropout}-{encoding}-{self.optimizer}-s{self.seed}"
        )

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RunConfig:
        values = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in values.items() if key in known})


@dataclass(frozen=True)
class Profile:
    """How much data and training one pass through the notebooks uses."""

    name: str
    corpus: str = DEFAULT_CORPUS
    seed: int = DEFAULT_SEED
    max_tunes: int | None = None
    epochs: int = 20  # the full profile's budget: the whole study in under an hour on two CPU cores
    batch_size: int = 64
    chunk_length: int = 100

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
    "quick": Profile("quick", max_tunes=150, epochs=1, batch_size=32),
}


def get_profile(name: str | None = None, corpus: str | None = None) -> Profile:
    """The profile named (or in $MUSICRNN_PROFILE, default full), on the corpus in $MUSICRNN_CORPUS."""
    name = name or os.environ.get(PROFILE_ENV) or "full"
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; expected one of {sorted(PROFILES)}")
    corpus = corpus or os.environ.get(CORPUS_ENV) or DEFAULT_CORPUS
    return replace(PROFILES[name], corpus=corpus)


def project_root() -> Path:
    """The project folder (or $MUSICRNN_ROOT, so tests can write elsewhere)."""
    return Path(os.environ.get(ROOT_ENV) or Path(__file__).resolve().parent.parent)


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
