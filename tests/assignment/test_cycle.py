"""The whole assignment cycle in the quick profile: build the editions, check the unanswered student edition, grade.

1. The three editions are built from this project, and no answer is left in the student edition.
2. The unanswered student edition runs, and every code exercise's check reports failure with its own message.
3. A perfect submission gets every point; one with a single exercise broken loses that exercise's points only.
4. A submission with an endless loop, and one that cannot even be read, are graded with a note and no hang.
"""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.assignment.edition import build, cell_text, fill_answers
from helpers.assignment.grade import grade
from helpers.config import project_root

BROKEN = (
    "01_data.ipynb",
    "return corpus_vocab.decode(chars, ids)",
    'return "".join(chars[i] for i in list(ids)[::-1])',
)
LOOP_TIMEOUT = 120  # seconds; a quick notebook grades in about 20


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    return build(project_root(), tmp_path_factory.mktemp("editions"))


@pytest.fixture(scope="module")
def questions(editions):
    return json.loads((editions.autograder / "questions.json").read_text())


@pytest.mark.slow
def test_every_notebook_with_exercises_has_an_edition_and_an_autograder(editions, questions):
    assert len([name for asked in questions.values() for name in asked]) >= 12
    for notebook in questions:
        assert (editions.student / "notebooks" / notebook).is_file()
        assert (editions.autograder / notebook.replace(".ipynb", ".zip")).is_file()
        assert (editions.solution / "notebooks" / notebook).is_file()
    assert not (editions.student / "tests").exists() and (editions.solution / "tests").is_dir()
    assert (
        "lab:" in (editions.student / "Makefile").read_text()
        and "pytest" not in (editions.student / "Makefile").read_text()
    )
    assert (editions.student / "README.md").read_text().startswith("# The assignment")


@pytest.mark.slow
def test_the_unanswered_student_edition_fails_every_check_with_its_message(editions, questions, tmp_path):
    environment = os.environ | {
        "PYTHONPATH": str(editions.student),  # the student's package: its exercises run the student's code
        "MUSICRNN_ROOT": str(editions.student),
        "MUSICRNN_PROFILE": "quick",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    for notebook, asked in questions.items():
        subprocess.run(
            [str(Path(sys.executable).with_name("jupyter")), "nbconvert", "--execute", "--allow-errors"]
            + ["--to", "notebook", "--output-dir", str(tmp_path), str(editions.student / "notebooks" / notebook)],
            env=environment,
            check=True,
            capture_output=True,
        )
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


def submit(folder: Path, notebooks: dict[str, dict]) -> None:
    folder.mkdir(parents=True)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook))


@pytest.mark.slow
def test_grading_gives_full_marks_takes_only_a_broken_exercise_and_survives_loops(editions, questions, tmp_path):
    perfect = {
        notebook: fill_answers(
            json.loads((editions.student / "notebooks" / notebook).read_text()), project_root() / "notebooks" / notebook
        )
        for notebook in questions
    }
    broken = json.loads(json.dumps(perfect))
    notebook, right, wrong = BROKEN
    for cell in broken[notebook]["cells"]:
        if right in cell_text(cell):
            cell["source"] = cell_text(cell).replace(right, wrong)
    looping = json.loads(json.dumps(perfect[notebook]))
    looping["cells"].insert(3, {"cell_type": "code", "source": "while True:\n    pass", "metadata": {}, "outputs": []})
    looping["cells"][3]["execution_count"] = None
    submissions = tmp_path / "submissions"
    submit(submissions / "ada", perfect)
    submit(submissions / "bob", broken)
    submit(submissions / "cy", {notebook: looping})
    (submissions / "dee").mkdir()
    (submissions / "dee" / notebook).write_text("{this is not a notebook")
    reports = []
    grades_csv = grade(submissions, editions.solution.parent, tmp_path / "graded", LOOP_TIMEOUT, reports.append)
    rows = {row["student"]: row for row in csv.DictReader(grades_csv.open())}
    auto = {name: question["points"] for asked in questions.values() for name, question in asked.items()}
    auto = {name: points for name, points in auto.items() if not questions_manual(questions, name)}
    for name, points in auto.items():
        assert float(rows["ada"][name]) == points, f"the perfect submission lost points on {name}: {rows['ada']}"
        expected = 0.0 if name == "q2" else points
        assert float(rows["bob"][name]) == expected, f"the broken q2 changed {name}: {rows['bob']}"
    assert float(rows["ada"]["auto_points"]) == sum(auto.values()) == float(rows["ada"]["auto_possible"])
    assert f"stopped after {LOOP_TIMEOUT} s" in rows["cy"]["notes"] and float(rows["cy"]["auto_points"]) == 0
    assert "failed" in rows["dee"]["notes"] and "not submitted" in rows["dee"]["notes"]
    feedback = (tmp_path / "graded" / "feedback" / "bob.md").read_text()
    assert "### q2: 0 of 2 points" in feedback and "AssertionError: decode(chars, [2, 3, 4])" in feedback
    assert "graded by hand" in feedback


def questions_manual(questions: dict, name: str) -> bool:
    return any(asked[name]["manual"] for asked in questions.values() if name in asked)
