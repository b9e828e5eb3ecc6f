"""The unanswered student edition, in the quick profile: it runs with no exception outside its checks, and every
code exercise's check reports failure with its own message.

Its own file, apart from the rest of the cycle (test_cycle), so that pytest-xdist's two workers run the two at once.
"""

import json

import pytest
from students import errors_in, execute, student_copy

from helpers.assignment.edition import cell_text


@pytest.mark.slow
def test_the_unanswered_student_edition_fails_every_check_with_its_message(editions, questions, sweep, tmp_path):
    root = student_copy(editions, sweep, tmp_path)
    notebooks = sorted(questions)  # in order: 01_data first
    done = execute(root, notebooks, tmp_path, "--allow-errors")
    stopped = next((name for name in notebooks if not (tmp_path / name).is_file()), None)
    assert done.returncode == 0, f"{stopped} could not be run:\n{done.stderr[-3000:]}"
    for notebook, asked in questions.items():
        executed = json.loads((tmp_path / notebook).read_text())
        checks = {
            cell_text(cell).strip(): "".join(
                cell_text({"source": output.get("text", "")})
                + cell_text({"source": output.get("data", {}).get("text/plain", "")})
                for output in cell["outputs"]
            )
            for cell in executed["cells"]
            if cell["cell_type"] == "code" and cell_text(cell).strip().startswith("grader.check(")
        }
        for name, question in asked.items():
            if question["manual"]:
                continue
            output = checks.get(f'grader.check("{name}")')
            assert output is not None, f"{notebook}: no check cell for {name}"
            assert "Test case failed" in output and "AssertionError: " in output, f"{notebook} {name}:\n{output}"
        assert not errors_in(executed), f"{notebook}, unanswered, raised outside its checks: {errors_in(executed)[:1]}"
