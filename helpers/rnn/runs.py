"""Finding trained models: the runs of a profile, and the small models shipped with the package.

A run is finished when its completion marker, metrics.json, is whole JSON and its model.keras a whole archive:
training writes the metrics last, after the whole model, so a folder caught mid-training or mid-save, or one
whose files were cut short later, is never listed, reused or shipped.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from helpers.config import CONFIG, DATA, METRICS, MODEL, VOCAB, RunConfig, project_root
from helpers.files import DamagedFileError, read_json_object, replacing

__all__ = [
    "COMPOSER",
    "available_models",
    "character_models",
    "composing_first",
    "is_finished",
    "ship_model",
    "shipped_model_dir",
]

SHIPPED_FILES = (CONFIG, DATA, MODEL, VOCAB, METRICS)  # the completion marker last
COMPOSER = "folk-lstm"  # models/<name>: the shipped model that composes by default (make train-shipped)


def shipped_model_dir(root: Path | None = None, name: str = "baseline") -> Path:
    """models/<name>: small ready-trained models, committed so composing works right after set-up."""
    return (Path(root) if root else project_root()) / "models" / name


KERAS_ARCHIVE_MEMBERS = ("config.json", "model.weights.h5")  # what every .keras file holds


def model_archive_problem(path: Path) -> str | None:
    """Why a .keras file cannot load (not a whole archive, a damaged or missing member), or None when it is whole."""
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()  # reads every member and checks its CRC
            missing = [name for name in KERAS_ARCHIVE_MEMBERS if name not in archive.namelist()]
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        return f"it is not a whole .keras archive ({error})"
    if damaged:
        return f"its member {damaged} is damaged"
    return f"it lacks {missing}" if missing else None


def unfinished_reason(run_dir: Path) -> str | None:
    """Why run_dir holds no finished run (a file missing or damaged), or None when it does."""
    run_dir = Path(run_dir)
    for name in (METRICS, MODEL):
        if not (run_dir / name).is_file():
            return f"{run_dir / name} is missing"
    try:
        read_json_object(run_dir / METRICS, "train the run again")
    except DamagedFileError as error:
        return str(error)
    problem = model_archive_problem(run_dir / MODEL)
    return f"{run_dir / MODEL} cannot be read as a Keras model: {problem}; train the run again" if problem else None


def is_finished(run_dir: Path) -> bool:
    """Whether run_dir holds a finished run: a whole model and, written after it, metrics that parse."""
    return unfinished_reason(run_dir) is None


def finished_runs(runs_dir: Path) -> dict[str, Path]:
    """Every run folder under runs_dir that holds a finished run, by name; the baseline first."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return {}
    paths = sorted(runs_dir.iterdir(), key=lambda path: (path.name != "baseline", path.name))
    return {path.name: path for path in paths if not path.name.startswith(".") and is_finished(path)}


def available_models(runs_dir: Path, root: Path | None = None) -> dict[str, Path]:
    """The profile's finished runs, then the shipped models (baseline first); the first is the default choice."""
    models = finished_runs(runs_dir)
    for name, path in finished_runs(shipped_model_dir(root).parent).items():
        models[f"shipped {name}"] = path
    if not models:
        raise FileNotFoundError(f"no trained model in {runs_dir} and none shipped in models/; run 03_train first")
    return models


def ship_model(run_dir: Path, root: Path | None = None, name: str = "baseline") -> Path:
    """Copy a finished run's model, vocabulary, config and metrics over the shipped model of that name."""
    run_dir = Path(run_dir)
    missing = [file for file in SHIPPED_FILES if not (run_dir / file).is_file()]
    if missing:
        raise FileNotFoundError(f"{run_dir} is not a finished run: {missing} missing")
    if (reason := unfinished_reason(run_dir)) is not None:
        raise DamagedFileError(f"{run_dir} is not a finished run: {reason}")
    target = shipped_model_dir(root, name)
    target.mkdir(parents=True, exist_ok=True)
    (target / METRICS).unlink(missing_ok=True)  # unfinished until every file is in place
    for file in SHIPPED_FILES:
        with replacing(target / file) as partial:
            shutil.copy2(run_dir / file, partial)
    return target


def composing_first(models: dict[str, Path]) -> dict[str, Path]:
    """The same models with the shipped composer (models/folk-lstm) first, as the default choice, when it is there."""
    first = f"shipped {COMPOSER}"
    return {name: models[name] for name in sorted(models, key=lambda name: name != first)}


def character_models(models: dict[str, Path]) -> dict[str, Path]:
    """The models that read characters (not tokens): what a view of one value per character can show."""
    return {name: path for name, path in models.items() if RunConfig.load(Path(path) / CONFIG).symbols == "chars"}
