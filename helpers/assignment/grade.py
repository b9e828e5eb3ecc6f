"""Grade a folder of submissions offline: otter run on each notebook, in its own process group, with a time limit.

SUBMISSIONS is a folder or zip in any layout helpers.assignment.intake reads (a folder or zip per student, Canvas's
or Gradescope's bulk download); manifest.csv says which file was used for each notebook and why the others were not.
Each notebook with auto-graded questions runs, with the autograder zip that Gradescope runs too
(helpers.assignment.gradescope), in its own copy of a reference workspace (the solution edition's prepared data and
shipped models, quick profile), so one broken notebook costs only its own questions; as root on
Linux it runs sealed off (helpers.assignment.sandbox), unable to reach the editions, the output, the submissions
or the project. Writes
grades.csv (one row per student, one column per question), feedback/<student>.md (each question's result, the
failed checks' messages without the source of any test, and the written answers to grade by hand), rubrics.json
and hand_scores.csv (the sheet for the hand-graded questions; see helpers.assignment.rubric).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from helpers.assignment.edition import cell_text, question_tests, tags_of
from helpers.assignment.intake import MANIFEST, collect, write_manifest
from helpers.assignment.rubric import RUBRICS, SHEET, read_rubrics, write_rubrics, write_sheet
from helpers.assignment.sandbox import FIRST_UID, Sandbox, unavailable
from helpers.config import project_root
from helpers.files import write_csv

__all__: list[str] = []  # nothing here is used outside helpers.assignment

DEFAULT_TIMEOUT = 600  # seconds for one notebook; the quick profile needs about a minute
# The CPU threads of a kernel: TensorFlow's two pools, and NumPy's BLAS.
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")
REFERENCE_NOTEBOOK = "01_data.ipynb"  # writes the prepared data every later notebook reads
IGNORE_TAG = "otter_ignore"  # otter does not run a cell with this tag
# otter's failure report quotes the failing line of the test under this line; the student sees neither.
TEST_SOURCE_HEADER = re.compile(r"^(?P<indent>\s*)Error at line \d+ in test (?P<test>.+):\s*$")
MIN_SOURCE_LINE = 12  # shorter lines of a hidden test (`)`, `else:`) give nothing away
MAX_RESULTS_BYTES = 16 * 2**20  # otter's results.json for one notebook is a few kB
MAX_WORKERS = 1000  # each notebook graded at once has a user id of its own (sandbox.FIRST_UID on)


def environment_with_otter() -> dict:
    """The environment with this Python's bin folder first on PATH, where otter and jupyter live."""
    return os.environ | {"PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


@dataclass
class NotebookResult:
    """One student's notebook: points per auto-graded question, otter's messages, notes, written answers."""

    scores: dict[str, float] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)


def run_group(command: list[str], cwd: Path, env: dict, timeout: float, log: Path) -> str | None:
    """Run a command in its own process group; None if it succeeded, else why not. A timeout kills the group."""
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return f"stopped after {timeout:.0f} s (an endless loop, or far too slow)"
    if code != 0:
        last = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-1:]
        return f"{Path(command[0]).name} {command[1]} failed ({''.join(last)[:300]})"
    return None


def prepare_reference(solution: Path, workspace: Path, timeout: float) -> Path:
    """The solution edition's data (quick profile) and shipped models, in a workspace every grading copies."""
    shutil.rmtree(workspace, ignore_errors=True)
    (workspace / "notebooks").mkdir(parents=True)
    shutil.copytree(solution / "models", workspace / "models")
    environment = grading_environment(solution, workspace)
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        *("nbconvert", "--execute", "--to", "notebook", "--output-dir", str(workspace / "notebooks")),
        str(solution / "notebooks" / REFERENCE_NOTEBOOK),
    ]
    failure = run_group(command, workspace, environment, timeout, workspace / "reference.log")
    if failure:
        raise RuntimeError(f"the solution edition's {REFERENCE_NOTEBOOK} did not run: {failure}")
    return workspace


def grading_environment(solution: Path, root: Path) -> dict:
    """otter and jupyter on PATH, the solution edition's package first, outputs under root, quick profile."""
    path = os.pathsep.join(filter(None, [str(solution), os.environ.get("PYTHONPATH")]))
    return environment_with_otter() | {"PYTHONPATH": path, "MUSICRNN_ROOT": str(root), "MUSICRNN_PROFILE": "quick"}


@dataclass(frozen=True)
class Key:
    """What grading one notebook needs besides the submission: the lines of its hidden tests (never shown) and the
    handed-out cells it skips (skipped_cells)."""

    hidden: list[str]
    skipped: frozenset[str]


def skipped_cells(handed_out: Path) -> frozenset[str]:
    """The ids of the handed-out code cells that grading skips: all but the first (its imports and set-up), the
    answer cells and otter's own. The tests call only the students' functions, so nothing else needs to run; a cell
    the student added runs too."""
    code = [cell for cell in json.loads(handed_out.read_text())["cells"] if cell["cell_type"] == "code"]
    own = [cell for cell in code if "grader" in cell_text(cell)]  # otter's init and check cells
    kept = [cell for cell in code if cell not in own][:1]
    return frozenset(
        cell["id"]
        for cell in code
        if "id" in cell and cell not in own and cell not in kept and "otter_answer_cell" not in tags_of(cell)
    )


def without_skipped_cells(submission: Path, skipped: frozenset[str], folder: Path) -> Path:
    """A copy of the submission in folder whose skipped cells carry otter's otter_ignore tag; a file that is not
    a notebook is copied as it is, for otter to refuse."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        notebook = json.loads(submission.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return Path(shutil.copyfile(submission, folder / submission.name))
    for cell in cells:
        if isinstance(cell, dict) and cell.get("id") in skipped:
            metadata = cell.setdefault("metadata", {})
            metadata["tags"] = [*metadata.get("tags", []), IGNORE_TAG]
    (folder / submission.name).write_text(json.dumps(notebook), encoding="utf-8")
    return folder / submission.name


@dataclass(frozen=True)
class Seal:
    """Where a notebook is graded sealed off (helpers.assignment.sandbox): the sandbox and its user id."""

    sandbox: Sandbox
    uid: int


def grade_notebook(
    submission: Path,
    autograder: Path,
    solution: Path,
    reference: Path,
    work: Path,
    timeout: float,
    key: Key = Key([], frozenset()),
    threads: int | None = None,
    seal: Seal | None = None,
):
    """Run otter on one submitted notebook, without its skipped cells, in a folder of its own holding a copy of
    the reference workspace, the submission and its autograder (threads: the CPU threads its kernel may use,
    default all); sealed off where seal says, else in work. otter's log goes to work."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    folder = seal.sandbox.folder() if seal else work
    shutil.copytree(reference, folder / "root", ignore=shutil.ignore_patterns("*.ipynb", "*.log"))
    (folder / "tmp").mkdir()
    submission = without_skipped_cells(submission, key.skipped, folder / "submitted")
    autograder = Path(shutil.copyfile(autograder, folder / autograder.name))
    environment = grading_environment(solution, folder / "root") | {"TMPDIR": str(folder / "tmp")}
    if threads:
        environment |= dict.fromkeys(THREAD_VARIABLES, str(threads))
    otter = Path(sys.executable).with_name("otter")
    command = [str(otter), "run", "--no-logo", "-a", str(autograder), "-o", str(folder), str(submission)]
    if seal:
        seal.sandbox.hand_over(folder, seal.uid)
        environment = seal.sandbox.environment(environment, folder)
        command = seal.sandbox.command(seal.uid, command)
    result = NotebookResult()
    failure = run_group(command, folder, environment, timeout, work / "otter.log")
    left = seal.sandbox.end(seal.uid) if seal else 0
    if left:
        result.notes.append(f"{submission.name}: {left} processes it left running were killed")
    if failure:
        result.notes.append(f"{submission.name}: {failure}")
    if not failure:
        try:
            read_results(json.loads(read_whole(folder / "results.json", MAX_RESULTS_BYTES)), result, key.hidden)
        except (OSError, ValueError) as error:
            result.notes.append(f"{submission.name}: otter's results could not be read ({error})")
    shutil.rmtree(folder if seal else folder / "root", ignore_errors=True)
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    return result


def read_whole(path: Path, limit: int) -> str:
    """A regular file's text (no link, at most limit bytes): otter's results, which a submission could replace."""
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path.name} is missing or not a regular file")
    if path.stat().st_size > limit:
        raise ValueError(f"{path.name} is over {limit // 2**20} MB")
    return path.read_text(encoding="utf-8")


def read_results(results: dict, result: NotebookResult, hidden=()) -> NotebookResult:
    """Points per question from otter's results.json, and the failed ones' messages without test source."""
    for test in results.get("tests", []):
        if "score" in test:
            result.scores[test["name"]] = float(test["score"])
            if float(test["score"]) < float(test["max_score"]):
                result.messages[test["name"]] = without_test_source(test.get("output", ""), hidden)
    return result


def without_test_source(output: str, hidden=()) -> str:
    """otter's report of failed checks without the lines of test source it quotes: each check's expected and
    found message stays. hidden: lines of the hidden tests, removed wherever they appear, as a second guard."""
    kept, quoting = [], None
    secret = {line.strip() for line in hidden if len(line.strip()) >= MIN_SOURCE_LINE}
    for line in output.splitlines():
        header = TEST_SOURCE_HEADER.match(line)
        if header:
            quoting = len(header["indent"])
            kept.append(f"{header['indent']}Failed in test {header['test']}:")
            continue
        if quoting is not None and line.strip() and len(line) - len(line.lstrip()) > quoting:
            continue  # the quoted source line(s), indented under the header
        quoting = None
        if line.strip() in secret:
            continue
        kept.append(line)
    return "\n".join(kept)


def hidden_test_lines(solution_notebook: Path) -> list[str]:
    """The lines of a notebook's hidden tests (cells that start with '# HIDDEN'), from the solution edition."""
    if not solution_notebook.is_file():
        return []
    tests = question_tests(solution_notebook)
    return [
        line
        for cells in tests.values()
        for text in cells
        if text.lstrip().upper().startswith("# HIDDEN")
        for line in text.splitlines()
    ]


def written_answers(notebook: Path, manual: list[str]) -> dict[str, str]:
    """The student's answers to the hand-graded questions, in order: the answer cells between otter's marks."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError) as error:
        return dict.fromkeys(manual, f"(the notebook could not be read: {error})")
    blocks, block = [], None
    for cell in cells:
        text = cell_text(cell)
        if cell["cell_type"] == "markdown" and "<!-- BEGIN QUESTION -->" in text:
            block = []
        elif cell["cell_type"] == "markdown" and "<!-- END QUESTION -->" in text and block is not None:
            blocks.append("\n\n".join(block))
            block = None
        elif block is not None and "otter_answer_cell" in tags_of(cell):
            block.append(text)
    return {name: blocks[index] if index < len(blocks) else "(no answer)" for index, name in enumerate(manual)}


def grade(
    submissions: Path,
    editions: Path,
    out: Path,
    timeout: float = DEFAULT_TIMEOUT,
    report=print,
    workers: int | None = None,
) -> Path:
    """Grade every student in submissions (a folder or zip, any layout intake reads), workers students at a time
    (default one per CPU core); write out/grades.csv, out/feedback/<student>.md, out/manifest.csv, out/rubrics.json
    and out/hand_scores.csv."""
    submissions, editions, out = (Path(p).resolve() for p in (submissions, editions, out))
    questions = json.loads((editions / "autograder" / "questions.json").read_text())
    criteria = read_rubrics(editions / "solution" / "notebooks", questions)
    out.mkdir(parents=True, exist_ok=True)
    found = collect(submissions, questions, out / "work" / "intake")
    write_manifest(found, out / MANIFEST)
    students = [submission for submission in found if submission.student]
    for submission in found:
        if not submission.student:
            report(f"not graded, belongs to no student: {'; '.join(f'{f} ({why})' for f, why in submission.ignored)}")
    if not students:
        raise FileNotFoundError(
            f"no student's submission in {submissions}: put each student's notebooks in a folder or zip of their own, "
            f"or give Canvas's or Gradescope's download (see {out / MANIFEST})"
        )
    reference = prepare_reference(editions / "solution", out / "work" / "reference", timeout)
    keys = {
        notebook: Key(
            hidden_test_lines(editions / "solution" / "notebooks" / notebook),
            skipped_cells(editions / "student" / "notebooks" / notebook),
        )
        for notebook in questions
    }
    workers = min(grading_workers(workers), len(students))
    threads = max(1, (os.cpu_count() or 1) // workers)  # each notebook's kernel gets its share of the cores
    sandbox, why = open_sandbox(editions, out, submissions)
    if why:
        report(f"notebooks are graded without being sealed off: {why}")
    uids = queue.SimpleQueue()  # one user id per student graded at once, unique to this process
    for slot in range(workers):
        uids.put(FIRST_UID + (os.getpid() % 1_000_000) * MAX_WORKERS + slot)
    rows, answers = [], {}
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:  # each student's notebooks are processes: threads suffice
            graded = [
                pool.submit(
                    grade_student, student, questions, editions, reference, out, timeout, keys, threads, sandbox, uids
                )
                for student in students
            ]
            for student, future in zip(students, graded, strict=True):
                results, seconds = future.result()
                rows.append(score_row(student.student, questions, results))
                answers[student.student] = {
                    name: text for result in results.values() for name, text in result.written.items()
                }
                write_feedback(out / "feedback" / f"{student.student}.md", student.name, questions, results)
                row = rows[-1]
                report(
                    f"{student.student}: {row['auto_points']:g} of {row['auto_possible']:g} auto-graded points "
                    f"({seconds:.0f} s){'; ' + row['notes'] if row['notes'] else ''}"
                )
    finally:
        if sandbox:
            sandbox.close()
    return write_grades(out, rows, criteria, answers)


def open_sandbox(editions: Path, out: Path, submissions: Path) -> tuple[Sandbox | None, str | None]:
    """Where notebooks are graded sealed off, hiding the editions, the output, the submissions and the project;
    or None and why they cannot be."""
    why = unavailable()
    if why:
        return None, why
    return Sandbox.create(editions / "solution" / "helpers", [editions, out, submissions, project_root()]), None


def grading_workers(workers: int | None) -> int:
    """How many students are graded at once: the number asked for, else one per CPU core."""
    if workers is None:
        return os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be a whole number from 1 to {MAX_WORKERS}, got {workers!r}")
    return workers


def grade_student(student, questions, editions, reference, out, timeout, keys, threads, sandbox=None, uids=None):
    """One student's results per notebook (each auto-graded one run by otter in its own folder, sealed off in
    sandbox as a user id taken from uids while this student is graded), and the seconds."""
    started = time.perf_counter()
    seal = Seal(sandbox, uids.get()) if sandbox else None
    results = {}
    try:
        for notebook, asked in questions.items():
            manual = [name for name, question in asked.items() if question["manual"]]
            submitted = student.notebooks.get(notebook)
            if submitted is None:
                results[notebook] = NotebookResult(notes=[f"{notebook} not submitted"])
                results[notebook].written = dict.fromkeys(manual, "(not submitted)")
                continue
            if len(manual) < len(asked):
                results[notebook] = grade_notebook(
                    submitted,
                    editions / "autograder" / f"{Path(notebook).stem}.zip",
                    editions / "solution",
                    reference,
                    out / "work" / "students" / student.student / Path(notebook).stem,
                    timeout,
                    keys[notebook],
                    threads,
                    seal,
                )
            else:
                results[notebook] = NotebookResult()
            results[notebook].written = written_answers(submitted, manual)
    finally:
        if seal:
            uids.put(seal.uid)
    return results, time.perf_counter() - started


def write_grades(out: Path, rows: list[dict], criteria, answers: dict) -> Path:
    """grades.csv (one row per student), the rubrics and the hand-score sheet in out; the path of grades.csv."""
    write_csv(rows, out / "grades.csv")
    write_rubrics(out / RUBRICS, criteria)
    write_sheet(out / SHEET, criteria, answers)
    return out / "grades.csv"


def score_row(student: str, questions: dict, results: dict[str, NotebookResult]) -> dict:
    """One student's row: points per question (blank for those graded by hand), totals and notes."""
    row, points, possible = {"student": student}, 0.0, 0.0
    for notebook, asked in questions.items():
        for name, question in asked.items():
            if question["manual"]:
                row[name] = ""
                continue
            score = results[notebook].scores.get(name, 0.0)
            row[name], points, possible = score, points + score, possible + question["points"]
    row |= {"auto_points": points, "auto_possible": possible}
    row["notes"] = "; ".join(note for result in results.values() for note in result.notes)
    return row


def write_feedback(path: Path, student: str, questions: dict, results: dict[str, NotebookResult]) -> None:
    """A student's feedback: each question's points, otter's messages where tests failed, the written answers."""
    lines = [f"# Feedback for {student}", ""]
    for notebook, asked in questions.items():
        result = results[notebook]
        lines += [f"## {notebook}", "", *(f"- note: {note}" for note in result.notes)]
        for name, question in asked.items():
            if question["manual"]:
                answer = result.written.get(name, "(no answer)")
                lines += ["", f"### {name}: graded by hand ({question['points']:g} points)", "", answer]
                continue
            score = result.scores.get(name, 0.0)
            lines += ["", f"### {name}: {score:g} of {question['points']:g} points"]
            if name in result.messages:
                lines += ["", "```", result.messages[name].strip(), "```"]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
