"""A student's own copy of the student edition, the kernel their notebooks run in, what an executed notebook raised,
and bob, the cascade student: shared by the end-to-end tests of the assignment (test_cycle, test_cascade,
test_unanswered).

Each student works in their own copy. The quick sweep of 05_experiments trains only the package's models, never a
student's: each copy starts with the sweep's finished runs from the session's own notebooks
(tests/quick_project.py), which run_sweep reuses (it refuses a run trained on other data), so the sweep trains once
per test run, not once per student.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from browser_support import CELL_TIMEOUT_S

from helpers.assignment.edition import cell_text, fill_answers
from helpers.config import project_root

# The cascade student's two mistakes: q1 left as handed out, and the SimpleRNN step without its recurrence (q13).
UNANSWERED = ("01_data.ipynb", "def split_by_tune(")
WRONG = (
    "04_generate.ipynb",
    "return np.tanh(x @ kernel + h @ recurrent_kernel + bias)",
    "return np.tanh(x @ kernel + bias)",
)
MISTAKES = {"q1", "q13"}
JUPYTER = str(Path(sys.executable).with_name("jupyter"))


def student_copy(editions, sweep: Path, folder: Path) -> Path:
    """A student's own copy of the student edition, with the sweep's finished runs (not the baseline: 03 trains the
    student's own)."""
    root = shutil.copytree(editions.student, folder / "edition")
    for run in sweep.iterdir():
        if run.name != "baseline":
            shutil.copytree(run, root / "runs" / "quick" / run.name)
    return root


def student_environment(root: Path) -> dict:
    """A student's kernel: the student edition's package (at root) first, quick profile, outputs under root."""
    return os.environ | {
        "PYTHONPATH": str(root),
        "MUSICRNN_ROOT": str(root),
        "MUSICRNN_PROFILE": "quick",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }


def execute(root: Path, notebooks: list[str], output_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """Run the student's notebooks top to bottom, one after the other in the order given, each in a kernel of its own;
    the executed copies go to output_dir. One nbconvert runs them all (its start-up is paid once). A notebook that
    raises, or a cell that runs past CELL_TIMEOUT_S, stops there with an error naming it (nbconvert exits
    non-zero)."""
    command = [JUPYTER, "nbconvert", "--execute", *options, f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_S}"]
    command += ["--to", "notebook", "--output-dir", str(output_dir)]
    command += [str(root / "notebooks" / notebook) for notebook in notebooks]
    return subprocess.run(command, env=student_environment(root), capture_output=True, text=True)


def errors_in(notebook: dict) -> list[str]:
    """The exceptions a cell of an executed notebook raised: name, message and the cell's first line."""
    return [
        f"{output['ename']}: {output['evalue'][:300]} (in the cell {cell_text(cell).strip().splitlines()[0]!r})"
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def bobs_notebooks(handed_out: Path, questions: dict) -> dict[str, dict]:
    """bob's notebooks, by name: every answer of the answer key written (project's notebooks/) but q1, left as
    handed out, and q13, written wrong; handed_out is the student edition's notebooks folder."""
    written = {}
    for path in sorted(Path(handed_out).glob("*.ipynb")):
        original = json.loads(path.read_text())
        notebook = original
        if path.name in questions:
            notebook = fill_answers(json.loads(path.read_text()), project_root() / "notebooks" / path.name)
        for cell, handed in zip(notebook["cells"], original["cells"], strict=True):
            if path.name == UNANSWERED[0] and UNANSWERED[1] in cell_text(cell):
                cell["source"] = handed["source"]
            if path.name == WRONG[0] and WRONG[1] in cell_text(cell):
                cell["source"] = cell_text(cell).replace(WRONG[1], WRONG[2])
        written[path.name] = notebook
    return written
