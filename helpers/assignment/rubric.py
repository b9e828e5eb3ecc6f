"""Hand-graded questions: their rubrics, the hand-score sheet, and merging the filled sheet into the grades.

Each hand-graded question has a rubric cell in its master notebook (first line ``<!-- RUBRIC -->``, or the tag
``rubric``), one criterion a line: ``- 1 point: what earns it`` (a criterion may go on over indented lines). The
points of a rubric add up to its question's points. ``make grade`` writes rubrics.json and hand_scores.csv (one
row per student and criterion, the student's answer beside it; points already filled in are kept when it is
written again); ``make merge-grades`` adds the filled points to grades.csv, with totals, adds each student's hand
points and comments to their feedback, and writes canvas_grades.csv (see helpers.assignment.canvas).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.assignment.edition import cell_text, is_rubric_cell

__all__: list[str] = []  # nothing here is used outside helpers.assignment

RUBRICS = "rubrics.json"
SHEET = "hand_scores.csv"
SHEET_COLUMNS = ["student", "notebook", "question", "criterion", "max_points", "points", "comment", "rubric", "answer"]
CRITERION = re.compile(r"^\s*[-*]\s*(\d+(?:\.\d+)?)\s*points?\s*:\s*(.+)$", re.IGNORECASE)
MAX_CELL = 30_000  # characters of an answer in one spreadsheet cell (Excel holds 32,767)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula
HAND_SECTION = "## Graded by hand"


@dataclass(frozen=True)
class Criterion:
    """One line of a rubric: its question, its number there (q17.1, q17.2, ...), its points and what earns them."""

    notebook: str
    question: str
    number: int
    points: float
    text: str

    @property
    def id(self) -> str:
        return f"{self.question}.{self.number}"


def parse_rubric(text: str) -> list[tuple[float, str]]:
    """A rubric cell's criteria: (points, text) per '- N point(s): ...' line and its indented continuation."""
    criteria: list[tuple[float, str]] = []
    for line in text.splitlines():
        found = CRITERION.match(line)
        if found:
            criteria.append((float(found[1]), found[2].strip()))
        elif criteria and line.startswith((" ", "\t")) and line.strip():
            criteria[-1] = (criteria[-1][0], f"{criteria[-1][1]} {line.strip()}")
    return criteria


def read_rubrics(notebooks: Path, questions: dict[str, dict]) -> list[Criterion]:
    """Every hand-graded question's criteria, from the rubric cells of the notebooks (the solution edition's).

    A hand-graded question without a rubric gets one criterion, the whole question; a rubric whose points do not
    add up to its question's points is refused.
    """
    found = []
    for notebook, asked in questions.items():
        manual = [name for name, question in asked.items() if question["manual"]]
        if not manual:
            continue
        rubrics: dict[str, list[tuple[float, str]]] = {}
        question = None
        for cell in json.loads((notebooks / notebook).read_text(encoding="utf-8"))["cells"]:
            text = cell_text(cell)
            if cell["cell_type"] == "raw" and text.strip().upper().startswith("# BEGIN QUESTION"):
                question = next(
                    (line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("name:")), None
                )
            elif is_rubric_cell(cell) and question:
                rubrics.setdefault(question, []).extend(parse_rubric(text))
        for name in manual:
            points = asked[name]["points"]
            criteria = rubrics.get(name) or [(points, "the whole question (its notebook has no rubric)")]
            if abs(sum(p for p, _ in criteria) - points) > 1e-9:
                raise ValueError(
                    f"{notebook}: the rubric of {name} gives {sum(p for p, _ in criteria):g} points, "
                    f"the question is worth {points:g}: make its criteria add up"
                )
            found += [Criterion(notebook, name, i, p, text) for i, (p, text) in enumerate(criteria, start=1)]
    return found


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text: never run as a formula, and short enough for one cell."""
    if len(text) > MAX_CELL:
        text = text[:MAX_CELL] + " ... (cut here; the whole answer is in the student's feedback file)"
    return "'" + text if text.startswith(FORMULA_START) else text


def read_sheet(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        return list(csv.DictReader(file))


def write_sheet(path: Path, criteria: list[Criterion], answers: dict[str, dict[str, str]]) -> Path:
    """The hand-score sheet: one row per student and criterion, with the answer; filled points are kept.

    answers: per student, their answer to each hand-graded question. Points and comments already in a sheet at
    path (from an earlier run) stay with their student and criterion.
    """
    kept = {}
    if path.is_file():
        kept = {(row["student"], row["criterion"]): row for row in read_sheet(path)}
    rows = []
    for student, answered in answers.items():
        for criterion in criteria:
            earlier = kept.get((student, criterion.id), {})
            rows.append(
                {
                    "student": student,
                    "notebook": criterion.notebook,
                    "question": criterion.question,
                    "criterion": criterion.id,
                    "max_points": f"{criterion.points:g}",
                    "points": earlier.get("points", ""),
                    "comment": earlier.get("comment", ""),
                    "rubric": criterion.text,
                    "answer": spreadsheet_safe(answered.get(criterion.question, "(no answer)")),
                }
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, SHEET_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_rubrics(path: Path, criteria: list[Criterion]) -> Path:
    """The rubrics as graded, for merge to check the sheet against and for graders to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(c) for c in criteria], indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def hand_points(sheet: list[dict], criteria: list[Criterion], students: list[str], partial: bool) -> dict:
    """Per student, per hand-graded question: the sum of its criteria's points from the filled sheet.

    Refuses, naming the rows: points that are not numbers or lie outside 0..max, unknown students or criteria, and
    (unless partial, where they count 0 and are listed) blank points or missing rows.
    """
    known = {c.id: c for c in criteria}
    errors, blanks, filled, seen = [], [], {}, set()
    for line, row in enumerate(sheet, start=2):
        student, criterion, value = row.get("student", ""), row.get("criterion", ""), (row.get("points") or "").strip()
        where = f"row {line} ({student}, {criterion})"
        seen.add((student, criterion))
        if student not in students:
            errors.append(f"{where}: no such student in grades.csv")
        elif criterion not in known:
            errors.append(f"{where}: no such criterion in {RUBRICS}")
        elif not value:
            blanks.append(where)
        else:
            try:
                points = float(value)
            except ValueError:
                errors.append(f"{where}: points {value!r} is not a number")
                continue
            if not 0 <= points <= known[criterion].points:
                errors.append(f"{where}: points {value} outside 0..{known[criterion].points:g}")
            else:
                filled[(student, criterion)] = (points, (row.get("comment") or "").strip())
    for student in students:
        for criterion in criteria:
            if (student, criterion.id) not in seen:
                blanks.append(f"no row for ({student}, {criterion.id})")
    if errors:
        raise ValueError("the hand-score sheet has errors:\n" + "\n".join(errors[:30]))
    if blanks and not partial:
        raise ValueError(
            f"{len(blanks)} hand scores are not filled in (or pass --partial to count them 0):\n"
            + "\n".join(blanks[:30])
        )
    return {"filled": filled, "blank": blanks}


def merge(graded: Path, sheet: Path | None = None, partial: bool = False) -> tuple[Path, list[dict]]:
    """Add the filled hand-score sheet to graded/grades.csv: the hand-graded columns, hand and overall totals.

    Each student's hand points and the graders' comments are added to their feedback file. Returns grades.csv and
    its rows.
    """
    graded = Path(graded)
    sheet = Path(sheet) if sheet else graded / SHEET
    criteria = [Criterion(**item) for item in json.loads((graded / RUBRICS).read_text(encoding="utf-8"))]
    rows = read_sheet(graded / "grades.csv")
    students = [row["student"] for row in rows]
    scores = hand_points(read_sheet(sheet), criteria, students, partial)
    questions = {c.question: 0.0 for c in criteria}
    for criterion in criteria:
        questions[criterion.question] += criterion.points
    merged = []
    for row in rows:
        student, hand = row["student"], 0.0
        for question in questions:
            points = sum(
                scores["filled"].get((student, c.id), (0.0, ""))[0] for c in criteria if c.question == question
            )
            row[question], hand = f"{points:g}", hand + points
        auto, auto_possible = float(row["auto_points"]), float(row["auto_possible"])
        hand_possible = sum(questions.values())
        extra = {"hand_points": f"{hand:g}", "hand_possible": f"{hand_possible:g}"}
        extra |= {"total": f"{auto + hand:g}", "possible": f"{auto_possible + hand_possible:g}"}
        notes = [note for note in [row.get("notes", "")] if note]
        missing = [b for b in scores["blank"] if f"({student}," in b]
        if missing:
            notes.append(f"{len(missing)} hand scores not filled in, counted 0")
        merged.append({key: value for key, value in row.items() if key not in extra and key != "notes"} | extra)
        merged[-1]["notes"] = "; ".join(notes)
        feedback = graded / "feedback" / f"{student}.md"
        if feedback.is_file():
            add_hand_feedback(feedback, [(c, scores["filled"].get((student, c.id))) for c in criteria])
    with (graded / "grades.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(merged[0]))
        writer.writeheader()
        writer.writerows(merged)
    return graded / "grades.csv", merged


def add_hand_feedback(path: Path, scored: list[tuple[Criterion, tuple[float, str] | None]]) -> None:
    """Replace the feedback file's hand-graded section (at its end) with each criterion's points and comment."""
    text = path.read_text(encoding="utf-8").split(f"\n{HAND_SECTION}\n", 1)[0].rstrip("\n")
    lines = [text, "", HAND_SECTION, ""]
    for criterion, score in scored:
        points = "not graded yet" if score is None else f"{score[0]:g} of {criterion.points:g} points"
        lines.append(f"- {criterion.id} ({points}): {criterion.text}")
        if score and score[1]:
            lines.append(f"  - grader: {score[1]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
