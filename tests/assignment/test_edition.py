"""The student edition's package without its answers, and the check that no answer is left."""

import json
import os
import re
import types
from pathlib import Path

import pytest

from helpers.assignment.edition import (
    AnswerLeakError,
    check_no_answers,
    fill_answers,
    master_notebooks,
    notebook_answers,
    otter_assign,
    stub_exercises,
    student_readme,
)

MODULE = '''
from helpers.exercise import exercise


@exercise("03_train.ipynb", fallback="framework_scale")
def scale(values, factor=2, *rest, shift=0, **options):
    """Each value times factor, plus shift."""
    scaled = [value * factor + shift for value in values]
    return scaled


def untouched(x):
    return x + 1
'''


def test_an_exercise_body_becomes_a_call_to_its_fallback_with_every_argument():
    stubbed, removed = stub_exercises(MODULE)
    assert removed == ["    scaled = [value * factor + shift for value in values]\n    return scaled\n"]
    assert "value * factor" not in stubbed and '"""Each value times factor, plus shift."""' in stubbed
    assert "def untouched(x):\n    return x + 1" in stubbed
    calls = []
    module = types.ModuleType("stubbed")
    module.framework_scale = lambda *args, **kwargs: calls.append((args, kwargs)) or "the framework's"
    exec(compile(stubbed, "stubbed", "exec"), module.__dict__)
    assert module.scale([1], 3, 4, shift=5, colour="red") == "the framework's"
    assert calls == [(([1], 3, 4), {"shift": 5, "colour": "red"})]


def test_an_exercise_without_a_fallback_is_refused():
    with pytest.raises(ValueError, match="scale.*has no fallback"):
        stub_exercises(MODULE.replace(', fallback="framework_scale"', ""))


def master(tmp_path, cells, name="01_x.ipynb"):
    path = tmp_path / "notebooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"cells": [{"cell_type": kind, "source": text, "metadata": {}} for kind, text in cells]})
    )
    return path


CELLS = [
    ("raw", "# ASSIGNMENT CONFIG\nname: x"),
    ("markdown", "Write `area(r)`."),
    ("raw", "# BEGIN SOLUTION"),
    ("code", "def area(r):\n    # BEGIN SOLUTION\n    return 3.14159 * r * r\n    # END SOLUTION"),
    ("raw", "# END SOLUTION"),
    ("raw", "# BEGIN TESTS"),
    ("code", "def test_public(area):\n    assert area(1) > 3, 'area(1): expected pi'\n\ntest_public(area)"),
    ("code", "# HIDDEN\ndef test_hidden(area):\n    assert abs(area(2.5) - 19.63) < 0.01\n\ntest_hidden(area)"),
    ("raw", "# END TESTS"),
]


def test_the_answers_of_a_master_are_its_solutions_and_hidden_tests(tmp_path):
    answers, shared = notebook_answers(master(tmp_path, CELLS))
    assert answers[0] == "    return 3.14159 * r * r" and "area(2.5)" in answers[1] and len(answers) == 2
    assert any("def area(r):" in text for text in shared) and not any("3.14159" in text for text in shared)
    assert any("test_public" in text for text in shared)


def test_the_leak_check_finds_an_answer_line_and_ignores_what_the_student_may_see(tmp_path):
    answers, shared = notebook_answers(master(tmp_path, CELLS))
    shared_lines = {line.strip() for text in shared for line in text.splitlines()}
    student = tmp_path / "student"
    (student / "notebooks").mkdir(parents=True)
    clean = {"cells": [{"cell_type": "code", "source": "def area(r):\n    ...", "metadata": {}}]}
    (student / "notebooks" / "01_x.ipynb").write_text(json.dumps(clean))
    assert check_no_answers(student, answers, shared_lines) == 4  # the solution line and three of the hidden test
    (student / "notes.txt").write_text("def area(r):\n    return 3.14159 * r * r\n")
    with pytest.raises(AnswerLeakError, match=r"notes.txt: return 3.14159 \* r \* r"):
        check_no_answers(student, answers, shared_lines)
    (student / "notes.txt").unlink()
    (student / "helpers.py").write_text("def area(r):\n    return 3.14159 * r * r\n")  # too common in code to tell
    assert check_no_answers(student, answers, shared_lines) == 4
    (student / "helpers.py").write_text("def check():\n    assert abs(area(2.5) - 19.63) < 0.01\n")  # a hidden test
    with pytest.raises(AnswerLeakError, match=r"helpers.py: assert abs\(area\(2.5\) - 19.63\) < 0.01"):
        check_no_answers(student, answers, shared_lines)


def test_a_perfect_submission_puts_the_solutions_into_the_answer_cells(tmp_path):
    student = {
        "cells": [{"cell_type": "code", "source": "def area(r):\n    ...", "metadata": {"tags": ["otter_answer_cell"]}}]
    }
    filled = fill_answers(student, master(tmp_path, CELLS))
    assert "return 3.14159 * r * r" in filled["cells"][0]["source"]
    with pytest.raises(ValueError, match="2 answer cells but 1 solutions"):
        fill_answers({"cells": student["cells"] * 2}, master(tmp_path, CELLS))


def test_the_assignment_configuration_must_come_first(tmp_path):
    master(tmp_path, CELLS)
    master(tmp_path, [("markdown", "no exercises")], name="02_y.ipynb")
    assert [path.name for path in master_notebooks(tmp_path)] == ["01_x.ipynb"]
    master(tmp_path, [("markdown", "title"), *CELLS], name="03_z.ipynb")
    with pytest.raises(ValueError, match="03_z.ipynb: the '# ASSIGNMENT CONFIG' cell must be the notebook's first"):
        master_notebooks(tmp_path)


PROJECT = Path(__file__).resolve().parents[2]


def test_the_student_editions_readme_is_the_students_guide_as_it_is(tmp_path):
    guide = (PROJECT / "docs" / "students.md").read_text(encoding="utf-8")
    assert student_readme(PROJECT) == guide and guide.startswith("# The assignment")
    with pytest.raises(FileNotFoundError, match=r"no students' guide at .*students\.md"):
        student_readme(tmp_path)


def test_the_students_guide_links_nothing_that_the_student_edition_lacks():
    # The guide is docs/students.md in the project and README.md at the top of the student edition, which has no
    # docs/: a relative link would work in one place only.
    links = re.findall(r"\]\(([^)\s]+)", (PROJECT / "docs" / "students.md").read_text(encoding="utf-8"))
    assert [link for link in links if not link.startswith(("https://", "http://", "#"))] == []


def tiny_master(folder: Path, question: str) -> Path:
    """A master notebook of one question, in otter's format; question is the question's configuration."""
    sources = [
        ("raw", "# ASSIGNMENT CONFIG\nexport_cell: false\nsolutions_pdf: false\ntemplate_pdf: false"),
        ("raw", f"# BEGIN QUESTION\n{question}"),
        ("raw", "# BEGIN SOLUTION"),
        ("code", "def double(x):\n    return 2 * x  # SOLUTION"),
        ("raw", "# END SOLUTION"),
        ("raw", "# BEGIN TESTS"),
        ("code", "assert double(2) == 4"),
        ("raw", "# END TESTS"),
        ("raw", "# END QUESTION"),
    ]
    cells = [
        {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": text}
        | ({"outputs": [], "execution_count": None} if kind == "code" else {})
        for number, (kind, text) in enumerate(sources)
    ]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    path = folder / "tiny.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": kernel, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_otter_assign_runs_in_this_process_and_leaves_its_working_directory(tmp_path):
    before = os.getcwd()
    otter_assign(tiny_master(tmp_path, "name: q1\npoints: 1"), tmp_path / "out")
    assert os.getcwd() == before
    student = json.loads((tmp_path / "out" / "student" / "tiny.ipynb").read_text())
    text = "\n".join("".join(cell["source"]) for cell in student["cells"])
    assert "return 2 * x" not in text and 'grader.check("q1")' in text
    assert len(list((tmp_path / "out" / "autograder").glob("tiny-autograder_*.zip"))) == 1


def test_a_master_that_otter_cannot_assign_is_named_with_otters_reason(tmp_path):
    before = os.getcwd()
    with pytest.raises(RuntimeError, match=r"otter assign failed on tiny.ipynb: ValueError: Question name not"):
        otter_assign(tiny_master(tmp_path, "points: 1"), tmp_path / "out")
    assert os.getcwd() == before
