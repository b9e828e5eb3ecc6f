"""The leak check looks in the student edition's package too: an answer left in helpers/, or a twin of one, fails it."""

import re
import shutil

import pytest

from helpers.assignment.edition import (
    SKIPPED,
    AnswerLeakError,
    check_no_answers,
    master_notebooks,
    notebook_answers,
    stub_package,
)
from helpers.config import project_root


def student_package(tmp_path, keep: str | None = None):
    """The student edition's helpers/ (every exercise stubbed but keep, a module left as it is), with every
    answer and the notebooks' visible lines."""
    shutil.copytree(project_root() / "helpers", tmp_path / "helpers", ignore=shutil.ignore_patterns(*SKIPPED))
    kept = (tmp_path / "helpers" / keep).read_text() if keep else None
    answers = stub_package(tmp_path / "helpers")
    if keep:
        (tmp_path / "helpers" / keep).write_text(kept)
    shared = []
    for master in master_notebooks(project_root()):
        found, seen = notebook_answers(master)
        answers, shared = answers + found, shared + seen
    return answers, {line.strip() for text in shared for line in text.splitlines()}


def test_the_stubbed_package_holds_no_answer(tmp_path):
    answers, shared = student_package(tmp_path)
    assert check_no_answers(tmp_path, answers, shared) > 300  # answer lines looked for


@pytest.mark.parametrize(
    "module, evidence",
    [("rnn/cells.py", "c = sigmoid(gate_f) * c + sigmoid(gate_i) * np.tanh(gate_c)"), ("corpus/split.py", "n_test")],
)
def test_an_answer_left_in_the_package_fails_the_check(tmp_path, module, evidence):
    answers, shared = student_package(tmp_path, keep=module)
    with pytest.raises(AnswerLeakError, match=f"helpers/{module}: .*{re.escape(evidence)}"):
        check_no_answers(tmp_path, answers, shared)


def test_a_twin_of_a_notebook_answer_elsewhere_in_the_package_fails_the_check(tmp_path):
    answers, shared = student_package(tmp_path)
    twin = "    gate_i, gate_f, gate_g, gate_o = np.split(x @ kernel + h @ recurrent_kernel + bias, 4, axis=-1)\n"
    with (tmp_path / "helpers" / "rnn" / "autodiff.py").open("a") as module:
        module.write(f"\n\ndef another_lstm(x, h, kernel, recurrent_kernel, bias):\n{twin}    return gate_o\n")
    with pytest.raises(AnswerLeakError, match="helpers/rnn/autodiff.py: gate_i, gate_f, gate_g, gate_o"):
        check_no_answers(tmp_path, answers, shared)
