"""The whole assignment cycle in the quick profile: build the editions, grade a class, grade as Gradescope does.

1. The three editions are built from this project, and no answer is left in the student edition.
2. Grading bob, who left q1 unanswered and wrote one cell step wrong, costs only those two questions (that his
   notebooks run top to bottom with no cascade is test_cascade's).
3. A perfect answer gets every point (the cascade student's other notebooks, and a second student's q1 and q13).
4. A submission that sleeps forever, and one that cannot even be read, are graded with a note and no hang.
5. Hostile submissions (one reaching for the autograder zip, the solutions, another student's files and the
   grading output; one forking hundreds of processes; one printing 50 MB) change no other grade, and, sealed
   off, reach nothing: a reach that works costs its own q1, so the probe can tell.
6. The autograder zips grade as on Gradescope: a zip's environment installs offline in a fresh virtual environment,
   and its run_otter.py gives bob's notebooks the scores make grade gave them.

The unanswered student edition is test_unanswered's. Each student works in their own copy of the student edition
(tests/assignment/students.py).
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import otter
import pytest
import yaml
from students import MISTAKES, UNANSWERED, WRONG, bobs_notebooks

from helpers.assignment.edition import cell_text, fill_answers
from helpers.assignment.grade import MAX_WORKERS, grade, grading_workers
from helpers.assignment.gradescope import OTTER_REQUIREMENT, pip_requirements
from helpers.assignment.sandbox import unavailable
from helpers.config import project_root

HOSTILE_NOTEBOOK = "01_data.ipynb"  # where the hostile students hand in their cells
WHEELS = Path(sys.prefix) / "wheels"  # what the zips install (`make .venv/wheels`), for installing them offline
# Seconds a notebook may take to grade before it is stopped: cy's endless loop waits this long. A quick notebook
# grades in 5 to 25 s with the whole suite running on two cores, so this leaves more than twice that.
LOOP_TIMEOUT = 60
RUN_OTTER_TIMEOUT = 600  # seconds; only so that a hang in the Gradescope run fails rather than holding the suite


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


def submit(folder: Path, notebooks: dict[str, dict]) -> None:
    folder.mkdir(parents=True)
    for name, notebook in notebooks.items():
        (folder / name).write_text(json.dumps(notebook))


@dataclass(frozen=True)
class Graded:
    """The class graded by make grade's code: grades.csv's rows by student, what grade reported, its folders."""

    rows: dict[str, dict]
    reports: list[str]
    submissions: Path
    out: Path


@pytest.fixture(scope="module")
def graded(editions, questions, tmp_path_factory) -> Graded:
    """ada (perfect, in the two notebooks where bob went wrong), bob (the cascade student), the hostile students,
    and dee (a file that is not a notebook), graded two at a time."""
    perfect = {
        notebook: fill_answers(
            json.loads((editions.student / "notebooks" / notebook).read_text()), project_root() / "notebooks" / notebook
        )
        for notebook in questions
    }
    written = bobs_notebooks(editions.student / "notebooks", questions)
    folder = tmp_path_factory.mktemp("class")
    submissions, out = folder / "submissions", folder / "graded"
    # bob's other notebooks are perfect too, so ada hands in only the two where bob went wrong: between them every
    # question is graded once on a correct answer.
    submit(submissions / "ada", {name: perfect[name] for name in (UNANSWERED[0], WRONG[0])})
    submit(submissions / "bob", {name: written[name] for name in questions})
    for student, source in hostile_cells(editions.solution.parent, out, submissions).items():
        submit(submissions / student, {HOSTILE_NOTEBOOK: before_check(perfect[HOSTILE_NOTEBOOK], "q1", source)})
    (submissions / "dee").mkdir()
    (submissions / "dee" / HOSTILE_NOTEBOOK).write_text("{this is not a notebook")
    reports = []
    grades_csv = grade(submissions, editions.solution.parent, out, LOOP_TIMEOUT, reports.append)
    rows = {row["student"]: row for row in csv.DictReader(grades_csv.open())}
    return Graded(rows, reports, submissions, out)


def auto_points(questions: dict) -> dict[str, float]:
    """The points of every auto-graded question."""
    auto = {name: question["points"] for asked in questions.values() for name, question in asked.items()}
    return {name: points for name, points in auto.items() if not questions_manual(questions, name)}


@pytest.mark.slow
def test_grading_takes_only_the_wrong_exercises_and_survives_loops(editions, questions, graded):
    rows, auto = graded.rows, auto_points(questions)
    assert MISTAKES <= set(auto)
    for name, points in auto.items():
        expected = 0.0 if name in MISTAKES else points
        assert float(rows["bob"][name]) == expected, f"q1 unanswered and q13 wrong changed {name}: {rows['bob']}"
    handed_in = {name for notebook in (UNANSWERED[0], WRONG[0]) for name in questions[notebook]} & set(auto)
    for name in handed_in:
        assert float(rows["ada"][name]) == auto[name], f"the perfect answer lost points on {name}: {rows['ada']}"
    assert float(rows["ada"]["auto_points"]) == sum(auto[name] for name in handed_in)
    assert float(rows["bob"]["auto_points"]) == sum(auto.values()) - sum(auto[name] for name in MISTAKES)
    assert f"stopped after {LOOP_TIMEOUT} s" in rows["cy"]["notes"] and float(rows["cy"]["auto_points"]) == 0
    assert "failed" in rows["dee"]["notes"] and "not submitted" in rows["dee"]["notes"]
    feedback = (graded.out / "feedback" / "bob.md").read_text()
    assert "### q1: 0 of" in feedback and "split_by_tune(tunes, seed=3) returned None" in feedback
    assert "### q13: 0 of" in feedback and "simple_rnn_step" in feedback
    assert "graded by hand" in feedback
    sealed = unavailable() is None
    assert sealed or any("without being sealed off" in line for line in graded.reports)
    first = {name for name in questions[HOSTILE_NOTEBOOK] if name in auto}
    for student in ("eve", "fay", "gus") if sealed else ("eve", "gus"):
        lost = {"q1"} if student == "eve" and not sealed else set()
        points = sum(auto[name] for name in first - lost)
        assert float(rows[student]["auto_points"]) == points, f"{student}: {rows[student]}"
    assert not sealed or "processes it left running were killed" in rows["fay"]["notes"]
    assert (graded.out / "feedback" / "gus.md").stat().st_size < 100_000
    tops = (graded.out, editions.solution.parent)
    planted = [path for top in tops for path in top.rglob("*") if "planted" in path.name]
    assert sealed is not bool(planted), f"sealed: {sealed}, planted: {planted}"


@pytest.mark.slow
def test_each_zip_grades_as_on_gradescope_offline_with_the_scores_of_make_grade(editions, questions, graded, tmp_path):
    """Gradescope builds an image from the zip's environment.yml (its pip list: here in a fresh virtual environment,
    offline, from the wheels `make test` downloads), unpacks the zip into /autograder/source, puts the submission in
    /autograder/submission and runs run_otter.py, which writes /autograder/results/results.json. bob's two notebooks
    with a mistake are graded so, as he submitted them, and score what make grade gave them."""
    assert WHEELS.is_dir(), f"no wheels at {WHEELS}: `make .venv/wheels` downloads what the zips install"
    lists = {name: zip_requirements(editions.autograder / name.replace(".ipynb", ".zip")) for name in questions}
    (pip,) = {tuple(listed) for listed in lists.values()}  # one environment for every notebook
    assert set(pip_requirements(project_root() / "requirements.txt")) <= set(pip)
    assert f"{OTTER_REQUIREMENT}=={otter.__version__}" in pip
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (tmp_path / "requirements.txt").write_text("\n".join(pip))
    install = [
        str(venv / "bin" / "pip"),
        "install",
        "--quiet",
        "--no-compile",
        "--no-index",
        "--find-links",
        str(WHEELS),
    ]
    done = subprocess.run(
        [*install, "-r", str(tmp_path / "requirements.txt")],
        env=os.environ | {"PIP_CONFIG_FILE": os.devnull},  # nothing but the wheels: no index, no other links
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"the zip's environment did not install offline:\n{done.stderr[-3000:]}"
    auto = auto_points(questions)
    for notebook in (UNANSWERED[0], WRONG[0]):
        scores = gradescope_scores(
            editions.autograder / notebook.replace(".ipynb", ".zip"),
            graded.submissions / "bob" / notebook,
            venv,
            tmp_path / "autograder" / notebook,
        )
        expected = {name: float(graded.rows["bob"][name]) for name in questions[notebook] if name in auto}
        assert scores == expected, f"{notebook}: Gradescope's scores {scores}, make grade's {expected}"
        assert {name for name, points in scores.items() if not points} == MISTAKES & set(scores)


def zip_requirements(zipped: Path) -> list[str]:
    """The pip list of an autograder zip's environment.yml."""
    with zipfile.ZipFile(zipped) as archive:
        environment = yaml.safe_load(archive.read("environment.yml"))
    (pip,) = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    return pip


def gradescope_scores(zipped: Path, submission: Path, venv: Path, autograder: Path) -> dict[str, float]:
    """Points per question of one submission, graded by the zip as Gradescope does, in the environment venv (on
    PATH, as Gradescope activates otter's) with nothing of this project's set; autograder stands for /autograder."""
    for folder in ("source", "submission", "results"):
        (autograder / folder).mkdir(parents=True)
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(autograder / "source")
    shutil.copy2(submission, autograder / "submission" / submission.name)
    script = (autograder / "source" / "run_otter.py").read_text()
    assert 'run_autograder("/autograder")' in script
    (autograder / "source" / "run_otter.py").write_text(script.replace('"/autograder"', repr(str(autograder))))
    home = autograder / "home"
    home.mkdir()
    environment = {"HOME": str(home), "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin", "LANG": "C.UTF-8"}
    done = subprocess.run(
        [str(venv / "bin" / "python"), str(autograder / "source" / "run_otter.py")],
        cwd=autograder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_OTTER_TIMEOUT,
    )
    output = f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert done.returncode == 0, f"run_otter.py failed on {submission.name}:\n{output}"
    results = json.loads((autograder / "results" / "results.json").read_text())
    return {test["name"]: float(test["score"]) for test in results["tests"] if test.get("max_score") is not None}


def hostile_cells(editions: Path, graded: Path, submissions: Path) -> dict[str, str]:
    """Cells of hostile students: eve reaches for what a submission must not read or write (and, if she gets any of
    it, spoils her own q1), fay forks until refused, leaving every child asleep outside her process group, gus
    prints 50 MB, cy sleeps forever. The paths are those a submission finds from its environment."""
    reads = [
        editions / "autograder" / "01_data.zip",
        editions / "solution" / "notebooks" / "01_data.ipynb",
        submissions / "ada" / "01_data.ipynb",
        graded / "work" / "reference",
        project_root() / "notebooks" / "01_data.ipynb",
    ]
    writes = [
        graded / "feedback" / "planted.md",
        graded / "grades.csv",
        editions / "solution" / "helpers" / "planted.py",
        graded / "work" / "reference" / "planted",
    ]
    eve = f"""import os
reached = []
for path in {[str(path) for path in reads]!r}:
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, "rb").read(10)
        reached.append(path)
    except OSError:
        pass
for path in {[str(path) for path in writes]!r}:
    try:
        open(path, "a").write("planted")
        reached.append(path)
    except OSError:
        pass
if reached:
    split_by_tune = None"""
    fay = """import os, time
for _ in range(5000):
    try:
        child = os.fork()
    except OSError:
        break
    if child == 0:
        os.setsid()
        time.sleep(10**6)
        os._exit(0)"""
    cells = {"cy": "import time\nwhile True:\n    time.sleep(1)", "eve": eve, "gus": "print('x' * 50_000_000)"}
    return cells | ({"fay": fay} if unavailable() is None else {})  # unsealed, nothing would stop fay's children


def before_check(notebook: dict, question: str, source: str) -> dict:
    """A copy of the notebook with a cell of the student's own just before the question's check."""
    notebook = json.loads(json.dumps(notebook))
    checks = [cell_text(cell).strip() for cell in notebook["cells"]]
    check = checks.index(f'grader.check("{question}")')
    cell = {"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
    notebook["cells"].insert(check, cell)
    return notebook


def questions_manual(questions: dict, name: str) -> bool:
    return any(asked[name]["manual"] for asked in questions.values() if name in asked)


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2", MAX_WORKERS + 1])
def test_a_number_of_workers_that_is_not_a_whole_number_of_at_least_one_is_refused(workers):
    with pytest.raises(ValueError, match=f"workers must be a whole number from 1 to {MAX_WORKERS}"):
        grading_workers(workers)
    assert grading_workers(3) == 3 and grading_workers(None) == (os.cpu_count() or 1)
