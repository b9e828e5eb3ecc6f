"""Build the three editions of the assignment from the notebooks in notebooks/ and the package.

- student: the notebooks with every answer blanked and their public checks (otter assign), and the package
  with the body of every @exercise function replaced by a call to the student's own version;
- solution: the whole project as it is, its notebooks with the answers and every test, public and hidden;
- autograder: one otter autograder zip per notebook with exercises, which grades on Gradescope as it is
  (helpers.assignment.gradescope), and questions.json (points, manual ones).

A check then proves that no answer and no hidden test of the solution edition is left in the student edition.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from helpers.assignment.gradescope import GRADING_PROFILE, gradescope_zip, grading_files, pip_requirements
from helpers.config import get_profile
from helpers.corpus.reference import reference_folder, write_reference_data
from helpers.files import write_json
from helpers.rnn.model import ARCHITECTURES, write_architectures

__all__: list[str] = []  # nothing here is used outside helpers.assignment

CONFIG_MARK = "# ASSIGNMENT CONFIG"
# What the student edition holds besides its notebooks: the package, the shipped models, set-up files.
STUDENT_FILES = ("helpers", "models", "data/README.md", "requirements.txt", "pyproject.toml")
PROFILES = ("quick", "full")  # the reference data the student edition ships, one set per profile
STUDENT_MAKEFILE = Path(__file__).with_name("student.mk")  # setup and lab; the project's own runs tests
STUDENT_GUIDE = Path("docs") / "students.md"  # the students' guide, which is the student edition's README
SKIPPED = ("__pycache__", ".ipynb_checkpoints", "*.egg-info")
MIN_ANSWER_LINE = 12  # shorter answer lines (`return x`, `)`) are too common to prove anything
# In the package's modules, where any Python is at home, an answer line proves a leak only if it is longer than
# this and does something: not an import, a raise, an except, a bare return or an idiom every TensorFlow code has.
MIN_PACKAGE_LINE = 24
COMMON_LINE = re.compile(r"^(from |import |raise |except\b|return \w+$|def |class |try:|else:|finally:|#|\"\"\")")
COMMON_LINES = {"with tf.GradientTape() as tape:"}


class AnswerLeakError(AssertionError):
    """The student edition holds text of an answer or of a hidden test."""


@dataclass(frozen=True)
class Editions:
    """Where the three editions were written."""

    student: Path
    solution: Path
    autograder: Path


def master_notebooks(root: Path) -> list[Path]:
    """The notebooks that hold exercises: those with otter's assignment configuration cell, which comes first."""
    masters = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        configured = [index for index, cell in enumerate(cells) if cell_text(cell).startswith(CONFIG_MARK)]
        if configured and configured != [0]:
            raise ValueError(
                f"{path.name}: the '{CONFIG_MARK}' cell must be the notebook's first cell, and only one "
                "(otter reads the test format from it before it reads the questions)"
            )
        if configured:
            masters.append(path)
    return masters


def cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def marked_cells(master: Path) -> Iterator[tuple[dict, bool, bool]]:
    """Each cell of a master notebook but otter's raw marks: (cell, inside a solution, inside the tests)."""
    in_solution = in_tests = False
    for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "raw":
            mark = cell_text(cell).strip().split("\n")[0].upper()
            in_solution = mark == "# BEGIN SOLUTION" or (in_solution and mark != "# END SOLUTION")
            in_tests = mark == "# BEGIN TESTS" or (in_tests and mark != "# END TESTS")
        else:
            yield cell, in_solution, in_tests


def fill_answers(student_notebook: dict, master: Path) -> dict:
    """A student notebook with every answer cell replaced by the master's solution: a perfect submission."""
    solutions = [cell_text(cell) for cell, in_solution, _ in marked_cells(master) if in_solution]
    answer_cells = [cell for cell in student_notebook["cells"] if "otter_answer_cell" in tags_of(cell)]
    if len(answer_cells) != len(solutions):
        raise ValueError(f"{master.name}: {len(answer_cells)} answer cells but {len(solutions)} solutions")
    for cell, solution in zip(answer_cells, solutions, strict=True):
        cell["source"] = solution
    return student_notebook


def tags_of(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


RUBRIC_MARK = "<!-- RUBRIC -->"  # first line of a markdown cell (or tag "rubric"): graders' criteria for a question


def is_rubric_cell(cell: dict) -> bool:
    """A hand-graded question's rubric: shown to graders, left out of the student edition."""
    first = cell_text(cell).lstrip().split("\n", 1)[0].strip()
    return cell.get("cell_type") == "markdown" and (first.upper() == RUBRIC_MARK or "rubric" in tags_of(cell))


def without_rubrics(master: Path, folder: Path) -> Path:
    """A copy of a master notebook, in folder and of the same name, without its rubric cells: what otter assigns."""
    notebook = json.loads(master.read_text(encoding="utf-8"))
    notebook["cells"] = [cell for cell in notebook["cells"] if not is_rubric_cell(cell)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / master.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder / master.name


def otter_assign(master: Path, out: Path) -> None:
    """Run otter assign on one master notebook (offline; the tests run later, when the solution is graded). In this
    process: its import is paid once for every notebook, not once each; what it prints is kept for the error."""
    from otter.assign import main as assign  # the grading tools (requirements-test.txt), not the main job's

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            assign(str(master), str(out), no_run_tests=True)
    except Exception as error:  # noqa: BLE001 - otter raises many kinds; each means this notebook cannot be assigned
        raise RuntimeError(
            f"otter assign failed on {master.name}: {type(error).__name__}: {error}\n{printed.getvalue()[-2000:]}"
        ) from error


def tracked_files(root: Path) -> list[Path]:
    """The project's files as git knows them (a clone's), or every file but generated ones outside git."""
    done = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0 and done.stdout:
        return [Path(name) for name in done.stdout.split("\0") if name and (root / name).is_file()]
    raise RuntimeError(f"{root} is not a git checkout: the solution edition copies the files git tracks")


def copy_files(root: Path, names: list[Path], target: Path) -> None:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name)


def exercise_functions(tree: ast.Module) -> list[tuple[ast.FunctionDef, str, str | None]]:
    """The functions of a module marked @exercise("notebook", fallback=...), with their notebook and fallback."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and getattr(decorator.func, "id", None) == "exercise"
                    and decorator.args
                    and isinstance(decorator.args[0], ast.Constant)
                ):
                    keywords = {word.arg: getattr(word.value, "value", None) for word in decorator.keywords}
                    found.append((node, decorator.args[0].value, keywords.get("fallback")))
    return found


def answer_lines(node: ast.FunctionDef, lines: list[str]) -> tuple[int, int]:
    """The 0-based [start, end) lines of a function's body after its docstring."""
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and len(body) > 1:
        body = body[1:]
    return body[0].lineno - 1, node.end_lineno


def forwarded_call(arguments: ast.arguments) -> str:
    """The arguments of a call that passes a function's own parameters on, e.g. 'a, b, *rest, key=key'."""
    parts = [arg.arg for arg in [*arguments.posonlyargs, *arguments.args]]
    if arguments.vararg:
        parts.append(f"*{arguments.vararg.arg}")
    parts += [f"{arg.arg}={arg.arg}" for arg in arguments.kwonlyargs]
    if arguments.kwarg:
        parts.append(f"**{arguments.kwarg.arg}")
    return ", ".join(parts)


def stub_exercises(source: str) -> tuple[str, list[str]]:
    """A module's source with each @exercise function's body replaced by a call to its fallback (the framework,
    or a reference the edition ships, computing the same without the answer).

    Returns the new source and the removed answer bodies.
    """
    lines = source.splitlines(keepends=True)
    removed = []
    found = exercise_functions(ast.parse(source))
    for node, notebook, fallback in sorted(found, key=lambda item: item[0].lineno, reverse=True):
        start, end = answer_lines(node, lines)
        indent = " " * node.body[0].col_offset
        removed.append("".join(lines[start:end]))
        if not fallback:
            raise ValueError(
                f"@exercise {node.name} (line {node.lineno}) has no fallback: name the function of its module that "
                "computes the same without the answer, so the student edition's package needs no student's code"
            )
        lines[start:end] = [
            f"{indent}# Exercise of {notebook}: no answer here; the same is computed with {fallback}.\n",
            f"{indent}return {fallback}({forwarded_call(node.args)})\n",
        ]
    return "".join(lines), removed


def stub_package(package: Path) -> list[str]:
    """Stub every @exercise function under package (in place); the removed bodies are the package's answers."""
    answers = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "@exercise(" not in source:
            continue
        stubbed, removed = stub_exercises(source)
        path.write_text(stubbed, encoding="utf-8")
        answers += removed
    return answers


def notebook_answers(master: Path) -> tuple[list[str], list[str]]:
    """A master notebook's answers (solutions between otter's marks, hidden tests) and the rest of its text."""
    answers, shared = [], []
    for cell, in_solution, in_tests in marked_cells(master):
        text = cell_text(cell)
        if in_tests and text.lstrip().upper().startswith("# HIDDEN"):
            answers.append(text)
        elif in_solution and cell["cell_type"] == "markdown":
            answers.append(text)
        elif in_solution:
            solutions = marked_solutions(text)
            answers += solutions
            shared.append("\n".join(line for line in text.splitlines() if not any(line in s for s in solutions)))
        else:
            shared.append(text)
    return answers, shared


def marked_solutions(code: str) -> list[str]:
    """The lines between '# BEGIN SOLUTION' and '# END SOLUTION' comments, and lines ending in '# SOLUTION'."""
    blocks, block = [], None
    for line in code.splitlines():
        mark = line.strip().upper()
        if mark == "# BEGIN SOLUTION":
            block = []
        elif mark == "# END SOLUTION" and block is not None:
            blocks.append("\n".join(block))
            block = None
        elif block is not None:
            block.append(line)
        elif mark.endswith("# SOLUTION"):
            blocks.append(line.rsplit("#", 1)[0])
    return blocks


def check_no_answers(student: Path, answers: list[str], shared: set[str]) -> int:
    """Raise AnswerLeakError if a line of an answer appears in a text file of the student edition, the package's
    modules included: a twin of an answer elsewhere in helpers/ is a leak too.

    Lines that an answer shares with the notebooks' visible text (shared: prompts, public tests, other cells)
    prove nothing and are not looked for. Returns how many distinct answer lines were looked for.
    """
    visible = "\n".join(shared)
    wanted = {
        line.strip() for answer in answers for line in answer.splitlines() if len(line.strip()) >= MIN_ANSWER_LINE
    }
    wanted = {line for line in wanted - shared if line not in visible}  # a prompt may quote a line of an answer
    leaks = []
    for path in sorted(student.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".txt", ".json", ".toml", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".ipynb":  # a notebook's cells as their own text, not JSON-escaped
                text = "\n".join(cell_text(cell) for cell in json.loads(text)["cells"])
            looked_for = wanted if path.suffix != ".py" else {line for line in wanted if telling_in_code(line)}
            leaks += [f"{path.relative_to(student)}: {line}" for line in looked_for if line in text]
    if leaks:
        raise AnswerLeakError("the student edition holds answer text:\n" + "\n".join(sorted(leaks)[:20]))
    return len(wanted)


def telling_in_code(line: str) -> bool:
    """Whether an answer line found in a module of the package proves a leak (see MIN_PACKAGE_LINE)."""
    return len(line) >= MIN_PACKAGE_LINE and not COMMON_LINE.match(line) and line not in COMMON_LINES


def build(root: Path, out: Path) -> Editions:
    """Write out/student, out/solution and out/autograder from the project at root."""
    root, out = Path(root).resolve(), Path(out).resolve()
    editions = Editions(out / "student", out / "solution", out / "autograder")
    for folder in (editions.student, editions.solution, editions.autograder):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    copy_files(root, tracked_files(root), editions.solution)
    for name in STUDENT_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, editions.student / name, ignore=shutil.ignore_patterns(*SKIPPED))
        elif source.is_file():
            (editions.student / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, editions.student / name)
    shutil.copy2(STUDENT_MAKEFILE, editions.student / "Makefile")
    write_reference_data([get_profile(name) for name in PROFILES], editions.student)  # what a failed q1 uses
    write_architectures(editions.student / ARCHITECTURES)  # the models the package builds without build_model
    (editions.student / "README.md").write_text(student_readme(root), encoding="utf-8")
    answers = stub_package(editions.student / "helpers")
    shared = []  # what the student may see that an answer line may share: the notebooks' prompts, not the package
    questions = {}
    (editions.student / "notebooks").mkdir()
    masters = master_notebooks(root)
    with tempfile.TemporaryDirectory() as scratch:
        prepared = reference_folder(get_profile(GRADING_PROFILE), editions.student)  # written above
        files = grading_files(editions.solution, prepared, Path(scratch) / "files")  # what each zip grades with
        requirements = pip_requirements(root / "requirements.txt")
        for master in masters:
            assigned = Path(scratch) / master.stem
            otter_assign(without_rubrics(master, Path(scratch) / "masters"), assigned)  # rubrics stay with graders
            shutil.copy2(assigned / "student" / master.name, editions.student / "notebooks" / master.name)
            (zipped,) = (assigned / "autograder").glob("*-autograder_*.zip")
            gradescope_zip(zipped, files, requirements, editions.autograder / f"{master.stem}.zip")
            questions[master.name] = question_points(master)
            found, seen = notebook_answers(master)
            answers, shared = answers + found, shared + seen
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        if path not in masters:
            shutil.copy2(path, editions.student / "notebooks" / path.name)
    write_json(questions, editions.autograder / "questions.json")
    check_no_answers(editions.student, answers, {line.strip() for text in shared for line in text.splitlines()})
    return editions


def student_readme(root: Path) -> str:
    """The students' guide (docs/students.md) as it is: the student edition's README, one text for both."""
    guide = Path(root) / STUDENT_GUIDE
    if not guide.is_file():
        raise FileNotFoundError(f"no students' guide at {guide}: the student edition's README.md is its text")
    return guide.read_text(encoding="utf-8")


def question_points(master: Path) -> dict[str, dict]:
    """Each question of a master notebook: its points and whether it is graded by hand."""
    questions = {}
    for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
        text = cell_text(cell)
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            settings = dict(
                line.split(":", 1) for line in text.splitlines()[1:] if ":" in line and not line.startswith("#")
            )
            settings = {key.strip(): value.strip() for key, value in settings.items()}
            questions[settings["name"]] = {
                "points": float(settings.get("points", 1)),
                "manual": settings.get("manual", "false").lower() == "true",
            }
    return questions


def question_tests(master: Path) -> dict[str, list[str]]:
    """Each question of a master notebook with the sources of its test cells, public ones first, then hidden."""
    tests: dict[str, list[str]] = {}
    name, in_tests = None, False
    for cell in json.loads(master.read_text(encoding="utf-8"))["cells"]:
        text = cell_text(cell)
        mark = text.strip().split("\n")[0].upper() if cell["cell_type"] == "raw" else ""
        if mark == "# BEGIN QUESTION":
            name = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("name:"))
        in_tests = mark == "# BEGIN TESTS" or (in_tests and mark != "# END TESTS")
        if in_tests and cell["cell_type"] == "code":
            tests.setdefault(name, []).append(text)
    return tests
