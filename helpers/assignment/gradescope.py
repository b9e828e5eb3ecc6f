"""The autograder zips, made to grade on Gradescope as they are.

otter assign writes a zip in Gradescope's layout (setup.sh, run_autograder, run_otter.py, environment.yml, tests/),
but its environment names only otter, and the notebooks import the package, TensorFlow and music21. Each zip is
rewritten here so that it needs nothing else:

- environment.yml: this Python's version, and every pin of requirements.txt beside otter's own, so Gradescope's
  image gets what `make setup` installs, at the same versions;
- files/: what otter copies beside the submission before it runs it: the solution edition's package, the shipped
  models, the prepared data of the grading profile (as the solution's 01_data writes it) and an empty notebooks/
  folder, which makes that folder the project (helpers.config.project_root);
- run_otter.py: grades in the quick profile (MUSICRNN_PROFILE), as `make grade` does.

`make grade` runs the same zips (otter run), so a score on Gradescope is the score offline; the test in
tests/assignment/test_gradescope.py installs a zip's environment in a fresh virtual environment, offline, runs it
the way Gradescope does and compares.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from helpers.config import get_profile, project_paths

__all__ = ["GRADING_PROFILE", "gradescope_zip", "grading_files", "pip_requirements"]

GRADING_PROFILE = "quick"
OTTER_REQUIREMENT = "otter-grader[grading]"  # the extras requirements-test.txt pins; no plugins are used
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"  # the version the pins are made and tested for
PROFILE_LINE = f'os.environ.setdefault("MUSICRNN_PROFILE", "{GRADING_PROFILE}")  # graded as `make grade` does'
NOTEBOOKS_NOTE = "The project's folder: the package finds its root here. The submission is graded beside it.\n"
SKIPPED = ("__pycache__", ".ipynb_checkpoints", "*.egg-info")


def pip_requirements(requirements: Path) -> list[str]:
    """The requirement lines of a pinned requirements file (markers kept, comments and blank lines dropped)."""
    lines = [line.split(" #")[0].strip() for line in Path(requirements).read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "-"))]


def grading_files(solution: Path, prepared: Path, folder: Path) -> Path:
    """What every zip's files/ holds, written once into folder from the solution edition and the grading profile's
    prepared data (the student edition's reference data, prepared by the same build)."""
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(Path(solution) / "helpers", folder / "helpers", ignore=shutil.ignore_patterns(*SKIPPED))
    shutil.copytree(Path(solution) / "models", folder / "models", ignore=shutil.ignore_patterns(*SKIPPED))
    (folder / "notebooks").mkdir()
    (folder / "notebooks" / "README.md").write_text(NOTEBOOKS_NOTE, encoding="utf-8")
    shutil.copytree(prepared, project_paths(get_profile(GRADING_PROFILE), folder).data)
    return folder


def gradescope_zip(otter_zip: Path, files: Path, requirements: list[str], out: Path) -> Path:
    """otter's zip at otter_zip rewritten to out with files/ (grading_files), the pinned requirements in its
    environment.yml and the grading profile in run_otter.py."""
    from otter import __version__ as otter_version

    with zipfile.ZipFile(otter_zip) as source:
        infos = {info.filename: info for info in source.infolist()}  # kept: the scripts' executable bits
        entries = {name: source.read(info) for name, info in infos.items()}
    environment = yaml.safe_load(entries["environment.yml"])
    dependencies = [item for item in environment["dependencies"] if not isinstance(item, dict)]
    dependencies = [f"python={PYTHON}" if str(item).startswith("python=") else item for item in dependencies]
    pip = [f"{OTTER_REQUIREMENT}=={otter_version}", *requirements]
    environment["dependencies"] = [*dependencies, {"pip": pip}]
    entries["environment.yml"] = yaml.safe_dump(environment, sort_keys=False).encode()
    script = entries["run_otter.py"].decode()
    entries["run_otter.py"] = f"import os\n\n{PROFILE_LINE}\n\n{script}".encode()
    with tempfile.NamedTemporaryFile(dir=Path(out).parent, suffix=".zip", delete=False) as handle:
        partial = Path(handle.name)
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in entries.items():
                target.writestr(infos[name], data)
            for path in sorted(Path(files).rglob("*")):
                if path.is_file():  # a saved model is a zip already: stored as it is
                    kind = zipfile.ZIP_STORED if path.suffix == ".keras" else zipfile.ZIP_DEFLATED
                    target.write(path, f"files/{path.relative_to(files).as_posix()}", compress_type=kind)
        partial.chmod(0o644)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return Path(out)
