"""The two commands without make: `python -m helpers.cli run [--profile quick|full]` and `python -m helpers.cli test`.

The Makefile's run, test and lint targets call these, so the notebook command and the lint steps are written
once; on Windows, or on a Mac without make, the same two commands work from any folder. `make setup` also calls
`python -m helpers.cli slim`, which makes the new environment smaller.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from helpers.config import PROFILE_ENV, PROFILES, project_root

__all__: list[str] = []  # a command (python -m), not imported

CHECKOUT = Path(__file__).resolve().parent.parent  # the folder that holds helpers/: tests/ and pyproject.toml too


class CommandError(RuntimeError):
    """A step of run, test or lint could not start or failed; the message says which and what to do."""


def notebooks_in_order(root: Path) -> list[Path]:
    """The notebooks of a project (root/notebooks/*.ipynb) in the order they run: by name, 01_data first."""
    notebooks = sorted((Path(root) / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise CommandError(f"no notebooks in {Path(root) / 'notebooks'}: set $MUSICRNN_ROOT to the project folder")
    return notebooks


def chosen_notebooks(notebooks: Sequence[Path], wanted: Sequence[str]) -> list[Path]:
    """The notebooks named in wanted, each by its name (07_quality, with or without .ipynb) or its number (07), in the
    order they run; every one when wanted is empty. CommandError names a notebook that is not there."""
    if not wanted:
        return list(notebooks)
    chosen = set()
    for name in wanted:
        found = [path for path in notebooks if name in (path.name, path.stem, path.stem.split("_")[0])]
        if not found:
            raise CommandError(f"no notebook {name!r}; the notebooks are {', '.join(path.stem for path in notebooks)}")
        chosen.update(found)
    return [path for path in notebooks if path in chosen]


def notebook_command(notebook: Path, output_dir: Path) -> list[str]:
    """nbconvert executing one notebook top to bottom, with no time limit, its executed copy put in output_dir."""
    command = [sys.executable, "-m", "nbconvert", "--execute", "--to", "notebook", "--ExecutePreprocessor.timeout=-1"]
    return [*command, "--output-dir", str(output_dir), str(notebook)]


def console_script(name: str) -> str:
    """A console script installed beside this Python (bin/ or Scripts\\), so the project's environment is used."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise CommandError(
            f"{name} is not installed beside {sys.executable}: pip install -r requirements-test.txt "
            "(or pip install -e '.[test]')"
        )
    return found


def lint_commands() -> list[list[str]]:
    """ruff's lint and format check of the whole project, then import-linter's contracts (pyproject.toml)."""
    ruff = [sys.executable, "-m", "ruff"]
    return [[*ruff, "check", "."], [*ruff, "format", "--check", "."], [console_script("lint-imports")]]


# pytest's workers (pytest-xdist): the CI machine's two cores. tests/conftest.py keeps each test file in one worker
# and hands out the longest files first (so --no-loadscope-reorder: xdist would put the files of most tests first);
# the workers share the session's notebook runs and editions, so nothing runs twice.
TEST_WORKERS = 2


def test_commands() -> list[list[str]]:
    """What `make test` runs after its set-up: the lint steps, then pytest on every test in the quick profile."""
    workers = ["-n", str(TEST_WORKERS), "--dist", "loadgroup", "--no-loadscope-reorder"]
    return [*lint_commands(), [sys.executable, "-m", "pytest", "-ra", *workers]]


def run_steps(commands: Sequence[Sequence[str]], cwd: Path, environment: dict[str, str], echo: bool = True) -> None:
    """Run each command in turn (echoed first, as make does); stop at the first that fails, naming it."""
    for command in commands:
        if echo:
            print(" ".join(command), flush=True)
        code = subprocess.run(list(command), cwd=cwd, env=environment).returncode
        if code != 0:
            raise CommandError(f"exit code {code} from {' '.join(command)}")


def run_notebooks(profile: str, wanted: Sequence[str] = ()) -> None:
    """Execute the project's notebooks in order in the profile (those wanted, by name or number; default every one);
    executed copies go to runs/notebooks/."""
    root = project_root()
    output_dir = root / "runs" / "notebooks" / profile
    environment = os.environ | {PROFILE_ENV: profile}
    for notebook in chosen_notebooks(notebooks_in_order(root), wanted):
        print(f"== notebooks/{notebook.name} ({profile} profile)", flush=True)
        run_steps([notebook_command(notebook, output_dir)], root, environment, echo=False)


# libclang: TensorFlow's wheel declares it, but only TensorFlow's own build generates code with it; nothing in the
# environment imports clang, so its library (64 MB) goes and its small Python package stays, for pip check.
CLANG_LIBRARIES = ("libclang.so", "libclang.dylib", "libclang.dll")

# What the main job runs besides the package's own modules (main_job_modules): the notebooks' kernel, its widgets,
# plots and corpus, and JupyterLab. make setup installs without byte-code (pip --no-compile), then imports these once
# with byte-code written, so the environment holds the byte-code of what runs, not that of every module installed
# (test suites, tools and back ends that nothing loads).
LIBRARY_MODULES = (
    "ipykernel.kernelapp",
    "debugpy",  # the kernel starts it
    "ipywidgets",
    "matplotlib.pyplot",
    "matplotlib_inline.backend_inline",
    "matplotlib.backends.backend_pdf",
    "fontTools.subset",  # the PDF figures' fonts
    "music21",  # the corpus and the ABC reader; the package imports its parts when it needs them
    "nbconvert.nbconvertapp",
    "jupyterlab.labapp",
)


def main_job_modules() -> list[str]:
    """The modules byte_compile imports: every module of helpers but the grading tools and this command, then
    LIBRARY_MODULES."""
    files = sorted(CHECKOUT.joinpath("helpers").rglob("*.py"))  # found on disk: walking packages would import them
    names = [".".join(file.relative_to(CHECKOUT).with_suffix("").parts).removesuffix(".__init__") for file in files]
    return [*(name for name in names if not name.startswith(("helpers.assignment", "helpers.cli"))), *LIBRARY_MODULES]


def byte_compile(modules: Sequence[str]) -> list[str]:
    """Import each module in a new interpreter that writes byte-code whatever PYTHONDONTWRITEBYTECODE says, so that
    what the main job imports starts from byte-code; a module that fails to import is named, and the rest go on."""
    script = (
        "import importlib, sys\n"
        "sys.dont_write_bytecode = False\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        print(f'{name}: {type(error).__name__}: {error}')\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *modules], capture_output=True, text=True, check=False)
    failed = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0:
        failed.append(f"the interpreter stopped (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    said = [f"wrote the byte-code of {len(modules)} modules that the main job imports, and of what they import"]
    return said + [f"could not import {line}" for line in failed]


def slim(site_packages: Path) -> list[str]:
    """Make an installed environment smaller without changing what runs in it, as `make setup` does: remove
    TensorFlow's C++ headers (include/, only for compiling custom operations) and libclang's library (CLANG_LIBRARIES)
    and, on Linux with binutils' strip, the symbol tables of TensorFlow's shared libraries (strip --strip-unneeded
    keeps the dynamic symbols that loading needs). What it did, in words; nothing when TensorFlow is not there."""
    tensorflow = Path(site_packages) / "tensorflow"
    if not tensorflow.is_dir():
        return [f"no TensorFlow in {site_packages}: nothing to slim"]
    done = []
    if (tensorflow / "include").is_dir():
        shutil.rmtree(tensorflow / "include")
        done.append("removed TensorFlow's C++ headers (tensorflow/include)")
    clang = [Path(site_packages) / "clang" / "native" / name for name in CLANG_LIBRARIES]
    removed = [library for library in clang if library.is_file()]
    if removed:
        saved = sum(library.stat().st_size for library in removed)
        for library in removed:
            library.unlink()
        done.append(f"removed libclang's library, which nothing here loads: {saved / 1e6:,.0f} MB")
    strip = shutil.which("strip")
    if platform.system() != "Linux" or strip is None:
        return [*done, "kept the symbol tables of TensorFlow's libraries (stripping needs Linux and binutils' strip)"]
    libraries = sorted(path for path in tensorflow.rglob("*.so*") if path.is_file() and not path.is_symlink())
    before = sum(path.stat().st_size for path in libraries)
    for library in libraries:  # one at a time: a file strip cannot read is left as it was
        subprocess.run([strip, "--strip-unneeded", str(library)], capture_output=True, check=False)
    saved = before - sum(path.stat().st_size for path in libraries)
    return [*done, f"stripped the symbol tables of {len(libraries)} TensorFlow libraries: {saved / 1e6:,.0f} MB"]


def source_checkout() -> Path:
    """The checkout this package was imported from; lint and tests need its tests/ and pyproject.toml."""
    if not ((CHECKOUT / "tests").is_dir() and (CHECKOUT / "pyproject.toml").is_file()):
        raise CommandError(
            f"test needs a checkout of the project (tests/ and pyproject.toml beside helpers/), not {CHECKOUT}: "
            "clone it and pip install -e . there"
        )
    return CHECKOUT


def parser() -> argparse.ArgumentParser:
    """The command line: run [--profile quick|full] [NOTEBOOK ...], test, lint, slim."""
    command_line = argparse.ArgumentParser(prog="python -m helpers.cli", description=__doc__.splitlines()[0])
    commands = command_line.add_subparsers(dest="command", required=True, metavar="{run,test,lint,slim}")
    run = commands.add_parser("run", help="execute every notebook in order, as `make run` does")
    run.add_argument("--profile", choices=sorted(PROFILES), default="full", help="quick: small and fast (default full)")
    run.add_argument("notebooks", nargs="*", help="only these, by name or number (07_quality or 07); default all")
    commands.add_parser("test", help="lint, then every test in the quick profile, as `make test` does")
    commands.add_parser("lint", help="ruff (lint and format check) and import-linter")
    commands.add_parser("slim", help="make this environment smaller without changing what runs, as `make setup` does")
    return command_line


def main(arguments: Sequence[str] | None = None) -> int:
    """Parse the command line and do it; a failed step ends with its message and exit code 1."""
    options = parser().parse_args(arguments)
    try:
        if options.command == "run":
            run_notebooks(options.profile, options.notebooks)
        elif options.command == "slim":
            print("\n".join([*slim(Path(sysconfig.get_path("purelib"))), *byte_compile(main_job_modules())]))
        elif options.command == "test":
            run_steps(test_commands(), source_checkout(), os.environ | {PROFILE_ENV: "quick"})
        else:
            run_steps(lint_commands(), source_checkout(), dict(os.environ))
    except (CommandError, FileNotFoundError) as error:  # FileNotFoundError: project_root found no project
        print(f"python -m helpers.cli {options.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
