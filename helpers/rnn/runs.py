"""Finding trained models: the runs of a profile, and the small models shipped with the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.config import CONFIG, DATA, METRICS, MODEL, VOCAB, project_root

SHIPPED_FILES = (CONFIG, DATA, METRICS, MODEL, VOCAB)


def shipped_model_dir(root: Path | None = None, name: str = "baseline") -> Path:
    """models/<name>: small ready-trained models, committed so composing works right after set-up."""
    return (Path(root) if root else project_root()) / "models" / name


def finished_runs(runs_dir: Path) -> dict[str, Path]:
    """Every run folder under runs_dir that holds a trained model, by name; the baseline first."""
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return {}
    paths = sorted(runs_dir.iterdir(), key=lambda path: (path.name != "baseline", path.name))
    return {path.name: path for path in paths if (path / MODEL).is_file()}


def available_models(runs_dir: Path, root: Path | None = None) -> dict[str, Path]:
    """The profile's finished runs, then the shipped models (baseline first); the first is the default choice."""
    models = finished_runs(runs_dir)
    for name, path in finished_runs(shipped_model_dir(root).parent).items():
        models[f"shipped {name}"] = path
    if not models:
        raise FileNotFoundError(f"no trained model in {runs_dir} and none shipped in models/; run 02_train first")
    return models


def ship_model(run_dir: Path, root: Path | None = None, name: str = "baseline") -> Path:
    """Copy a finished run's model, vocabulary, config and metrics over the shipped model of that name."""
    run_dir = Path(run_dir)
    missing = [name for name in SHIPPED_FILES if not (run_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{run_dir} is not a finished run: {missing} missing")
    target = shipped_model_dir(root, name)
    target.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copy2(run_dir / name, target / name)
    return target
