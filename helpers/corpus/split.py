"""The by-tune train / validation / test split, written to data/ as the plain text the model sees."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.corpus.clean import KEPT_FIELDS, TIMING_FIELDS, clean_tunes
from helpers.corpus.load import END, START, CorpusError, Tune, corpus_source, is_delimiter, load_corpus, split_records
from helpers.exercise import exercise
from helpers.files import (
    DamagedFileError,
    file_sha256,
    read_json_object,
    remove_partial_files,
    write_json,
    write_text,
)

__all__ = [
    "PreparedData",
    "SPLITS",
    "Split",
    "check_split",
    "prepare_corpus",
    "prepared_inputs",
    "read_prepared",
    "read_tunes",
    "write_prepared",
]

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"  # written last: the completion marker of a prepared folder
FRACTIONS = (0.1, 0.1)  # validation and test shares of the tunes
# What the code does to the tunes, recorded with the data; raise the version when cleaning or the records change.
PREPARATION = {
    "version": 2,
    "cleaning": {"kept_fields": "".join(sorted(KEPT_FIELDS)), "unreadable_removed": "".join(sorted(TIMING_FIELDS))},
    "representation": {"records": [START, END], "fractions": list(FRACTIONS)},
}
PREPARE_AGAIN = "remove the folder and prepare it again (notebooks/01_data.ipynb)"


class PreparedDataConflictError(ValueError):
    """A prepared-data folder holds data made from other inputs than the ones asked for."""


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


@exercise("01_data.ipynb", fallback="no_split")
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


def no_split(tunes: list[Tune], seed: int, fractions=FRACTIONS, max_tunes: int | None = None) -> Split:
    """What the student edition's package does for split_by_tune: it holds no answer, so it splits nothing."""
    raise NotImplementedError(
        "the student edition's package does not split tunes: notebook 01_data does, with your split_by_tune "
        "(exercise 1), or uses the reference data of reference/data/"
    )


def check_split(split, tunes: list[Tune], max_tunes: int | None = None) -> None:
    """A ValueError saying what is wrong unless split holds three non-empty sets of the given tunes, each tune
    at most once and max_tunes of them (all when None): what the later notebooks need of a student's split."""
    if split is None:
        raise ValueError("it returned None")
    sets = {name: getattr(split, name, None) for name in SPLITS}
    for name, chosen in sets.items():
        if not isinstance(chosen, list) or not chosen or not all(isinstance(tune, Tune) for tune in chosen):
            raise ValueError(f"its {name} set is {type(chosen).__name__}, not a non-empty list of tunes")
    counts = Counter(tune.text for chosen in sets.values() for tune in chosen)
    known = {tune.text for tune in tunes}
    if any(count > 1 for count in counts.values()):
        raise ValueError("a tune is in two sets, or twice in one")
    if not set(counts) <= known:
        raise ValueError("a set holds a tune that is not one of the tunes given")
    wanted = len(tunes) if max_tunes is None else min(max_tunes, len(tunes))
    if len(counts) != wanted:
        raise ValueError(f"the three sets hold {len(counts)} tunes, expected {wanted}")


def to_records(tunes: list[Tune]) -> str:
    """The tunes as one text, each between a <start> and an <end> line; a delimiter inside a tune is refused."""
    for tune in tunes:
        for number, line in enumerate(tune.text.split("\n"), start=1):
            if is_delimiter(line):
                raise ValueError(
                    f"a tune of {tune.source} has a {line.strip()} line (its line {number}), which would cut its "
                    "record short; remove that line from the tune"
                )
    return "".join(f"{START}\n{tune.text}\n{END}\n" for tune in tunes)


def write_prepared(split: Split, folder: Path, description: dict) -> Path:
    """Write train.txt, validation.txt, test.txt and, last, a manifest of sources, counts, fingerprints and inputs.

    Each file is written whole (temporary name, fsync, rename); the manifest goes first and comes back last, so a
    folder whose writing was cut short has no manifest and is never read as prepared data.
    """
    if not isinstance(split, Split):
        raise TypeError(f"write_prepared needs a Split, got {split!r}: does split_by_tune return one?")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    remove_partial_files(folder)  # what a write cut short by a crash left behind
    manifest = dict(description)
    for name in SPLITS:
        tunes = getattr(split, name)
        text = to_records(tunes)
        write_text(text, folder / f"{name}.txt")
        manifest[name] = {
            "tunes": len(tunes),
            "characters": len(text),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            "sources": dict(Counter(t.source for t in tunes)),
            "tune_sources": [t.source for t in tunes],  # the records keep only the tunes' text
        }
    write_json(manifest, folder / MANIFEST)
    return folder


def read_set(folder: Path, name: str, manifest: dict) -> str:
    """One set's records, checked against the fingerprint and tune count the manifest holds for it."""
    path = folder / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing though {MANIFEST} lists it; {PREPARE_AGAIN}")
    expected = manifest.get(name)
    if not isinstance(expected, dict) or "sha256" not in expected or "tunes" not in expected:
        raise DamagedFileError(
            f"{folder / MANIFEST} records no fingerprint and tune count of {path.name} (an older version wrote it); "
            f"{PREPARE_AGAIN}"
        )
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != expected["sha256"]:
        try:
            found = f"holds {len(split_records(raw.decode('utf-8'), name))} whole tunes"
        except (UnicodeDecodeError, CorpusError) as error:
            found = f"is not whole records ({error})"
        raise DamagedFileError(
            f"{path} does not match {MANIFEST}: written with {expected['tunes']} tunes, it now {found}; it was cut "
            f"short or edited; {PREPARE_AGAIN}"
        )
    return raw.decode("utf-8")


def read_prepared(folder: Path) -> PreparedData:
    """The sets that write_prepared wrote (run notebook 01 first), each checked against the manifest."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise FileNotFoundError(f"no prepared data in {folder}: run notebooks/01_data.ipynb for this profile first")
    manifest = read_json_object(folder / MANIFEST, PREPARE_AGAIN)
    texts = {name: read_set(folder, name, manifest) for name in SPLITS}
    return PreparedData(**texts, manifest=manifest)


def read_tunes(folder: Path, name: str) -> list[Tune]:
    """The tunes of one prepared set, e.g. the validation tunes."""
    if name not in SPLITS:
        raise ValueError(f"unknown set {name!r}; expected one of {SPLITS}")
    return split_records(getattr(read_prepared(folder), name), name)


def source_fingerprint(files: list[Path]) -> str:
    """SHA-256 over the names and bytes of the source files: it changes when any file is edited, added or removed."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(f"{file.name}\0{file_sha256(file)}\n".encode())
    return digest.hexdigest()


def prepared_inputs(corpus: str | os.PathLike, seed: int, max_tunes: int | None = None) -> dict:
    """Every input that shapes prepared data: corpus, its path and source fingerprint, max_tunes, seed, the code's."""
    path, files = corpus_source(corpus)
    return {
        "corpus": str(corpus),
        "corpus_path": str(path),
        "source_fingerprint": source_fingerprint(files),
        "max_tunes": max_tunes,
        "seed": seed,
        **PREPARATION,
    }


def input_differences(before: dict, now: dict) -> list[str]:
    """'seed: 1 before, 2 now' for each input that differs ('the source files changed' for the fingerprint)."""
    return [
        "source_fingerprint: the source files changed since"
        if key == "source_fingerprint"
        else f"{key}: {before.get(key)!r} before, {now[key]!r} now"
        for key in now
        if before.get(key) != now[key]
    ]


def prepare_corpus(corpus: str, seed: int, folder: Path, max_tunes: int | None = None, **description) -> PreparedData:
    """Load, clean, split by tune and write a corpus, as notebook 01 does step by step; reused once written.

    A folder prepared from other inputs (another corpus, edited source files, another seed or max_tunes, other
    cleaning code) is refused, saying what differs.
    """
    folder = Path(folder)
    inputs = prepared_inputs(corpus, seed, max_tunes)
    if (folder / MANIFEST).is_file():
        data = read_prepared(folder)
        if "inputs" not in data.manifest:
            raise PreparedDataConflictError(
                f"{folder} holds data whose manifest does not record what it was prepared from (written by notebook "
                "01 or an older version); remove it to prepare it again, or choose another folder"
            )
        differences = input_differences(data.manifest["inputs"], inputs)
        if not differences:
            return data
        raise PreparedDataConflictError(
            f"{folder} holds data prepared from other inputs ({'; '.join(differences)}); remove it to prepare it "
            "again, or choose another folder"
        )
    kept, report = clean_tunes(load_corpus(corpus))
    split = split_by_tune(kept, seed=seed, fractions=FRACTIONS, max_tunes=max_tunes)
    summary = {"corpus": corpus, "seed": seed, "max_tunes": max_tunes, "cleaning": report.to_dict(), "inputs": inputs}
    write_prepared(split, folder, description | summary)
    return read_prepared(folder)
