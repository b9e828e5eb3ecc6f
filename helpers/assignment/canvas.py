"""The grades as a CSV that Canvas's gradebook imports (Grades > Import).

Canvas reads the columns Student, ID, SIS User ID, SIS Login ID and Section, then one column per assignment
("Folk RNN assignment", or "Folk RNN assignment (12345)" for an existing one); a second row that starts with
"Points Possible" is allowed. With the course's own gradebook export as the roster, each student's row is the
roster's, matched by Canvas user id (known from a Canvas download) or by name, and the assignment column keeps
the roster's header when the assignment is already there.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

__all__: list[str] = []  # nothing here is used outside helpers.assignment

CANVAS_CSV = "canvas_grades.csv"
IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"


def name_key(name: str) -> str:
    """A name as Canvas's download file names write it: letters only, lower case, accents dropped."""
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", ascii_only.lower())


def roster_keys(student: str) -> set[str]:
    """The name keys of a roster's "Last, First" name: lastfirst (Canvas's file names) and firstlast."""
    if "," in student:
        last, first = (part.strip() for part in student.split(",", 1))
        return {name_key(last + first), name_key(first + last)}
    return {name_key(student)}


def read_manifest_people(manifest: Path) -> dict[str, dict]:
    """Per student (grades.csv's name for them): their name as submitted and their ids, from the manifest."""
    people = {}
    with manifest.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["student"] and row["student"] not in people:
                ids = dict(item.split("=", 1) for item in row["ids"].split("; ") if "=" in item)
                people[row["student"]] = {"name": row["name"], "ids": ids}
    return people


def write_canvas(
    rows: list[dict], people: dict[str, dict], path: Path, assignment: str, roster: Path | None = None
) -> tuple[Path, list[str]]:
    """Write the Canvas import CSV of each student's total; returns it and what could not be matched, in words."""
    problems = []
    possible = max((float(row["possible"]) for row in rows), default=0.0)
    if roster is None:
        header = [*IDENTITY, assignment]
        lines = [[POINTS_POSSIBLE, "", "", "", "", f"{possible:g}"]]
        for row in rows:
            person = people.get(row["student"], {"name": row["student"], "ids": {}})
            canvas_id = person["ids"].get("canvas_user_id", "")
            sis = person["ids"].get("sid", "")
            lines.append([person["name"] or row["student"], canvas_id, sis, "", "", row["total"]])
    else:
        with roster.open(newline="", encoding="utf-8-sig") as file:
            table = list(csv.reader(file))
        if not table or table[0][: len(IDENTITY)] != IDENTITY:
            raise ValueError(f"{roster}: not a Canvas gradebook export (its first columns should be {IDENTITY})")
        column = next((name for name in table[0] if name == assignment or name.startswith(f"{assignment} (")), None)
        header = [*IDENTITY, column or assignment]
        lines = [[POINTS_POSSIBLE, "", "", "", "", f"{possible:g}"]]
        by_id, by_name = {}, {}
        for row in rows:
            person = people.get(row["student"], {"name": row["student"], "ids": {}})
            if person["ids"].get("canvas_user_id"):
                by_id[person["ids"]["canvas_user_id"]] = row
            for key in {name_key(person["name"]), name_key(row["student"])} - {""}:
                by_name.setdefault(key, []).append(row)
        matched = set()
        for entry in table[1:]:
            if not entry or entry[0].strip().startswith(POINTS_POSSIBLE) or len(entry) < len(IDENTITY):
                continue
            row = by_id.get(entry[1])
            if row is None:
                candidates = {id(r): r for key in roster_keys(entry[0]) for r in by_name.get(key, [])}
                if len(candidates) > 1:
                    problems.append(f"{entry[0]}: more than one graded student has this name; left blank")
                row = next(iter(candidates.values())) if len(candidates) == 1 else None
            if row is None:
                problems.append(f"{entry[0]} (ID {entry[1]}): in the roster, not graded; left blank")
                lines.append([*entry[: len(IDENTITY)], ""])
                continue
            matched.add(row["student"])
            lines.append([*entry[: len(IDENTITY)], row["total"]])
        problems += [f"{row['student']}: graded, not in the roster" for row in rows if row["student"] not in matched]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(lines)
    return path, problems
