"""The by-tune train / validation / test split, written to data/ as the plain text the model sees."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.corpus.clean import clean_tunes
from helpers.corpus.load import END, START, Tune, load_corpus, split_records
from helpers.exercise import exercise

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Split:
    """Tunes of each set; no tune is in two sets."""

    train: list[Tune]
    validation: list[Tune]
    test: list[Tune]


@dataclass(frozen=True)
class PreparedData:
    """The three sets as <start>/<end> record text, and the manifest that describes them."""

    train: str
    validation: str
    test: str
    manifest: dict

    @property
    def fingerprint(self) -> str:
        """Short hash of the text, so a run knows which data it was trained on."""
        digest = hashlib.sha256("\0".join((self.train, self.validation, self.test)).encode())
        return digest.hexdigest()[:16]


@exercise("01_data.ipynb")
def split_by_tune(
    tunes: list[Tune], seed: int, fractions: tuple[float, float] = (0.1, 0.1), max_tunes: int | None = None
) -> Split:
    """Shuffle whole tunes with the seed and cut them into train, validation and test sets."""
    if len(fractions) != 2 or not all(isinstance(f, int | float) and not isinstance(f, bool) for f in fractions):
        raise ValueError(f"fractions must be two numbers (validation, test), got {fractions!r}")
    validation_fraction, test_fraction = fractions
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1):
        raise ValueError(f"validation and test fractions {fractions} must be in (0, 1) and sum below 1")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if max_tunes is not None and (isinstance(max_tunes, bool) or not isinstance(max_tunes, int) or max_tunes < 3):
        raise ValueError(f"max_tunes must be an integer of at least 3 (one tune per set) or None, got {max_tunes!r}")
    order = np.random.default_rng(seed).permutation(len(tunes))[:max_tunes]
    chosen = [tunes[i] for i in order]
    n_validation = max(1, round(len(chosen) * validation_fraction))
    n_test = max(1, round(len(chosen) * test_fraction))
    if len(chosen) - n_validation - n_test < 1:
        raise ValueError(f"{len(chosen)} tunes are too few to split into train, validation and test sets")
    return Split(
        train=chosen[n_validation + n_test :],
        validation=chosen[:n_validation],
        test=chosen[n_validation : n_validation + n_test],
    )


def to_records(tunes: list[Tune]) -> str:
    """The tunes as one text, each between a <start> and an <end> line."""
    return "".join(f"{START}\n{tune.text}\n{END}\n" for tune in tunes)


def write_prepared(split: Split, folder: Path, description: dict) -> Path:
    """Write train.txt, validation.txt, test.txt and a manifest of sources, counts and seed."""
    if not isinstance(split, Split):
        raise TypeError(f"write_prepared needs a Split, got {split!r}: does split_by_tune return one?")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = dict(description)
    for name in SPLITS:
        tunes = getattr(split, name)
        text = to_records(tunes)
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        manifest[name] = {
            "tunes": len(tunes),
            "characters": len(text),
            "sources": dict(Counter(t.source for t in tunes)),
            "tune_sources": [t.source for t in tunes],  # the records keep only the tunes' text
        }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return folder


def read_prepared(folder: Path) -> PreparedData:
    """The sets that write_prepared wrote (run notebook 01 first)."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise FileNotFoundError(f"no prepared data in {folder}: run notebooks/01_data.ipynb for this profile first")
    texts = {name: (folder / f"{name}.txt").read_text(encoding="utf-8") for name in SPLITS}
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return PreparedData(**texts, manifest=manifest)


def read_tunes(folder: Path, name: str) -> list[Tune]:
    """The tunes of one prepared set, e.g. the validation tunes."""
    if name not in SPLITS:
        raise ValueError(f"unknown set {name!r}; expected one of {SPLITS}")
    return split_records(getattr(read_prepared(folder), name), name)


def prepare_corpus(corpus: str, seed: int, folder: Path, max_tunes: int | None = None, **description) -> PreparedData:
    """Load, clean, split by tune and write a corpus, as notebook 01 does step by step; reused once written."""
    folder = Path(folder)
    if (folder / MANIFEST).is_file():
        data = read_prepared(folder)
        if (data.manifest.get("corpus"), data.manifest.get("seed")) == (corpus, seed):
            return data
        raise ValueError(f"{folder} holds another corpus or seed ({data.manifest.get('corpus')!r}); remove it first")
    kept, report = clean_tunes(load_corpus(corpus))
    split = split_by_tune(kept, seed=seed, max_tunes=max_tunes)
    summary = {"corpus": corpus, "seed": seed, "max_tunes": max_tunes, "cleaning": report.to_dict()}
    write_prepared(split, folder, description | summary)
    return read_prepared(folder)
