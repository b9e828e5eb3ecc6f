"""Fair checks: each exercise's own tests (public and hidden, read from its notebook) give full marks to correct
answers written in different ways, and fail typical mistakes with feedback that names them.

Each answer is graded alone, with only its own question's tests, as the grader does: one mistake costs only
the points of its own question.
"""

import math
from pathlib import Path

import numpy as np
import pytest
import variants_data
import variants_experiments
import variants_generate
import variants_quality
import variants_scratch
import variants_train

from helpers.assignment.edition import question_tests

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
SUITES = {
    "01_data.ipynb": variants_data,
    "02_scratch.ipynb": variants_scratch,
    "03_train.ipynb": variants_train,
    "04_generate.ipynb": variants_generate,
    "05_experiments.ipynb": variants_experiments,
    "07_quality.ipynb": variants_quality,
}


def grade(notebook: str, question: str, answer: str) -> list[str]:
    """The failure messages of the question's test cells on this answer (empty: full marks)."""
    namespace = {"np": np, "math": math}
    exec(compile(answer, f"<{question} answer>", "exec"), namespace)
    defined = [name for name, value in namespace.items() if callable(value) and name not in ("np", "math")]
    failures = []
    for source in question_tests(NOTEBOOKS / notebook)[question]:
        try:
            exec(compile(source, f"<{question} test>", "exec"), dict(namespace))
        except Exception as error:  # a test that raises has failed, whatever it raised
            failures.append(f"{type(error).__name__}: {error}")
    assert defined, f"the {question} answer defines no function"
    return failures


CORRECT = [
    (notebook, question, index, answer)
    for notebook, suite in SUITES.items()
    for question, answers in suite.CORRECT.items()
    for index, answer in enumerate(answers)
]
MISTAKES = [
    (notebook, question, index, answer, words)
    for notebook, suite in SUITES.items()
    for question, mistakes in suite.MISTAKES.items()
    for index, (answer, words) in enumerate(mistakes)
]


@pytest.mark.parametrize(
    "notebook, question, index, answer", CORRECT, ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None
)
def test_a_correct_answer_gets_full_marks(notebook, question, index, answer):
    failures = grade(notebook, question, answer)
    assert not failures, f"{question}, correct answer {index} lost points: {failures}"


@pytest.mark.parametrize(
    "notebook, question, index, answer, words",
    MISTAKES,
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_a_typical_mistake_loses_points_with_a_message_that_names_it(notebook, question, index, answer, words):
    failures = grade(notebook, question, answer)
    assert failures, f"{question}, mistake {index} got full marks"
    assert any(words in failure for failure in failures), f"{question}, mistake {index}: {words!r} not in {failures}"


def test_every_exercise_has_three_correct_answers_and_three_mistakes():
    for notebook, suite in SUITES.items():
        questions = set(question_tests(NOTEBOOKS / notebook))
        assert set(suite.CORRECT) == questions == set(suite.MISTAKES), notebook
        for question in questions:
            assert len(set(suite.CORRECT[question])) >= 3 and len(suite.MISTAKES[question]) >= 3, question
            assert all(answer not in suite.CORRECT[question] for answer, _ in suite.MISTAKES[question]), question


def test_every_test_cell_calls_the_test_it_defines():
    import ast

    for notebook in SUITES:
        for question, sources in question_tests(NOTEBOOKS / notebook).items():
            for source in sources:
                tree = ast.parse(source)
                defined = {
                    node.name
                    for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name.startswith("test")
                }
                called = {
                    node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and hasattr(node.func, "id")
                }
                assert defined and defined <= called, (
                    f"{notebook} {question}: a test cell defines {defined - called} but never calls it"
                )
