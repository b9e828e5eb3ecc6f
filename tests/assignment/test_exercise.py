"""The student edition runs the student's own functions: found in the running notebook or in the saved one."""

import json
import os

import pytest

from helpers.exercise import MARK, exercise, student_version


def write_notebook(root, name, *cells):
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    notebook = {"cells": [{"cell_type": "code", "source": source, "metadata": {}} for source in cells]}
    (root / "notebooks" / name).write_text(json.dumps(notebook))


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSICRNN_ROOT", str(tmp_path))
    return tmp_path


def test_the_mark_leaves_the_function_as_it_was():
    def double(x):
        return 2 * x

    assert exercise("01_data.ipynb")(double) is double and getattr(double, MARK) == "01_data.ipynb"
    assert double(4) == 8


def test_the_saved_notebook_gives_its_definition_with_its_imports_and_nothing_else(root):
    write_notebook(
        root,
        "ex.ipynb",
        "import math\nraise RuntimeError('the rest of a cell must not run')",
        "%matplotlib inline\ndef area(r):\n    return math.pi * r * r\n\nprint(undefined_name)",
    )
    assert student_version("ex.ipynb", "area")(2.0) == pytest.approx(12.566, abs=1e-3)


def test_the_last_definition_in_the_notebook_wins(root):
    write_notebook(root, "ex.ipynb", "def f():\n    return 1", "def f():\n    return 2")
    assert student_version("ex.ipynb", "f")() == 2


def test_a_missing_exercise_says_where_to_write_it(root):
    write_notebook(root, "ex.ipynb", "x = 1")
    with pytest.raises(NotImplementedError, match="f is an exercise of ex.ipynb: write it there, run its cell"):
        student_version("ex.ipynb", "f")
    with pytest.raises(FileNotFoundError, match="other.ipynb"):
        student_version("other.ipynb", "f")


def test_a_cell_that_does_not_parse_is_named(root):
    write_notebook(root, "ex.ipynb", "def f(:\n    return 1")
    with pytest.raises(SyntaxError, match="ex.ipynb: the cell that defines f does not parse"):
        student_version("ex.ipynb", "f")


def test_a_student_version_that_calls_the_package_back_is_stopped_with_a_reason(root):
    # In the student edition the package's f calls the student's f; a student's f that calls the package's f
    # would never end.
    write_notebook(root, "ex.ipynb", "from tests_loop import package_f\ndef f(x):\n    return package_f(x)")
    import sys
    import types

    module = types.ModuleType("tests_loop")
    module.package_f = lambda x: student_version("ex.ipynb", "f")(x)
    sys.modules["tests_loop"] = module
    try:
        with pytest.raises(RecursionError, match="your f calls the package's f"):
            module.package_f(1)
    finally:
        del sys.modules["tests_loop"]


def test_the_saved_notebook_is_read_again_only_when_it_changes(root):
    write_notebook(root, "ex.ipynb", "def f():\n    return 1")
    first = student_version("ex.ipynb", "f")
    assert first() == 1 and student_version("ex.ipynb", "f").__wrapped__ is first.__wrapped__
    write_notebook(root, "ex.ipynb", "def f():\n    return 2")
    path = root / "notebooks" / "ex.ipynb"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert student_version("ex.ipynb", "f")() == 2


def test_an_unwritten_exercise_that_returns_nothing_says_so(root):
    write_notebook(root, "ex.ipynb", "def f(x):\n    ...")
    with pytest.raises(NotImplementedError, match="your f in ex.ipynb returned None: write that exercise"):
        student_version("ex.ipynb", "f")(1)
