"""python -m helpers.assignment build [--out editions] | grade SUBMISSIONS [--editions editions] [--out graded]
| merge [--graded graded] [--sheet graded/hand_scores.csv] [--roster canvas_export.csv] [--assignment NAME]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from helpers.config import project_root

__all__: list[str] = []  # nothing here is used outside helpers.assignment


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.assignment", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="write the student, solution and autograder editions")
    build_parser.add_argument("--out", type=Path, default=project_root() / "editions")
    grade_parser = commands.add_parser("grade", help="grade a folder of student folders offline")
    grade_parser.add_argument(
        "submissions",
        type=Path,
        help="a folder or zip: a folder or zip per student, or Canvas's or Gradescope's download",
    )
    grade_parser.add_argument("--editions", type=Path, default=project_root() / "editions")
    grade_parser.add_argument("--out", type=Path, default=project_root() / "graded")
    grade_parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per notebook")
    grade_parser.add_argument("--workers", type=int, help="students graded at once (default: one per CPU core)")
    merge_parser = commands.add_parser("merge", help="add the filled hand-score sheet to grades.csv; Canvas CSV")
    merge_parser.add_argument("--graded", type=Path, default=project_root() / "graded", help="grade's output folder")
    merge_parser.add_argument("--sheet", type=Path, help="the filled sheet (default: GRADED/hand_scores.csv)")
    merge_parser.add_argument("--roster", type=Path, help="the course's Canvas gradebook export, to match students")
    merge_parser.add_argument("--assignment", default="Folk RNN assignment", help="the Canvas assignment's column")
    merge_parser.add_argument("--partial", action="store_true", help="count blank hand scores as 0 instead of stopping")
    args = parser.parse_args(argv)
    if args.command == "build":
        from helpers.assignment.edition import build

        started = time.perf_counter()
        editions = build(project_root(), args.out)
        print(f"student edition:    {editions.student}")
        print(f"solution edition:   {editions.solution}")
        print(f"autograder:         {editions.autograder}")
        print(f"built in {time.perf_counter() - started:.0f} s; no answer is in the student edition")
    if args.command == "grade":
        from helpers.assignment.grade import grade

        csv_path = grade(args.submissions, args.editions, args.out, args.timeout, workers=args.workers)
        print(f"grades: {csv_path}; feedback per student: {csv_path.parent / 'feedback'}")
        print(f"what was found and used: {csv_path.parent / 'manifest.csv'}")
        print(f"to grade by hand: {csv_path.parent / 'hand_scores.csv'} (fill in points, then make merge-grades)")
    if args.command == "merge":
        from helpers.assignment.canvas import CANVAS_CSV, read_manifest_people, write_canvas
        from helpers.assignment.rubric import merge

        try:
            csv_path, rows = merge(args.graded, args.sheet, args.partial)
        except (ValueError, FileNotFoundError) as error:
            raise SystemExit(f"merge stopped: {error}") from None
        people = read_manifest_people(args.graded / "manifest.csv")
        canvas, problems = write_canvas(rows, people, args.graded / CANVAS_CSV, args.assignment, args.roster)
        print(f"grades with hand scores and totals: {csv_path}")
        print(f"for Canvas (Grades > Import): {canvas}")
        for problem in problems:
            print(f"  Canvas: {problem}")


if __name__ == "__main__":
    main()
