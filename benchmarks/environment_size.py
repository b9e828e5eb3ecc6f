"""Size on disk of the environment that `make setup` builds for the main job, and of the one `make test` adds to.

Builds each in a fresh virtual environment in a temporary folder as make does (`python -m venv`, pip upgraded, `pip
install --no-compile -r requirements.txt`, then `python -m helpers.cli slim`; then `-r requirements-test.txt`), and
measures every file under it. Prints the total and the largest distributions, and writes them to
results/benchmarks/environment_size.csv (with the date and the machine), which docs/results.md shows: no size is
typed into the docs by hand. The main job's target is 1.5 GB.
pip's cache makes a second run fast; the first downloads the wheels.
Usage: python benchmarks/environment_size.py [--largest 8] [--out CSV]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
from importlib.metadata import distributions
from pathlib import Path

from helpers.config import project_root
from helpers.files import write_csv

TARGET_MB = 1500  # the main job's environment (issue 28)
STEPS = {"main job (requirements.txt)": "requirements.txt", "with the test tools": "requirements-test.txt"}
MAIN = next(iter(STEPS))


def folder_bytes(folder: Path) -> int:
    """Every file's size under folder, links not followed (a venv's python is a link)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def site_packages(venv: Path) -> Path:
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip())


def distribution_bytes(site: Path) -> dict[str, int]:
    """Each installed distribution's files, by name, from its RECORD."""
    sizes = {}
    for found in distributions(path=[str(site)]):
        files = [site / file for file in found.files or []]
        sizes[found.metadata["Name"]] = sum(path.stat().st_size for path in files if path.is_file())
    return sizes


def measure(environment: str, venv: Path, largest: int, measured: dict) -> list[dict]:
    """The rows for one environment: its total, then its largest distributions."""
    total = folder_bytes(venv)
    sizes = sorted(distribution_bytes(site_packages(venv)).items(), key=lambda item: -item[1])
    rows = [{"environment": environment, "part": "all of it", "mb": round(total / 1e6)} | measured]
    rows += [{"environment": environment, "part": name, "mb": round(size / 1e6)} | measured for name, size in sizes]
    target = f" (target {TARGET_MB:,} MB)" if environment == MAIN else ""
    print(f"{environment}: {total / 1e6:,.0f} MB{target}")
    for row in rows[1 : largest + 1]:
        print(f"  {row['part']:28s} {row['mb']:6,d} MB")
    return rows[: largest + 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--largest", type=int, default=8, help="distributions listed per environment")
    parser.add_argument("--out", type=Path, default=project_root() / "results" / "benchmarks" / "environment_size.csv")
    args = parser.parse_args()
    measured = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="musicrnn-venv-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        environment = os.environ | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        upgrade = [str(venv / "bin" / "pip"), "install", "--quiet", "--upgrade", "pip"]
        subprocess.run(upgrade, check=True, env=environment)
        for name, requirements in STEPS.items():
            main = requirements == "requirements.txt"
            pip = [str(venv / "bin" / "pip"), "install", "--quiet", *(["--no-compile"] if main else [])]
            subprocess.run([*pip, "-r", str(project_root() / requirements)], check=True, env=environment)
            if main:  # as make setup does: no byte-code but that of what the main job imports (slim writes it)
                slim = [str(venv / "bin" / "python"), "-m", "helpers.cli", "slim"]
                subprocess.run(slim, check=True, env=environment, cwd=project_root())
            rows += measure(name, venv, args.largest, measured)
    write_csv(rows, args.out)
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
