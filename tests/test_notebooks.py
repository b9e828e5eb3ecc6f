"""Every notebook is committed without outputs and runs top to bottom in the quick profile."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from browser_support import execute_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [path.name for path in NOTEBOOKS][:4] == [
        "01_data.ipynb",
        "02_train.ipynb",
        "03_generate.ipynb",
        "04_experiments.ipynb",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, cell in enumerate(cells) if cell.get("outputs") or cell.get("execution_count")]
    assert not dirty, f"{notebook.name} has outputs in cells {dirty}: run `make strip`"


@pytest.fixture(scope="module")
def project_root(tmp_path_factory):
    """One scratch project root shared by the notebooks, so each reads what the one before wrote."""
    return tmp_path_factory.mktemp("project")


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_in_the_quick_profile(notebook, project_root):
    execute_notebook(notebook, project_root)
    assert (project_root / "figures" / "quick").is_dir()


@pytest.mark.slow
def test_report_builds_from_what_the_notebooks_wrote(project_root):
    assert (project_root / "results" / "quick" / "baseline_numbers.tex").is_file(), "the notebooks must run first"
    script = Path(__file__).resolve().parent.parent / "report" / "build.sh"
    env = os.environ | {"MUSICRNN_ROOT": str(project_root)}
    result = subprocess.run(["bash", str(script), "quick"], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    pdf = project_root / "report" / "build" / "main.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    log = (project_root / "report" / "build" / "main.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log and "Reference `" not in log
