"""One training run's settings as a plain dataclass, saved as JSON beside its results."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

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
