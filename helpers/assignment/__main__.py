"""python -m helpers.assignment build [--out editions] | grade SUBMISSIONS [--editions editions] [--out graded]"""

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
    grade_parser.add_argument("submissions", type=Path, help="one folder per student, holding their notebooks")
    grade_parser.add_argument("--editions", type=Path, default=project_root() / "editions")
    grade_parser.add_argument("--out", type=Path, default=project_root() / "graded")
    grade_parser.add_argument("--timeout", type=float, default=600, help="seconds allowed per notebook")
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

        csv_path = grade(args.submissions, args.editions, args.out, args.timeout)
        print(f"grades: {csv_path}; feedback per student: {csv_path.parent / 'feedback'}")


if __name__ == "__main__":
    main()
