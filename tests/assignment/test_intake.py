"""Intake: every layout an instructor downloads, lenient names, recognition by content, a manifest, safe names.

The notebooks are small JSON files made here, shaped like the student edition's (otter's metadata, the init cell,
grader.check cells); nothing is executed.
"""

import csv
import json
import zipfile
from pathlib import Path

import pytest

from helpers.assignment.intake import collect, safe_name, write_manifest

QUESTIONS = {
    "01_data.ipynb": {"q1": {"points": 2.0, "manual": False}, "q2": {"points": 2.0, "manual": False}},
    "04_generate.ipynb": {"q13": {"points": 2.0, "manual": False}},
    "05_experiments.ipynb": {"q18": {"points": 2.0, "manual": True}},
}


def notebook(assignment: str, metadata: bool = True, init: bool = True, checks=()) -> str:
    """A student-edition notebook of one assignment: otter's metadata, its init cell, its check cells."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"# {assignment}"}]
    if init:
        cells.append(code(f'import otter\ngrader = otter.Notebook("{assignment}.ipynb")'))
    cells += [code(f'grader.check("{name}")') for name in checks]
    meta = {"otter": {"assignment_name": assignment}} if metadata else {}
    return json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


def code(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_student(found) -> dict:
    return {submission.student: submission for submission in found if submission.student}


def used_files(submission) -> dict[str, str]:
    return {name: origin for name, (origin, _) in submission.used.items()}


def test_a_folder_per_student_with_browser_names_checkpoints_and_other_files(tmp_path):
    root = tmp_path / "submissions"
    write(root / "ada" / "01_data (1).ipynb", notebook("01_data"))  # a browser's second download
    write(root / "ada" / "work" / ".ipynb_checkpoints" / "01_data-checkpoint.ipynb", notebook("01_data"))
    write(root / "ada" / "report.pdf", "%PDF-1.4")
    write(root / "ada" / "generate-copy.ipynb.txt", notebook("04_generate", metadata=False))  # renamed, no metadata
    found = by_student(collect(root, QUESTIONS, tmp_path / "scratch"))
    ada = found["ada"]
    assert used_files(ada) == {
        "01_data.ipynb": "ada/01_data (1).ipynb",
        "04_generate.ipynb": "ada/generate-copy.ipynb.txt",
    }
    assert "otter assignment name" in ada.used["01_data.ipynb"][1]
    assert "otter.Notebook" in ada.used["04_generate.ipynb"][1]
    assert ada.missing == ["05_experiments.ipynb"]
    ignored = dict(ada.ignored)
    assert "checkpoint" in ignored["ada/work/.ipynb_checkpoints/01_data-checkpoint.ipynb"]
    assert ignored["ada/report.pdf"] == "not a notebook"


def test_a_notebook_is_recognised_by_what_it_checks_and_its_content_beats_its_name(tmp_path):
    root = tmp_path / "submissions"
    write(root / "bo" / "01_data.ipynb", notebook("04_generate", metadata=False, init=False, checks=["q13"]))
    write(root / "bo" / "mine.ipynb", notebook("01_data", metadata=False, init=False, checks=["q1", "q2"]))
    bo = by_student(collect(root, QUESTIONS, tmp_path / "scratch"))["bo"]
    assert used_files(bo) == {"01_data.ipynb": "bo/mine.ipynb", "04_generate.ipynb": "bo/01_data.ipynb"}
    assert (
        "(q13)" in bo.used["04_generate.ipynb"][1] and "its name says 01_data.ipynb" in bo.used["04_generate.ipynb"][1]
    )


def test_two_copies_the_exact_name_wins_and_the_other_is_listed(tmp_path):
    root = tmp_path / "submissions"
    write(root / "cy" / "01_data.ipynb", notebook("01_data"))
    write(root / "cy" / "01_data (2).ipynb", notebook("01_data"))
    cy = by_student(collect(root, QUESTIONS, tmp_path / "scratch"))["cy"]
    assert used_files(cy)["01_data.ipynb"] == "cy/01_data.ipynb"
    assert any(origin == "cy/01_data (2).ipynb" and "another copy" in why for origin, why in cy.ignored)


def test_an_unreadable_notebook_is_still_used_by_its_name_so_its_grading_says_why(tmp_path):
    root = tmp_path / "submissions"
    write(root / "dee" / "01_data.ipynb", "{this is not a notebook")
    write(root / "dee" / "notes.txt", "my notes")
    dee = by_student(collect(root, QUESTIONS, tmp_path / "scratch"))["dee"]
    assert used_files(dee) == {"01_data.ipynb": "dee/01_data.ipynb"}
    assert "cannot be read" in dee.used["01_data.ipynb"][1]
    assert dict(dee.ignored)["dee/notes.txt"] == "not a notebook"


def test_a_zip_per_student_never_writes_outside_its_folder(tmp_path):
    root = tmp_path / "submissions"
    root.mkdir()
    with zipfile.ZipFile(root / "Émile Zola (1).zip", "w") as archive:
        archive.writestr("hw/01_data.ipynb", notebook("01_data"))
        archive.writestr("__MACOSX/hw/._01_data.ipynb", "junk")
        archive.writestr("../../escaped.ipynb", notebook("04_generate"))
        archive.writestr("/etc/absolute.ipynb", notebook("04_generate"))
    scratch = tmp_path / "scratch"
    found = collect(root, QUESTIONS, scratch)
    emile = by_student(found)["Émile Zola"]
    assert emile.layout == "zip" and emile.name == "Émile Zola"
    assert used_files(emile) == {"01_data.ipynb": "Émile Zola (1).zip:hw/01_data.ipynb"}
    ignored = dict(emile.ignored)
    assert ignored["Émile Zola (1).zip:../../escaped.ipynb"] == "its path leaves the zip's folder"
    assert ignored["Émile Zola (1).zip:/etc/absolute.ipynb"] == "its path leaves the zip's folder"
    assert ignored["Émile Zola (1).zip:__MACOSX/hw/._01_data.ipynb"] == "macOS metadata"
    assert not list(tmp_path.rglob("escaped.ipynb")) and not (tmp_path / "absolute.ipynb").exists()
    assert all(scratch in path.parents for path in emile.notebooks.values())


def test_canvas_bulk_download_as_one_zip(tmp_path):
    download = tmp_path / "submissions.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("smithjohn_12345_67890_01_data.ipynb", notebook("01_data"))
        archive.writestr("smithjohn_late_12345_67891_05_experiments-1.ipynb", notebook("05_experiments"))
        archive.writestr("doejane_222_333_notebook.ipynb", notebook("04_generate"))  # her own file name
        archive.writestr("doejane_222_334_readme.txt", "hello")
    found = by_student(collect(download, QUESTIONS, tmp_path / "scratch"))
    assert set(found) == {"smithjohn", "doejane"}
    smith, doe = found["smithjohn"], found["doejane"]
    assert smith.layout == "canvas" and smith.ids == {"canvas_user_id": "12345"}
    assert set(smith.notebooks) == {"01_data.ipynb", "05_experiments.ipynb"}
    assert used_files(doe) == {"04_generate.ipynb": "doejane_222_333_notebook.ipynb"}
    assert dict(doe.ignored)["doejane_222_334_readme.txt"] == "not a notebook"


def test_gradescope_export_with_a_group_submission(tmp_path):
    export = tmp_path / "export" / "assignment_123_export"
    write(export / "submission_111" / "01_data.ipynb", notebook("01_data"))
    write(export / "submission_222" / "nested" / "05_experiments (1).ipynb", notebook("05_experiments"))
    write(
        export / "submission_metadata.yml",
        "submission_111:\n  :submitters:\n  - :name: Ana Lima\n    :sid: '501'\n    :email: ana@example.edu\n"
        "submission_222:\n  :submitters:\n  - :name: Ben Ode\n    :sid: '502'\n  - :name: Cai Wu\n    :sid: '503'\n",
    )
    found = by_student(collect(tmp_path / "export", QUESTIONS, tmp_path / "scratch"))
    assert set(found) == {"Ana Lima", "Ben Ode", "Cai Wu"}
    assert found["Ana Lima"].ids == {
        "gradescope_submission": "submission_111",
        "sid": "501",
        "email": "ana@example.edu",
    }
    assert set(found["Cai Wu"].notebooks) == set(found["Ben Ode"].notebooks) == {"05_experiments.ipynb"}


def test_loose_notebooks_named_after_their_student(tmp_path):
    root = tmp_path / "submissions"
    write(root / "alice_01_data.ipynb", notebook("01_data"))
    write(root / "Alice-04-generate.ipynb", notebook("04_generate"))
    write(root / "stray.ipynb", notebook("01_data"))
    found = collect(root, QUESTIONS, tmp_path / "scratch")
    students = by_student(found)
    assert set(students["alice"].notebooks) == {"01_data.ipynb"}
    assert set(students["Alice"].notebooks) == {"04_generate.ipynb"}
    assert [why for s in found if not s.student for _, why in s.ignored] == [
        "a file outside any student's folder, zip or Canvas name"
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Zoë Ångström", "Zoë Ångström"),
        ("..", "student"),
        ("../../etc", "etc"),
        ("a/b\\c", "a_b_c"),
        (".hidden", "hidden"),
    ],
)
def test_student_names_become_safe_folder_names(given, expected):
    assert safe_name(given) == expected


def test_hostile_and_odd_student_names_stay_inside_the_output(tmp_path):
    export = tmp_path / "export"
    names = ["../../escape", "..", "Zoë Ångström", "a/b", "name with  spaces", "CON", "..."]
    metadata = ""
    for number, name in enumerate(names):
        write(export / f"submission_{number}" / "01_data.ipynb", notebook("01_data"))
        metadata += f"submission_{number}:\n  :submitters:\n  - :name: {json.dumps(name)}\n    :sid: '{number}'\n"
    write(export / "submission_metadata.yml", metadata)
    write(tmp_path / "folders" / "a..b" / "01_data.ipynb", notebook("01_data"))
    found = by_student(collect(export, QUESTIONS, tmp_path / "scratch"))
    assert sorted(submission.name for submission in found.values()) == sorted(names)
    assert set(found) == {"escape", "student", "student-2", "Zoë Ångström", "a_b", "name with  spaces", "CON"}
    assert list(by_student(collect(tmp_path / "folders", QUESTIONS, tmp_path / "scratch2"))) == ["a_b"]
    out = tmp_path / "graded" / "feedback"
    for student in found:
        assert (out / f"{student}.md").resolve().parent == out.resolve(), student
        assert not student.startswith(".") and ".." not in student and "/" not in student


def test_the_manifest_lists_every_file_used_ignored_or_missing(tmp_path):
    root = tmp_path / "submissions"
    write(root / "ada" / "01_data (1).ipynb", notebook("01_data"))
    write(root / "ada" / "draft.docx", "not json")
    write(root / "stray.txt", "who am I")
    manifest = write_manifest(collect(root, QUESTIONS, tmp_path / "scratch"), tmp_path / "manifest.csv")
    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    seen = {(row["student"], row["status"], row["notebook"], row["file"]) for row in rows}
    assert ("ada", "used", "01_data.ipynb", "ada/01_data (1).ipynb") in seen
    assert ("ada", "missing", "04_generate.ipynb", "") in seen and (
        "ada",
        "missing",
        "05_experiments.ipynb",
        "",
    ) in seen
    assert ("ada", "ignored", "", "ada/draft.docx") in seen and ("", "ignored", "", "stray.txt") in seen
    assert all(row["why"] for row in rows)
