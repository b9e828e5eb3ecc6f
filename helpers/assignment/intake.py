"""Find each student's notebooks in a folder or zip of submissions, whatever its layout, and say what was used.

Accepted layouts, mixed freely:
- a folder per student (their notebooks at any depth, zips inside unpacked);
- a zip per student (``alice.zip``);
- Canvas's bulk download: flat files ``<name>[_late]_<user id>_<submission id>_<file>`` (zips among them unpacked);
- Gradescope's export: one folder per submission and ``submission_metadata.yml`` naming its submitters;
- loose notebooks named after their student, ``alice_01_data.ipynb``;
and the whole of it as one zip. A notebook is recognised by what is inside it (otter's assignment name, its
``otter.Notebook(...)`` cell, the questions it checks), else by a lenient file name (``01_data (1).ipynb``,
``alice_01_data.ipynb``, ``01-data.ipynb.txt``). Every file found is either used or listed as ignored with a reason.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from helpers.assignment.edition import cell_text

__all__: list[str] = []  # nothing here is used outside helpers.assignment

MANIFEST = "manifest.csv"
GRADESCOPE_METADATA = "submission_metadata.yml"
MAX_NOTEBOOK_BYTES = 100 * 2**20  # a larger file is not read as a notebook (figures embedded make them big)
MAX_UNZIPPED_BYTES = 2 * 2**30  # one zip may unpack to at most this much
MAX_ZIP_MEMBERS = 10_000
MAX_NAME = 80  # characters of a student's folder name
CANVAS_FILE = re.compile(r"^(?P<name>[^_]+?)(?:_(?:late|LATE|Late))?_(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|[-_ ]\d+|[-_ ]copy(\s*\d+)?|[-_ ]kopie)$", re.IGNORECASE)
NOTEBOOK_CALL = re.compile(r"otter\.Notebook\(\s*[\"']([^\"']+)[\"']")
CHECK_CALL = re.compile(r"grader\.check\(\s*[\"']([^\"']+)[\"']")


@dataclass
class Submission:
    """One student's submission: the notebooks used for grading, and what else was found and why not used."""

    student: str  # a safe folder and file name for the student's feedback and work
    name: str  # as the submissions gave it
    layout: str  # folder, zip, canvas, gradescope or loose file
    ids: dict[str, str] = field(default_factory=dict)  # canvas_user_id, gradescope_submission, sid, email
    files: list[tuple[Path, str]] = field(default_factory=list)  # (file on disk, where it came from)
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected notebook name -> the file used
    used: dict[str, tuple[str, str]] = field(default_factory=dict)  # expected name -> (origin, how recognised)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (origin, why)
    missing: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A student's name as one harmless folder name: letters of any alphabet, digits, spaces, '-', '_' and '.',
    never '..', never hidden, never empty."""
    text = unicodedata.normalize("NFC", name)
    text = re.sub(r"[^\w .-]", "_", text)
    text = re.sub(r"\.{2,}", "_", text).strip(" ._-")
    return text[:MAX_NAME].strip(" ._-") or "student"


def unpack(archive: Path, target: Path) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """Unpack a zip into target, member by member: (files written, with their origin), (members skipped, why).

    A member with an absolute path, '..', a link, or past the size limits is skipped, never written outside target.
    """
    written, skipped, total = [], [], 0
    try:
        with zipfile.ZipFile(archive) as opened:
            members = opened.infolist()
            for index, member in enumerate(members):
                origin = f"{archive.name}:{member.filename}"
                parts = Path(member.filename.replace("\\", "/")).parts
                if member.is_dir():
                    continue
                if index >= MAX_ZIP_MEMBERS:
                    skipped.append((origin, f"past the first {MAX_ZIP_MEMBERS} files of the zip"))
                    continue
                if member.filename.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", member.filename):
                    skipped.append((origin, "its path leaves the zip's folder"))
                    continue
                if (member.external_attr >> 16) & 0o170000 == 0o120000:
                    skipped.append((origin, "a symbolic link"))
                    continue
                total += member.file_size
                if total > MAX_UNZIPPED_BYTES:
                    skipped.append((origin, f"the zip unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB"))
                    continue
                path = target.joinpath(*parts)
                path.parent.mkdir(parents=True, exist_ok=True)
                with opened.open(member) as source, path.open("wb") as copy:
                    shutil.copyfileobj(source, copy)
                stamp = datetime(*member.date_time).timestamp()
                os.utime(path, (stamp, stamp))
                written.append((path, origin))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        skipped.append((archive.name, f"not a readable zip ({error})"))
    return written, skipped


def files_under(folder: Path, root: Path, scratch: Path) -> tuple[list[tuple[Path, str]], list[tuple[str, str]]]:
    """Every file under folder (zips unpacked into scratch, once), with its origin relative to root."""
    files, skipped = [], []
    for path in sorted(folder.rglob("*")):
        origin = path.relative_to(root).as_posix()
        if path.is_symlink():
            skipped.append((origin, "a symbolic link"))
        elif path.is_file() and path.suffix.lower() == ".zip":
            unpacked, left = unpack(path, scratch / path.relative_to(folder).as_posix().replace("/", "_"))
            files += [(file, f"{origin}:{inner.split(':', 1)[1]}") for file, inner in unpacked]
            skipped += left
        elif path.is_file():
            files.append((path, origin))
    return files, skipped


def read_notebook(path: Path) -> dict | None:
    """The notebook's JSON if the file holds one (whatever its name), else None."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None
        notebook = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    return notebook if isinstance(notebook, dict) and isinstance(notebook.get("cells"), list) else None


def by_content(notebook: dict, questions: dict[str, dict]) -> tuple[str | None, str]:
    """Which expected notebook this is from its cells: otter's assignment name, its otter.Notebook(...) call, or
    the questions it checks. (name or None, how it was recognised)"""
    metadata = notebook.get("metadata", {}) if isinstance(notebook.get("metadata"), dict) else {}
    otter = metadata.get("otter", {}) if isinstance(metadata.get("otter"), dict) else {}
    named = f"{otter.get('assignment_name', '')}.ipynb"
    if named in questions:
        return named, "its otter assignment name"
    code = "\n".join(cell_text(cell) for cell in notebook["cells"] if isinstance(cell, dict))
    for found in NOTEBOOK_CALL.findall(code):
        if Path(found).name in questions:
            return Path(found).name, f'its otter.Notebook("{Path(found).name}") cell'
    checked = set(CHECK_CALL.findall(code))
    overlap = {name: len(checked & set(asked)) for name, asked in questions.items()}
    best = max(overlap, key=overlap.get, default=None)
    if best and overlap[best] and list(overlap.values()).count(overlap[best]) == 1:
        return best, f"the questions it checks ({', '.join(sorted(checked & set(questions[best])))})"
    return None, ""


def normalised(name: str) -> str:
    """A file name's stem as words joined by '_', lower case, without '.ipynb', '.txt' and browser copy marks."""
    stem = name
    for _ in range(3):
        stem = re.sub(r"\.(ipynb|json|txt)$", "", stem, flags=re.IGNORECASE)
        stem = COPY_SUFFIX.sub("", stem)
    return re.sub(r"[\W_]+", "_", stem.lower()).strip("_")


def by_name(name: str, questions: dict[str, dict]) -> tuple[str | None, str]:
    """Which expected notebook a file name means: exactly, or as words inside it (alice_01_data, 01_data (1))."""
    if name in questions:
        return name, "its file name"
    words = normalised(name)
    found = [
        expected
        for expected in questions
        if re.search(rf"(^|_){re.escape(normalised(expected))}($|_)", words) and normalised(expected)
    ]
    if len(found) == 1:
        return found[0], f"its file name, read leniently as {found[0]}"
    return None, ""


def is_litter(origin: str) -> str | None:
    """Why a file is not a submission at all (checkpoints, macOS metadata, hidden files), or None."""
    parts = re.split(r"[/:]", origin)
    if ".ipynb_checkpoints" in parts:
        return "a Jupyter checkpoint (an autosave), not the notebook itself"
    if "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1] == ".DS_Store":
        return "macOS metadata"
    return None


def match_notebooks(submission: Submission, questions: dict[str, dict]) -> None:
    """Choose, for each expected notebook, the student's file for it; list every other file with why not."""
    candidates: dict[str, list[tuple[tuple, Path, str, str]]] = {}
    for path, origin in submission.files:
        litter = is_litter(origin)
        if litter:
            submission.ignored.append((origin, litter))
            continue
        notebook = read_notebook(path)
        name_match, name_how = by_name(Path(origin.split(":")[-1]).name, questions)
        if notebook is not None:
            expected, how = by_content(notebook, questions)
            if expected and name_match and name_match != expected:
                how += f" (its name says {name_match})"
            expected, how = (expected, how) if expected else (name_match, name_how)
        elif path.suffix.lower() == ".ipynb" and name_match:
            expected, how = name_match, name_how + "; it cannot be read as a notebook"
        else:
            kind = "a notebook of none of the assignment's exercises" if notebook else "not a notebook"
            submission.ignored.append((origin, kind))
            continue
        if expected is None:
            submission.ignored.append((origin, "a notebook of none of the assignment's exercises"))
            continue
        # Preference: recognised by its cells, then its exact name, then the newest file, then the first by path.
        exact = Path(origin.split(":")[-1]).name == expected
        rank = (notebook is None, not exact, -path.stat().st_mtime, origin)
        candidates.setdefault(expected, []).append((rank, path, origin, how))
    for expected in questions:
        chosen = sorted(candidates.get(expected, []), key=lambda item: item[0])
        if not chosen:
            submission.missing.append(expected)
            continue
        _, path, origin, how = chosen[0]
        submission.notebooks[expected], submission.used[expected] = path, (origin, how)
        for _, _, other, _ in chosen[1:]:
            submission.ignored.append(
                (
                    other,
                    f"another copy of {expected}: {origin} was used (preferred: "
                    "recognised by its cells, then its exact name, then the newest)",
                )
            )


def gradescope_submissions(root: Path, scratch: Path) -> list[Submission]:
    """Gradescope's export: each submission folder named in submission_metadata.yml, once per submitter."""
    metadata = yaml.safe_load((root / GRADESCOPE_METADATA).read_text(encoding="utf-8")) or {}
    found = []
    for folder, details in sorted(metadata.items()):
        files, skipped = files_under(root / str(folder), root, scratch / safe_name(str(folder)))
        for submitter in (details or {}).get(":submitters", []) or [{":name": str(folder)}]:
            name = str(submitter.get(":name") or submitter.get(":email") or folder)
            ids = {"gradescope_submission": str(folder)}
            ids |= {key.strip(":"): str(value) for key, value in submitter.items() if key in (":sid", ":email")}
            found.append(Submission(safe_name(name), name, "gradescope", ids, list(files), ignored=list(skipped)))
    listed = {str(folder) for folder in metadata}
    for path in sorted(root.iterdir()):
        if path.name not in listed and path.name != GRADESCOPE_METADATA:
            found.append(unassigned(path, root, f"not a submission listed in {GRADESCOPE_METADATA}"))
    return found


def unassigned(path: Path, root: Path, why: str) -> Submission:
    """A file that belongs to no student: kept in the manifest (under no student), never silently dropped."""
    return Submission("", "", "unassigned", ignored=[(path.relative_to(root).as_posix(), why)])


def bulk_root(source: Path, scratch: Path) -> Path:
    """The folder to read: the source itself, or a zip of the whole class unpacked (into its one top folder)."""
    if source.is_file() and source.suffix.lower() == ".zip":
        target = scratch / "bulk"
        _, skipped = unpack(source, target)
        if skipped and not target.exists():
            raise ValueError(f"{source} is not a readable zip of submissions: {skipped[0][1]}")
        source = target
    if not source.is_dir():
        raise FileNotFoundError(f"{source}: expected a folder (or zip) of submissions")
    entries = [path for path in source.iterdir() if not is_litter(path.name) and not path.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / GRADESCOPE_METADATA).is_file():
        return entries[0]
    return source


def collect(source: Path, questions: dict[str, dict], scratch: Path) -> list[Submission]:
    """Every student's submission in source (a folder or a zip), their notebooks matched to the expected ones.

    questions: each expected notebook's questions (questions.json). Submissions without a student (files that
    belong to nobody) come last, with an empty student name.
    """
    source, scratch = Path(source), Path(scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    root = bulk_root(source, scratch)
    if (root / GRADESCOPE_METADATA).is_file():
        found = gradescope_submissions(root, scratch)
    else:
        found = folder_submissions(root, questions, scratch)
    students: dict[str, Submission] = {}
    for submission in (found_one for found_one in found if found_one.student):
        key = submission.student
        # The same name twice is one student (a folder and a zip, Canvas's files of one user), unless their ids
        # differ (two Canvas users, two Gradescope submitters of the same name): then the second gets a number.
        while key in students and clashes(students[key].ids, submission.ids):
            key = numbered(submission.student, students)
        if key in students:
            students[key].files += submission.files
            students[key].ignored += submission.ignored
            students[key].ids |= submission.ids
        else:
            submission.student = key
            students[key] = submission
    for submission in students.values():
        match_notebooks(submission, questions)
    return sorted(students.values(), key=lambda s: s.student.lower()) + [s for s in found if not s.student]


def clashes(ids: dict[str, str], other: dict[str, str]) -> bool:
    """Whether two submissions' ids say they are different people (an id both have, with different values)."""
    return any(key in other and other[key] != value for key, value in ids.items())


def numbered(student: str, taken: dict) -> str:
    """student-2, student-3, ...: the first not taken."""
    return next(f"{student}-{n}" for n in range(2, len(taken) + 3) if f"{student}-{n}" not in taken)


def folder_submissions(root: Path, questions: dict[str, dict], scratch: Path) -> list[Submission]:
    """Folders and zips per student, Canvas's flat files and loose notebooks named after their student."""
    found = []
    for path in sorted(root.iterdir()):
        origin = path.relative_to(root).as_posix()
        if path.name.startswith(".") or is_litter(origin):
            found.append(unassigned(path, root, is_litter(origin) or "a hidden file"))
            continue
        canvas = CANVAS_FILE.match(path.name) if path.is_file() else None
        if path.is_symlink():
            found.append(unassigned(path, root, "a symbolic link"))
        elif path.is_dir():
            files, skipped = files_under(path, root, scratch / "students" / safe_name(path.name))
            found.append(Submission(safe_name(path.name), path.name, "folder", {}, files, ignored=skipped))
        elif canvas:
            name, user = canvas["name"], canvas["user"]
            files, skipped = [(path, origin)], []
            if path.suffix.lower() == ".zip":
                files, skipped = unpack(path, scratch / "canvas" / safe_name(path.stem))
            found.append(Submission(safe_name(name), name, "canvas", {"canvas_user_id": user}, files, ignored=skipped))
        elif path.suffix.lower() == ".zip":
            name = COPY_SUFFIX.sub("", path.stem) or path.stem
            files, skipped = unpack(path, scratch / "zips" / safe_name(path.stem))
            found.append(Submission(safe_name(name), name, "zip", {}, files, ignored=skipped))
        else:
            expected, _ = by_name(path.name, questions)
            words = normalised(expected or "").split("_")
            owner = re.split(r"[\W_]+".join(map(re.escape, words)), path.name, flags=re.IGNORECASE)[0]
            if expected and owner.strip(" _-."):
                name = owner.strip(" _-.")
                found.append(Submission(safe_name(name), name, "loose file", {}, [(path, origin)]))
            else:
                found.append(unassigned(path, root, "a file outside any student's folder, zip or Canvas name"))
    return found


def write_manifest(submissions: list[Submission], path: Path) -> Path:
    """One row per student and file: what was used for which notebook and how it was recognised, what was ignored
    and why, which notebooks are missing. Files that belong to no student have an empty student."""
    rows = []
    for submission in submissions:
        base = {"student": submission.student, "name": submission.name, "layout": submission.layout}
        base["ids"] = "; ".join(f"{key}={value}" for key, value in submission.ids.items())
        for expected, (origin, how) in submission.used.items():
            rows.append(base | {"status": "used", "notebook": expected, "file": origin, "why": f"recognised by {how}"})
        for expected in submission.missing:
            rows.append(base | {"status": "missing", "notebook": expected, "file": "", "why": "no file for it found"})
        for origin, why in submission.ignored:
            rows.append(base | {"status": "ignored", "notebook": "", "file": origin, "why": why})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, ["student", "name", "layout", "ids", "status", "notebook", "file", "why"])
        writer.writeheader()
        writer.writerows(rows)
    return path
