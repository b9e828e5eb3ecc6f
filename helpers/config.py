"""Profiles (quick / full), the corpus choice, seeds and every output path."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .run_config import RunConfig

PROFILE_ENV = "MUSICRNN_PROFILE"
CORPUS_ENV = "MUSICRNN_CORPUS"
ROOT_ENV = "MUSICRNN_ROOT"
DEFAULT_CORPUS = "oneills1850"
DEFAULT_SEED = 1


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
