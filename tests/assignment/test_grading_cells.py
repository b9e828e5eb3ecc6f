"""Grading skips the handed-out cells that no test needs: all code cells but the first, the answer cells, otter's
own and the cells a student added. The skip is otter's own tag, on the grader's copy of the submission."""

import json

from otter.execute.preprocessor import IGNORE_CELL_TAG

from helpers.assignment.grade import IGNORE_TAG, skipped_cells, without_skipped_cells


def code(cell_id: str, source: str, tags=()) -> dict:
    return {"cell_type": "code", "id": cell_id, "source": source, "metadata": {"tags": list(tags)}, "outputs": []}


HANDED_OUT = {
    "cells": [
        code("init", "# Initialize Otter\nimport otter\ngrader = otter.Notebook('03_train.ipynb')"),
        {"cell_type": "markdown", "id": "title", "source": "# 03", "metadata": {}},
        code("imports", "import numpy as np"),
        code("answer", "def make_chunks(ids):\n    ...", tags=["otter_answer_cell"]),
        code("check", 'grader.check("q10")'),
        code("train", "metrics = train_run(config, data, run_dir)"),
        code("plot", "plots.save_figure(figure, paths.figures, 'loss')"),
    ]
}


def test_only_the_cells_no_test_needs_are_skipped(tmp_path):
    handed_out = tmp_path / "03_train.ipynb"
    handed_out.write_text(json.dumps(HANDED_OUT))
    assert skipped_cells(handed_out) == {"train", "plot"}


def test_the_grader_tags_its_copy_with_otters_own_tag_and_keeps_a_students_cell(tmp_path):
    assert IGNORE_TAG == IGNORE_CELL_TAG  # otter runs every cell without it
    submitted = json.loads(json.dumps(HANDED_OUT))
    submitted["cells"].insert(3, code("mine", "def helper():\n    return 1"))  # a cell the student added
    submission = tmp_path / "03_train.ipynb"
    submission.write_text(json.dumps(submitted))
    copy = without_skipped_cells(submission, frozenset({"train", "plot"}), tmp_path / "work")
    tagged = {
        cell["id"] for cell in json.loads(copy.read_text())["cells"] if IGNORE_TAG in cell["metadata"].get("tags", [])
    }
    assert tagged == {"train", "plot"} and copy != submission
    assert json.loads(submission.read_text()) == submitted, "the submission itself must stay as it was handed in"


def test_a_file_that_is_not_a_notebook_is_copied_as_it_is_for_otter_to_refuse(tmp_path):
    broken = tmp_path / "01_data.ipynb"
    broken.write_text("{this is not a notebook")
    copy = without_skipped_cells(broken, frozenset({"x"}), tmp_path / "work")
    assert copy == tmp_path / "work" / "01_data.ipynb" and copy.read_text() == "{this is not a notebook"
