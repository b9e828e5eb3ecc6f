"""Seconds per student of `make grade`, and the projected time for a class of 200, on this machine.

Grades STUDENTS copies of the perfect submission (the solution's answers written into the student edition) with
the local grader, WORKERS students at a time (default one per CPU core), and prints the wall time per student and
the projection. The editions come from --editions (what `make assignment` wrote), else they are built first.
Usage: .venv/bin/python benchmarks/grading.py [--students 4] [--workers 2] [--editions editions]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
from pathlib import Path

from helpers.assignment.edition import build, fill_answers
from helpers.assignment.grade import grade
from helpers.config import project_root

CLASS = 200  # students in the projection


def perfect_submissions(editions: Path, folder: Path, students: int) -> Path:
    """students folders in folder, each with every notebook answered as the solution answers it."""
    questions = json.loads((editions / "autograder" / "questions.json").read_text())
    for notebook in questions:
        handed_out = json.loads((editions / "student" / "notebooks" / notebook).read_text())
        text = json.dumps(fill_answers(handed_out, project_root() / "notebooks" / notebook))
        for student in range(students):
            (folder / f"student{student:03d}").mkdir(parents=True, exist_ok=True)
            (folder / f"student{student:03d}" / notebook).write_text(text)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None, help="students at once (default: one per CPU core)")
    parser.add_argument("--editions", type=Path, help="built editions (default: build them in a scratch folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        editions = args.editions or build(project_root(), scratch / "editions").student.parent
        submissions = perfect_submissions(editions, scratch / "submissions", args.students)
        started = time.perf_counter()
        grades = grade(submissions, editions, scratch / "graded", workers=args.workers, report=lambda line: None)
        seconds = time.perf_counter() - started
        rows = list(csv.DictReader(grades.open()))
    per_student = seconds / args.students
    workers = args.workers or os.cpu_count()
    print(f"{args.students} students, {workers} at a time, on {os.cpu_count()} CPU cores: {seconds:.0f} s in all")
    print(f"{per_student:.1f} s per student (wall time, the reference workspace's set-up included)")
    print(f"projected for {CLASS} students: {per_student * CLASS / 60:.0f} minutes")
    full = [row for row in rows if float(row["auto_points"]) == float(row["auto_possible"])]
    print(f"{len(full)} of {len(rows)} perfect submissions got every auto-graded point")


if __name__ == "__main__":
    main()
