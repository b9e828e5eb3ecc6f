"""No cascade: a student who leaves q1 unanswered and writes one cell step wrong (bob) runs every notebook of their
own copy of the student edition top to bottom, in order, each falling back where it must with one line, and no
later notebook falls back or raises.

Its own file, apart from the grading of the same notebooks (test_cycle), so that pytest-xdist's two workers run the
two at once.
"""

import json

import pytest
from students import bobs_notebooks, errors_in, execute, student_copy

from helpers.assignment.edition import cell_text
from helpers.config import project_root

BANNERS = {
    "01_data.ipynb": "⚠ your split_by_tune (exercise 1) did not pass (ValueError: it returned None): going on with "
    "the reference split.",
    "04_generate.ipynb": "⚠ your simple_rnn_step did not pass (probabilities",
}


@pytest.fixture(scope="module")
def cascade(sweep, editions, questions, tmp_path_factory) -> dict[str, dict]:
    """bob's notebooks, each run top to bottom in his own copy of the student edition, in order: the executed
    copies by name. The sweep comes first: its notebooks run while the other worker builds the editions (test_cycle),
    rather than after waiting for them."""
    root = student_copy(editions, sweep, tmp_path_factory.mktemp("student"))
    written = bobs_notebooks(root / "notebooks", questions)
    for name, notebook in written.items():
        (root / "notebooks" / name).write_text(json.dumps(notebook))
    result = execute(root, list(written), root / "executed")
    stopped = next((name for name in written if not (root / "executed" / name).is_file()), None)
    assert result.returncode == 0, f"{stopped} stopped with an exception:\n{result.stderr[-3000:]}"
    return {name: json.loads((root / "executed" / name).read_text()) for name in written}


def printed(notebook: dict) -> str:
    return "\n".join(
        cell_text({"source": output.get("text", "")})
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )


@pytest.mark.slow
def test_one_unanswered_and_one_wrong_exercise_cascade_nowhere(cascade):
    executed = cascade
    assert list(executed) == sorted(path.name for path in (project_root() / "notebooks").glob("*.ipynb"))
    for name, notebook in executed.items():
        banners = [line for line in printed(notebook).splitlines() if line.startswith("⚠")]
        if name in BANNERS:
            assert len(banners) == 1 and banners[0].startswith(BANNERS[name]), f"{name}: {banners}"
        else:
            assert not banners, f"{name} fell back with nothing wrong in it: {banners}"
        assert not errors_in(notebook), f"{name}: {errors_in(notebook)[:1]}"
