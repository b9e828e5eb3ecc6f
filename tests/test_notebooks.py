"""Every notebook is committed without outputs, runs top to bottom in the quick profile and writes its own files."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from quick_project import NOTEBOOKS, WRITES

PROJECT = Path(__file__).resolve().parent.parent
REPORT_SCRIPT = PROJECT / "report" / "build.sh"
MISSING_MARKER = "MUSICRNN-MISSING: "  # report/main.tex logs it for every file it had to replace by a placeholder
PLACEHOLDERS = re.compile(r"not made yet|not computed yet")


def test_there_are_notebooks_and_each_says_what_it_writes():
    assert [path.name for path in NOTEBOOKS][:4] == [
        "01_data.ipynb",
        "02_scratch.ipynb",
        "03_train.ipynb",
        "04_generate.ipynb",
    ]
    assert sorted(WRITES) == [path.name for path in NOTEBOOKS], "every notebook needs its entry in WRITES"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, cell in enumerate(cells) if cell.get("outputs") or cell.get("execution_count")]
    assert not dirty, f"{notebook.name} has outputs in cells {dirty}: run `make strip`"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_valid_with_an_id_on_every_cell(notebook):
    """nbformat 4.5 gives each cell an id; otter assign (in the build's process) warns of every cell without one."""
    written = json.loads(notebook.read_text())  # as committed: nbformat.read would fill in the missing ids
    missing = [i for i, cell in enumerate(written["cells"]) if "id" not in cell]
    assert (written["nbformat"], written["nbformat_minor"]) >= (4, 5) and not missing, f"no id on cells {missing}"
    nbformat.validate(nbformat.from_dict(written))


# What each notebook's opening (its text before the first code cell) tells a student before they run it.
OPENING = {
    "the time": re.compile(r"\*\*Time and profile\.\*\* About (an?|[\d.]+) (minutes|hours?)\b"),
    "the time in each profile": re.compile(r"(quick|either)\s+profile"),
    "how to switch": re.compile(r"MUSICRNN_PROFILE=quick"),
    "the platforms": re.compile(r"Linux, macOS, Windows and Colab"),
}


def opening_misses(cells: list[dict]) -> list[str]:
    """What of OPENING the markdown before the first code cell does not say."""
    opening = []
    for cell in cells:
        if cell["cell_type"] == "code":
            break
        if cell["cell_type"] == "markdown":
            opening.append("".join(cell["source"]))
    return [what for what, pattern in OPENING.items() if not pattern.search("\n".join(opening))]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_each_opening_states_the_time_the_profiles_and_the_platforms(notebook):
    missing = opening_misses(json.loads(notebook.read_text())["cells"])
    assert not missing, f"{notebook.name}'s opening does not state {missing}"


def test_an_opening_that_states_none_of_them_is_caught():
    cells = [{"cell_type": "markdown", "source": "# 01 · Data\n\nAbout an hour."}, {"cell_type": "code"}]
    assert opening_misses(cells) == list(OPENING)
    late = [{"cell_type": "code"}, {"cell_type": "markdown", "source": "**Time and profile.** About 2 hours"}]
    assert "the time" in opening_misses(late)


@pytest.fixture(scope="module")
def project_root(quick_project):
    """The session's scratch project once every notebook ran in it, each reading what the one before wrote."""
    quick_project.run_all()
    return quick_project.root


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_in_the_quick_profile_and_writes_its_files(notebook, quick_project):
    run = quick_project.run(notebook.name)
    assert run.failure is None, run.failure
    assert not run.missing, f"{notebook.name} ran but did not write {run.missing} under {quick_project.root}"
    # Its copy ran outside the project, where nbconvert starts the kernel: it must write there nothing at all.
    assert not run.left_in_its_folder, f"{notebook.name} wrote {run.left_in_its_folder} into the folder it ran from"


def build_report(root: Path) -> tuple[Path, str]:
    """Build the quick profile's report from the files under root: the PDF and the last LaTeX run's log."""
    env = os.environ | {"MUSICRNN_ROOT": str(root), "max_print_line": "10000"}  # unwrapped log lines
    result = subprocess.run(["bash", str(REPORT_SCRIPT), "quick"], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    pdf = root / "report" / "build" / "main.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    return pdf, (root / "report" / "build" / "main.log").read_text(errors="replace")


def missing_files(log: str) -> list[str]:
    """The files the report replaced by a placeholder, as its log names them (results/..., figures/...)."""
    return list(
        dict.fromkeys(line.split(MISSING_MARKER, 1)[1].strip() for line in log.splitlines() if MISSING_MARKER in line)
    )


def placeholders_in_pdf(pdf: Path) -> list[str] | None:
    """The placeholder phrases in the PDF's text (None when pdftotext, from poppler-utils, is not installed)."""
    if shutil.which("pdftotext") is None:
        return None
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = re.sub(r"-\s*\n\s*", "", text)  # words hyphenated at a line end, joined again
    return PLACEHOLDERS.findall(" ".join(text.split()))


@pytest.mark.slow
def test_report_builds_from_what_the_notebooks_wrote_with_no_placeholder(project_root):
    assert (project_root / "results" / "quick" / "baseline_numbers.tex").is_file(), "the notebooks must run first"
    pdf, log = build_report(project_root)
    missing = missing_files(log)
    assert not missing, f"the report printed a placeholder for files the notebooks did not write: {missing}"
    assert not placeholders_in_pdf(pdf), "the PDF shows a placeholder that the log does not name"
    assert "Undefined control sequence" not in log and "Reference `" not in log


@pytest.mark.slow
def test_a_missing_result_or_figure_is_named_as_a_placeholder(project_root, tmp_path):
    assert (project_root / "results" / "quick" / "pieces.tex").is_file(), "the notebooks must run first"
    for folder in ("results", "figures"):
        shutil.copytree(project_root / folder / "quick", tmp_path / folder / "quick")
    (tmp_path / "results" / "quick" / "pieces.tex").unlink()
    (tmp_path / "figures" / "quick" / "neuron_12_generated.pdf").unlink()
    pdf, log = build_report(tmp_path)
    missing = missing_files(log)
    assert "results/pieces.tex" in missing and "figures/neuron_12_generated.pdf" in missing
    shown = placeholders_in_pdf(pdf)
    assert shown is None or {"not computed yet", "not made yet"} <= set(shown), f"the PDF shows only {shown}"
