"""Every notebook is committed without outputs, runs top to bottom in the quick profile and writes its own files."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_support import execute_notebook

PROJECT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
REPORT_SCRIPT = PROJECT / "report" / "build.sh"
MISSING_MARKER = "MUSICRNN-MISSING: "  # report/main.tex logs it for every file it had to replace by a placeholder
PLACEHOLDERS = re.compile(r"not made yet|not computed yet")

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


@pytest.fixture(scope="module")
def project_root(tmp_path_factory):
    """One scratch project root shared by the notebooks, so each reads what the one before wrote.

    It holds the small model a clone ships (models/baseline), which 02_scratch reads before 03 trains one.
    """
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(PROJECT / "models" / "baseline", root / "models" / "baseline")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_in_the_quick_profile_and_writes_its_files(notebook, project_root):
    before = file_times(project_root)
    execute_notebook(notebook, project_root)
    missing = not_written(project_root, WRITES[notebook.name], before)
    assert not missing, f"{notebook.name} ran but did not write {missing} under {project_root}"


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
