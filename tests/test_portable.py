"""The project runs where students are: from any folder, installed by pip alone, as a normal user, without system tools.

The slow tests share one fresh virtual environment with the package installed from pyproject.toml alone (not
requirements.txt, not editable), in a temporary folder that every user can read: CI's clone may live where other
users cannot (/root), and the notebooks run there as an unprivileged user when the tests run as root.
"""

import json
import math
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import make_scratch_project
from quick_project import NOTEBOOKS, WRITES, file_times, not_written

from helpers import cli
from helpers.config import PROFILE_ENV, ROOT_ENV
from helpers.report.quality_section import table_cell

PROJECT = Path(__file__).resolve().parent.parent
SYSTEM_TOOLS = ("abc2midi", "fluidsynth", "latexmk")  # optional for the notebooks; none of them may be found
TOOL_COMMANDS = ("sh", "env", "uname")  # the few ordinary commands on the restricted PATH
VENV_TIMEOUT_S = 900
NOTEBOOKS_TIMEOUT_S = 1800
# The notebooks run as a normal user in the fresh environment: the two that use what a system may lack (04 renders
# notation and audio, with a General MIDI soundfont where one is installed; 07 checks tunes with abc2midi), and 03,
# which reuses the run trained before. They start from the prepared data and the runs of the session's own project,
# where every notebook runs (test_notebooks); the user's notebooks write everything else.
AS_A_USER = ("03_train", "04_generate", "07_quality")
COPIED = ("data", "runs")  # the parts of the session's project that the user's starts from

# A few steps of training in the fresh environment, on tunes made here, and where the package was imported from.
TINY_TRAINING = """
import json, sys
from pathlib import Path

import helpers
from helpers.config import RunConfig
from helpers.corpus.load import Tune
from helpers.corpus.split import PreparedData, split_by_tune, to_records
from helpers.rnn.train import train_run

tunes = [Tune("test", f"X:{n}\\nT:Tune {n}\\nM:6/8\\nL:1/8\\nK:G\\nGAB c2d|edc BAG|{n % 7}ABc d3|]") for n in range(24)]
split = split_by_tune(tunes, seed=0)
data = PreparedData(*(to_records(part) for part in (split.train, split.validation, split.test)), {"seed": 0})
config = RunConfig(hidden_size=8, epochs=2, batch_size=8, chunk_length=20)
metrics = train_run(config, data, Path(sys.argv[1]), verbose=0)
print(json.dumps({"package": helpers.__file__, "val_loss": metrics["best_val_loss"]}))
"""
PRINT_ROOT = "from helpers.config import project_root; print(project_root())"


# --- the two commands without make ---------------------------------------------------------------------------


def test_cli_run_takes_a_profile_and_defaults_to_full():
    assert cli.parser().parse_args(["run"]).profile == "full"
    assert cli.parser().parse_args(["run", "--profile", "quick"]).profile == "quick"
    assert cli.parser().parse_args(["test"]).command == "test"


@pytest.mark.parametrize(
    "arguments, complaint",
    [([], "required"), (["run", "--profile", "medium"], "invalid choice: 'medium'"), (["build"], "invalid choice")],
)
def test_cli_refuses_a_missing_command_or_an_unknown_profile(arguments, complaint, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(arguments)
    assert stopped.value.code == 2
    assert complaint in capsys.readouterr().err


def test_cli_run_names_a_project_without_notebooks(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    assert cli.main(["run", "--profile", "quick"]) == 1
    assert f"no notebooks in {tmp_path / 'notebooks'}" in capsys.readouterr().err


def test_cli_run_takes_notebooks_by_name_or_number_in_their_order_and_names_one_that_is_not_there(tmp_path):
    notebooks = cli.notebooks_in_order(make_scratch_project(tmp_path))
    chosen = cli.chosen_notebooks(notebooks, ["07", "01_data", "03_train.ipynb", "01"])
    assert [path.name for path in chosen] == ["01_data.ipynb", "03_train.ipynb", "07_quality.ipynb"]
    assert cli.chosen_notebooks(notebooks, []) == notebooks
    assert cli.parser().parse_args(["run", "--profile", "quick", "01", "07"]).notebooks == ["01", "07"]
    with pytest.raises(cli.CommandError, match=r"no notebook '08'; the notebooks are 01_data, 02_scratch"):
        cli.chosen_notebooks(notebooks, ["01", "08"])


def test_cli_runs_the_notebooks_in_order_with_the_makefiles_command(tmp_path):
    make_scratch_project(tmp_path)
    notebooks = cli.notebooks_in_order(tmp_path)
    assert [path.name for path in notebooks[:2]] == ["01_data.ipynb", "02_scratch.ipynb"]
    command = cli.notebook_command(notebooks[0], tmp_path / "out")
    assert command[:3] == [sys.executable, "-m", "nbconvert"]
    assert command[-3:] == ["--output-dir", str(tmp_path / "out"), str(notebooks[0])]
    assert "--ExecutePreprocessor.timeout=-1" in command
    makefile = (PROJECT / "Makefile").read_text()
    assert "$(BIN)/python -m helpers.cli run --profile $(PROFILE)" in makefile, "make run must call the cli"
    assert "$(BIN)/python -m helpers.cli test" in makefile, "make test must call the cli"


def test_cli_test_lints_then_runs_pytest_in_the_checkout():
    steps = cli.test_commands()
    assert [step[1:3] for step in steps[:2]] == [["-m", "ruff"], ["-m", "ruff"]]
    assert Path(steps[2][0]).name.startswith("lint-imports")
    workers = ["-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder"]
    assert steps[-1] == [sys.executable, "-m", "pytest", "-ra", *workers]
    assert cli.source_checkout() == PROJECT


# --- abc2midi missing: its column says so ----------------------------------------------------------------------


def test_abc2midi_column_says_not_installed_only_when_it_is_not(monkeypatch, tmp_path):
    installed = shutil.which("abc2midi") is not None
    assert table_cell("abc2midi_ok", math.nan) == ("--" if installed else "not installed")
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where abc2midi cannot be found
    assert table_cell("abc2midi_ok", math.nan) == "not installed"
    assert table_cell("abc2midi_ok", 0.5) == "50%"
    assert table_cell("music21_ok", math.nan) == "--"


# --- a folder every user can read, a user, a PATH ----------------------------------------------------------------


def unprivileged_user() -> dict:
    """subprocess arguments that run a command as nobody when the tests run as root; none otherwise."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def give_to_user(folder: Path, user: dict) -> None:
    """Make the unprivileged user own folder and everything in it (nothing to do when not root)."""
    if not user:
        return
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user["user"], user["group"], follow_symlinks=False)


@pytest.fixture(scope="module")
def shared_folder() -> Iterator[Path]:
    """A new temporary folder that other users can enter and read (mode 755, and every folder above it enterable)."""
    folder = Path(tempfile.mkdtemp(prefix="musicrnn-portable-"))
    folder.chmod(0o755)
    closed = [above for above in folder.parents if not above.stat().st_mode & stat.S_IXOTH]
    if closed:
        shutil.rmtree(folder)
        pytest.fail(f"other users cannot enter {closed[0]}: set TMPDIR to a folder they can (e.g. /tmp)")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def python_answer(python: str, code: str, user: dict) -> str | None:
    """What python prints running code as user; None if it cannot start or fails."""
    try:
        done = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120, **user)
    except OSError:  # the user may not even reach the program
        return None
    return done.stdout if done.returncode == 0 else None


def base_python_for(user: dict) -> str:
    """A Python of this version that the user can run whole: this one's base install, else the system's."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [getattr(sys, "_base_executable", sys.executable), f"/usr/bin/python{version}"]
    candidates.append(f"/usr/local/bin/python{version}")
    probe = "import sys, venv; print(sys.version_info[:2], sys.base_prefix)"
    for python in dict.fromkeys(candidates):
        if not Path(python).is_file():
            continue
        own = python_answer(python, probe, {})
        # A Python whose installation the user cannot read starts with another standard library, or not at all.
        if own is not None and python_answer(python, probe, user) == own:
            return python
    pytest.fail(f"no Python {version} that the unprivileged user can run whole among {candidates}")


@pytest.fixture(scope="module")
def fresh_venv(shared_folder) -> Path:
    """A new virtual environment with the package pip-installed from pyproject.toml alone, with its `cpu` extra."""
    source = shared_folder / "source"  # only what a wheel is built from, so the checkout gets no build/ folder
    shutil.copytree(PROJECT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", source)
    venv = shared_folder / "venv"
    python = str(venv / "bin" / "python")
    steps = [
        [base_python_for(unprivileged_user()), "-m", "venv", str(venv)],
        # No byte-code at install (a third of the time), then that of what the notebooks import, as make setup writes
        # it: the user cannot write into this environment, so without it each of their processes would compile
        # TensorFlow's modules again.
        [python, "-m", "pip", "install", "--quiet", "--no-compile", f"{source}[cpu]"],
        [python, "-c", "from helpers.cli import byte_compile, main_job_modules; byte_compile(main_job_modules())"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=VENV_TIMEOUT_S, umask=0o022)
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return venv


def restricted_path(venv: Path, folder: Path) -> str:
    """A PATH of the environment's bin and a folder of links to a few ordinary commands: no system tool on it."""
    folder.mkdir()
    for command in TOOL_COMMANDS:
        if found := shutil.which(command):
            (folder / command).symlink_to(found)
    return os.pathsep.join([str(venv / "bin"), str(folder)])


# --- a notebook from another working directory ----------------------------------------------------------------------


@pytest.mark.slow
def test_a_notebook_runs_from_another_working_directory_and_writes_under_the_project(quick_project):
    # nbconvert starts the kernel in the notebook's folder: the session's notebooks run from copies outside the
    # project (tests/quick_project.py), so each one's kernel works in another folder than the project's.
    run = quick_project.run("01_data.ipynb")
    assert run.failure is None, run.failure
    assert not run.missing, f"01_data did not write {run.missing} under the project"
    assert not run.left_in_its_folder, f"the notebook wrote {run.left_in_its_folder} into its folder"


# --- pip install . into a fresh environment -------------------------------------------------------------------------


def in_venv(
    venv: Path, arguments: list[str], cwd: Path, home: Path, user: dict | None = None
) -> subprocess.CompletedProcess:
    """Python of the fresh environment, in folder cwd, as user (default this one), with none of our variables."""
    environment = {"PATH": str(venv / "bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    python = str(venv / "bin" / "python")
    return subprocess.run(
        [python, *arguments], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, **(user or {})
    )


@pytest.mark.slow
def test_pip_install_from_pyproject_alone_imports_the_package_and_trains(fresh_venv, shared_folder):
    # As the unprivileged user, in a home of their own: the notebooks they run later reuse the session's runs.
    user = unprivileged_user()
    home = shared_folder / "trainer"
    home.mkdir()
    give_to_user(home, user)
    run_dir = home / "tiny-run"
    done = in_venv(fresh_venv, ["-c", TINY_TRAINING, str(run_dir)], home, home, user)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["package"]).is_relative_to(fresh_venv), f"helpers came from {result['package']}"
    assert math.isfinite(result["val_loss"]) and (run_dir / "model.keras").is_file()


@pytest.mark.slow
def test_installed_package_finds_the_project_from_the_working_directory(fresh_venv, shared_folder):
    (shared_folder / "clone").mkdir()
    project = make_scratch_project(shared_folder / "clone")
    inside = in_venv(fresh_venv, ["-c", PRINT_ROOT], project / "notebooks", shared_folder)
    assert inside.returncode == 0 and inside.stdout.strip() == str(project), inside.stderr[-2000:]
    outside = in_venv(fresh_venv, ["-c", PRINT_ROOT], fresh_venv, shared_folder)
    assert outside.returncode != 0 and f"set ${ROOT_ENV}" in outside.stderr, outside.stdout + outside.stderr[-2000:]


# --- every notebook as a normal user, without system tools ---------------------------------------------------------


def notebook_output(path: Path) -> str:
    """The text an executed notebook shows: printed streams and plain-text results, cell after cell."""
    texts = []
    for cell in json.loads(path.read_text())["cells"]:
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            texts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(texts)


def abc2midi_tables(text: str) -> list[list[str]]:
    """The rows of each table in text whose header line starts with "model" and has an abc2midi column."""
    tables, rows = [], None
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["model"] and "abc2midi" in words:
            rows = []
            tables.append(rows)
        elif rows is not None and words:
            rows.append(line)
        else:
            rows = None
    return tables


def test_the_tables_of_an_abc2midi_column_are_found():
    text = "<Figure>\nmodel  T  abc2midi\nbest  1  not installed\nbest  2  90%\n\nbest\n  model  abc2midi  bars\n"
    assert abc2midi_tables(text) == [["best  1  not installed", "best  2  90%"], []]
    assert abc2midi_tables("model  T  music21\nbest  1  90%\n") == []


@pytest.mark.slow
def test_the_notebooks_that_use_system_tools_run_as_a_user_without_them(fresh_venv, shared_folder, quick_project):
    user = unprivileged_user()
    home = shared_folder / "home"  # the user's: their project, and what matplotlib, Jupyter and Keras keep there
    (home / "project").mkdir(parents=True)
    project = make_scratch_project(home / "project")
    # The data and runs the session's notebooks wrote (tests/quick_project.py): these notebooks reuse them rather than
    # prepare and train each again. Training as this user in this environment is test_pip_install_from_pyproject_...
    for part in COPIED:
        quick_project.copy_after(NOTEBOOKS[-1].name, project / part, part=part)
    before = file_times(project)
    path = restricted_path(fresh_venv, shared_folder / "commands")
    assert [shutil.which(tool, path=path) for tool in SYSTEM_TOOLS] == [None] * len(SYSTEM_TOOLS)
    give_to_user(home, user)
    environment = {"PATH": path, "HOME": str(home), ROOT_ENV: str(project), PROFILE_ENV: "quick", "LANG": "C.UTF-8"}
    command = [str(fresh_venv / "bin" / "python"), "-m", "helpers.cli", "run", "--profile", "quick", *AS_A_USER]
    done = subprocess.run(
        command, cwd=home, env=environment, capture_output=True, text=True, timeout=NOTEBOOKS_TIMEOUT_S, **user
    )
    assert done.returncode == 0, f"as {user or 'this user'}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    every_file = [pattern for name in AS_A_USER for pattern in WRITES[f"{name}.ipynb"]]
    reused = [pattern for pattern in every_file if pattern.startswith(tuple(f"{part}/" for part in COPIED))]
    written = [pattern for pattern in every_file if pattern not in reused]
    assert not not_written(project, written, before), f"not written: {not_written(project, written, before)}"
    assert all(any(project.glob(pattern)) for pattern in reused), f"copies gone: {not_written(project, reused, {})}"
    reusing = notebook_output(project / "runs" / "notebooks" / "quick" / "03_train.ipynb")
    assert "finished before, reusing its results" in reusing, "03_train trained again instead of reusing its run"
    quality = notebook_output(project / "runs" / "notebooks" / "quick" / "07_quality.ipynb")
    readings = [line for line in quality.splitlines() if "abc2midi:" in line]
    assert readings and all("not installed" in line for line in readings), f"07_quality says {readings}"
    tables = abc2midi_tables(quality)
    assert len(tables) >= 2, f"07_quality shows {len(tables)} tables with an abc2midi column, expected 2 or more"
    unmarked = [row for rows in tables for row in rows if "not installed" not in row]
    assert all(tables) and not unmarked, f"rows of 07_quality's tables without 'not installed': {unmarked}"
