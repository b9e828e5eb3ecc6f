"""Hand-graded questions end to end on three students: the notebooks' rubrics, the hand-score sheet beside each
answer, the merge into grades.csv with totals and feedback, and the Canvas gradebook CSV, with and without a roster.

The auto-graded scores are given (no otter run); intake, the sheet, merge and the export are the real code.
"""

import csv
import json
from pathlib import Path

import pytest

from helpers.assignment.__main__ import main
from helpers.assignment.edition import is_rubric_cell, master_notebooks, question_points, without_rubrics
from helpers.assignment.grade import NotebookResult, score_row, write_feedback, write_grades, written_answers
from helpers.assignment.intake import collect, write_manifest
from helpers.assignment.rubric import RUBRICS, SHEET, read_rubrics, read_sheet, write_sheet
from helpers.config import project_root

ASSIGNMENT = "Folk RNN"
STUDENTS = {  # Canvas file-name part, user id, the answer they wrote, whether they handed in 06
    "adalovelace": ("101", "Welch's t-test; Holm because many claims are tested.", True),
    "bocarter": ("102", "=SUM(A1:A9) is beyond noise", True),  # a spreadsheet formula, kept as text
    "zoeangstrom": ("103", "Zoë: the Holm-adjusted p decides.", False),
}


def real_questions() -> dict[str, dict]:
    """The hand-graded notebooks of the course, with one auto-graded question of 01_data beside them."""
    questions = {master.name: question_points(master) for master in master_notebooks(project_root())}
    manual = {name: asked for name, asked in questions.items() if any(q["manual"] for q in asked.values())}
    first_auto = next(iter(questions["01_data.ipynb"]))
    return {"01_data.ipynb": {first_auto: questions["01_data.ipynb"][first_auto]}} | manual


def student_notebook(assignment: str, answer: str) -> str:
    """A notebook as the student edition hands out a hand-graded question, with the student's answer in it."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "<!-- BEGIN QUESTION -->\n\n**Exercise** ..."},
        {"cell_type": "markdown", "metadata": {"tags": ["otter_answer_cell"]}, "source": answer},
        {"cell_type": "markdown", "metadata": {}, "source": "<!-- END QUESTION -->\n\nmore text"},
    ]
    metadata = {"otter": {"assignment_name": assignment}}
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})


def graded_folder(tmp_path: Path, questions: dict) -> Path:
    """What make grade leaves for three Canvas students: manifest, grades.csv, feedback, rubrics and the sheet."""
    submissions, graded = tmp_path / "canvas", tmp_path / "graded"
    submissions.mkdir()
    for name, (user, answer, all_in) in STUDENTS.items():
        for number, notebook in enumerate(questions):
            if notebook != "01_data.ipynb" and (all_in or number < 2):
                text = student_notebook(Path(notebook).stem, f"{answer} ({notebook})")
                (submissions / f"{name}_{user}_{number}_{notebook}").write_text(text, encoding="utf-8")
    found = collect(submissions, questions, tmp_path / "scratch")
    write_manifest(found, graded / "manifest.csv")
    criteria = read_rubrics(project_root() / "notebooks", questions)
    rows, answers = [], {}
    for submission in found:
        results = {}
        for notebook, asked in questions.items():
            manual = [name for name, question in asked.items() if question["manual"]]
            results[notebook] = NotebookResult(scores={name: 1.0 for name in asked if name not in manual})
            path = submission.notebooks.get(notebook)
            results[notebook].written = written_answers(path, manual) if path else dict.fromkeys(manual, "(none)")
        rows.append(score_row(submission.student, questions, results))
        answers[submission.student] = {n: t for result in results.values() for n, t in result.written.items()}
        write_feedback(graded / "feedback" / f"{submission.student}.md", submission.name, questions, results)
    write_grades(graded, rows, criteria, answers)
    return graded


def fill(sheet: Path, points, comment: str = "") -> None:
    """Fill every criterion of the sheet: points(row) for each row, and one comment on the first."""
    rows = read_sheet(sheet)
    for index, row in enumerate(rows):
        row["points"] = points(row)
        row["comment"] = comment if index == 0 else ""
    with sheet.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_every_hand_graded_question_has_a_rubric_that_adds_up_to_its_points():
    questions = real_questions()
    criteria = read_rubrics(project_root() / "notebooks", questions)
    manual = {name: q["points"] for asked in questions.values() for name, q in asked.items() if q["manual"]}
    assert len(manual) >= 2
    for name, points in manual.items():
        mine = [c for c in criteria if c.question == name]
        assert len(mine) >= 2 and "no rubric" not in mine[0].text, f"{name} has no rubric cell"
        assert sum(c.points for c in mine) == points


def test_the_rubric_cells_are_left_out_of_what_otter_assigns(tmp_path):
    for master in master_notebooks(project_root()):
        cells = json.loads(master.read_text(encoding="utf-8"))["cells"]
        stripped = json.loads(without_rubrics(master, tmp_path).read_text(encoding="utf-8"))["cells"]
        assert stripped == [cell for cell in cells if not is_rubric_cell(cell)]
        assert "<!-- RUBRIC -->" not in json.dumps(stripped)
        if any(question["manual"] for question in question_points(master).values()):
            assert len(stripped) < len(cells), f"{master.name}: no rubric cell found"


def test_a_rubric_that_does_not_add_up_is_refused(tmp_path):
    cells = [
        {"cell_type": "raw", "metadata": {}, "source": "# BEGIN QUESTION\nname: q9\npoints: 3\nmanual: true"},
        {"cell_type": "markdown", "metadata": {}, "source": "<!-- RUBRIC -->\n- 1 point: one\n- 1 point: two"},
    ]
    (tmp_path / "n.ipynb").write_text(json.dumps({"cells": cells}))
    with pytest.raises(ValueError, match="rubric of q9 gives 2 points, the question is worth 3"):
        read_rubrics(tmp_path, {"n.ipynb": {"q9": {"points": 3.0, "manual": True}}})


def test_rubric_sheet_merge_and_canvas_export_for_three_students(tmp_path, capsys):
    questions = real_questions()
    graded = graded_folder(tmp_path, questions)
    sheet = read_sheet(graded / SHEET)
    criteria = json.loads((graded / RUBRICS).read_text())
    assert len(sheet) == 3 * len(criteria)  # one row per student and criterion
    by_key = {(row["student"], row["criterion"]): row for row in sheet}
    first = criteria[0]
    assert by_key[("adalovelace", f"{first['question']}.1")]["answer"].startswith("Welch's t-test")
    assert by_key[("bocarter", f"{first['question']}.1")]["answer"].startswith("'=SUM")  # never a formula
    assert by_key[("zoeangstrom", f"{criteria[-1]['question']}.1")]["answer"] == "(none)"  # 06 not handed in
    assert by_key[("adalovelace", f"{first['question']}.1")]["rubric"] == first["text"]

    # Full marks for Ada, nothing for Bo, one point per criterion's first point for Zoë.
    def points(row):
        return {"adalovelace": row["max_points"], "bocarter": "0", "zoeangstrom": "1"}[row["student"]]

    fill(graded / SHEET, points, comment="Clear, and the adjusted p is read right.")
    main(["merge", "--graded", str(graded), "--assignment", ASSIGNMENT])
    rows = {row["student"]: row for row in csv.DictReader((graded / "grades.csv").open(encoding="utf-8"))}
    hand_possible = sum(c["points"] for c in criteria)
    auto_possible = float(rows["adalovelace"]["auto_possible"])
    for student, hand in {"adalovelace": hand_possible, "bocarter": 0.0, "zoeangstrom": float(len(criteria))}.items():
        row = rows[student]
        assert float(row["hand_points"]) == hand and float(row["hand_possible"]) == hand_possible
        assert float(row["total"]) == float(row["auto_points"]) + hand
        assert float(row["possible"]) == auto_possible + hand_possible
        for question in {c["question"] for c in criteria}:
            mine = [c for c in criteria if c["question"] == question]
            expected = {"adalovelace": sum(c["points"] for c in mine), "bocarter": 0, "zoeangstrom": len(mine)}
            assert float(row[question]) == expected[student]
    feedback = (graded / "feedback" / "adalovelace.md").read_text(encoding="utf-8")
    assert "## Graded by hand" in feedback and "grader: Clear, and the adjusted p is read right." in feedback
    main(["merge", "--graded", str(graded), "--assignment", ASSIGNMENT])  # twice: the same, one section
    assert (graded / "feedback" / "adalovelace.md").read_text(encoding="utf-8").count("## Graded by hand") == 1

    canvas = list(csv.reader((graded / "canvas_grades.csv").open(encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert canvas[1][0] == "Points Possible" and float(canvas[1][-1]) == auto_possible + hand_possible
    assert {line[1]: float(line[-1]) for line in canvas[2:]} == {
        STUDENTS[student][0]: float(rows[student]["total"]) for student in STUDENTS
    }

    roster = tmp_path / "gradebook_export.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Folk RNN (5555),Current Score\n"
        "    Points Possible,,,,,24,\n"
        '"Lovelace, Ada",101,s101,ada,Sec 1,,\n'
        '"Carter, Bo",999,s102,bo,Sec 1,,\n'  # an id Canvas's download did not give: matched by name
        '"Ångström, Zoë",103,s103,zoe,Sec 2,,\n'
        '"Student, Test",1,,,Sec 1,,\n',
        encoding="utf-8",
    )
    main(["merge", "--graded", str(graded), "--assignment", ASSIGNMENT, "--roster", str(roster)])
    canvas = list(csv.reader((graded / "canvas_grades.csv").open(encoding="utf-8")))
    assert canvas[0][-1] == "Folk RNN (5555)"  # the existing assignment, not a new column
    scores = {line[0]: line[-1] for line in canvas[2:]}
    assert float(scores["Lovelace, Ada"]) == float(rows["adalovelace"]["total"])
    assert float(scores["Carter, Bo"]) == float(rows["bocarter"]["total"])
    assert float(scores["Ångström, Zoë"]) == float(rows["zoeangstrom"]["total"])
    assert (
        scores["Student, Test"] == "" and "Student, Test (ID 1): in the roster, not graded" in capsys.readouterr().out
    )


def test_merge_refuses_a_bad_or_unfilled_sheet_and_partial_counts_blanks_zero(tmp_path):
    graded = graded_folder(tmp_path, real_questions())
    with pytest.raises(SystemExit, match="hand scores are not filled in"):
        main(["merge", "--graded", str(graded)])
    fill(graded / SHEET, lambda row: "5" if row["student"] == "bocarter" else row["max_points"])
    with pytest.raises(SystemExit, match=r"\(bocarter, q\d+\.1\): points 5 outside 0\.\.1"):
        main(["merge", "--graded", str(graded)])
    fill(graded / SHEET, lambda row: "" if row["student"] == "bocarter" else "1")
    main(["merge", "--graded", str(graded), "--partial"])
    rows = {row["student"]: row for row in csv.DictReader((graded / "grades.csv").open(encoding="utf-8"))}
    assert float(rows["bocarter"]["hand_points"]) == 0 and "not filled in, counted 0" in rows["bocarter"]["notes"]


def test_grading_again_keeps_the_points_already_filled_in(tmp_path):
    questions = real_questions()
    graded = graded_folder(tmp_path, questions)
    fill(graded / SHEET, lambda row: "1" if row["student"] == "adalovelace" else "", comment="kept")
    criteria = read_rubrics(project_root() / "notebooks", questions)
    write_sheet(graded / SHEET, criteria, {"adalovelace": {}, "newcomer": {}})
    rows = read_sheet(graded / SHEET)
    assert {row["points"] for row in rows if row["student"] == "adalovelace"} == {"1"}
    assert rows[0]["comment"] == "kept" and {row["points"] for row in rows if row["student"] == "newcomer"} == {""}
