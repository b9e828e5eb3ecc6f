"""The quick profile's notebooks, each executed once per test session in one scratch project, shared by tests.

`tests/test_notebooks.py` asserts that each one ran and wrote its files (WRITES); the report tests build from
what they wrote; the browser tests start from a copy of the project as it was after 03_train; the portable tests
start an unprivileged user's project from a copy of the project after the last notebook.

Each notebook runs from a copy outside the project (nbconvert starts its kernel in the notebook's own folder), so
every run also checks that a notebook writes under the project, never into the folder it runs from.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from browser_support import PROJECT, make_scratch_project, notebook_failure
from filelock import FileLock

NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
NOT_COPIED = ("executed", "report")  # executed copies and the report's build: written by the tests, read by none

# What each notebook writes in the quick profile (globs under the project root; the README's table says the same).
# A notebook passes only if each glob matches a file that this notebook created or changed.
WRITES = {
    "01_data.ipynb": [
        "data/quick/train.txt",
        "data/quick/validation.txt",
        "data/quick/test.txt",
        "results/quick/data_numbers.tex",
        *(
            f"figures/quick/{name}.{ext}"
            for name in ("tunes_per_collection", "tune_lengths", "characters", "meters", "keys")
            for ext in ("png", "pdf")
        ),
    ],
    "02_scratch.ipynb": [
        *(f"figures/quick/{name}.{ext}" for name in ("scratch_loss", "gradient_norms") for ext in ("png", "pdf")),
    ],
    "03_train.ipynb": [
        "runs/quick/baseline/metrics.json",
        "runs/quick/baseline/model.keras",
        "figures/quick/baseline_loss.png",
        "figures/quick/baseline_loss.pdf",
        "results/quick/baseline_numbers.tex",
    ],
    "04_generate.ipynb": [
        "results/quick/pieces/T0p5-1.abc",
        "results/quick/pieces/T2-2.abc",
        "results/quick/pieces/pieces.json",
        "results/quick/pieces.tex",
    ],
    "05_experiments.ipynb": [
        "runs/quick/*/metrics.json",
        "results/quick/runs.csv",
        "results/quick/summary.csv",
        "results/quick/summary_table.tex",
        "results/quick/original_table.tex",
        "results/quick/budget.tex",
        "results/quick/claims.tex",
        "results/quick/temperature_table.tex",
        "results/quick/representation.tex",
        "figures/quick/study_*.pdf",
    ],
    "06_neurons.ipynb": [
        "figures/quick/neuron_12_generated.png",
        "figures/quick/neuron_12_generated.pdf",
        "figures/quick/neuron_best_*.pdf",
        "results/quick/neuron_scores.csv",
        "results/quick/neurons_section.tex",
    ],
    "07_quality.ipynb": [
        "figures/quick/quality_validity.pdf",
        "figures/quick/quality_copying.pdf",
        "figures/quick/quality_distributions_*.pdf",
        "results/quick/quality_table.csv",
        "results/quick/quality_section.tex",
    ],
}


def file_times(root: Path) -> dict[Path, int]:
    """Every file under root with its modification time, to tell what a step wrote."""
    return {path: path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


def not_written(root: Path, patterns: list[str], before: dict[Path, int]) -> list[str]:
    """The patterns that match no file created or changed since before."""
    return [
        pattern
        for pattern in patterns
        if not any(before.get(path) != path.stat().st_mtime_ns for path in root.glob(pattern) if path.is_file())
    ]


@dataclass(frozen=True)
class NotebookRun:
    """What one execution of a notebook left: its failure (None if it ran), the WRITES it missed, what else it did."""

    name: str
    failure: str | None
    missing: list[str]  # globs of WRITES[name] that no file created or changed by this run matches
    left_in_its_folder: list[str]  # files other than itself in the folder it ran from
    seconds: float


class QuickProject:
    """A scratch project (the notebooks, the shipped models) where the notebooks run in order, each at most once.

    Test processes (pytest-xdist's workers) may share one scratch folder: a file lock lets one process at a time
    set it up or run a notebook, and each run's record (runs/<name>.json, written after its snapshot) tells the others
    it has run.
    """

    def __init__(self, scratch: Path):
        self.root = scratch / "project"
        self.elsewhere = scratch / "elsewhere"  # where each notebook's copy runs: a folder outside the project
        self.snapshots = scratch / "snapshots"
        self.records = scratch / "runs"
        self.lock = FileLock(scratch / "lock")
        self.runs: dict[str, NotebookRun] = {}
        with self.lock:
            if not self.records.is_dir():
                self.root.mkdir(parents=True)
                make_scratch_project(self.root)
                self.records.mkdir()

    def run(self, name: str) -> NotebookRun:
        """The run of notebook name, executing first every notebook before it that has not run yet."""
        for notebook in NOTEBOOKS:
            if notebook.name not in self.runs:
                self.runs[notebook.name] = self._recorded(notebook.name)
            if notebook.name == name:
                return self.runs[name]
        raise ValueError(f"no notebook {name!r} among {[path.name for path in NOTEBOOKS]}")

    def _recorded(self, name: str) -> NotebookRun:
        """The notebook's run as recorded by whichever process ran it; run here if none has."""
        record = self.records / f"{name}.json"
        with self.lock:
            if not record.is_file():
                record.write_text(json.dumps(asdict(self._execute(name))))
        return NotebookRun(**json.loads(record.read_text()))

    def run_all(self) -> list[NotebookRun]:
        """Every notebook's run, in order."""
        return [self.run(notebook.name) for notebook in NOTEBOOKS]

    def copy_after(self, name: str, destination: Path, part: str = "") -> Path:
        """A copy at destination of what the project (or its folder part) held right after notebook name ran."""
        self.run(name)
        shutil.copytree(self.snapshots / name / part, destination)
        return destination

    def _not_copied(self, folder: str, names: list[str]) -> list[str]:
        return [name for name in names if name in NOT_COPIED] if Path(folder) == self.root else []

    def _execute(self, name: str) -> NotebookRun:
        folder = self.elsewhere / Path(name).stem
        folder.mkdir(parents=True)
        notebook = Path(shutil.copy2(self.root / "notebooks" / name, folder))
        before = file_times(self.root)
        started = time.monotonic()
        failure = notebook_failure(notebook, self.root, cwd=folder)
        seconds = time.monotonic() - started
        missing = not_written(self.root, WRITES[name], before)
        left = sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path != notebook)
        shutil.copytree(self.root, self.snapshots / name, ignore=self._not_copied)
        return NotebookRun(name, failure, missing, left, seconds)
