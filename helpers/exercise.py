"""The package functions that are the answers to the assignment's exercises, and the student's own versions.

A package function that is itself the answer to an exercise is marked ``@exercise("01_data.ipynb")``. The mark
changes nothing here. The student edition (``python -m helpers.assignment``) replaces the body of every marked
function with ``return student_version("01_data.ipynb", "split_by_tune")(...)``, so that whatever the package
does with it (writing the data, training, sampling, the widgets, the later notebooks) runs the student's code.
"""

from __future__ import annotations

import ast
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from helpers.config import project_root

__all__ = ["exercise", "falls_back", "yours_if_same"]

MARK = "__exercise__"  # the attribute @exercise sets: the notebook of the exercise
CALLING: set[str] = set()  # the exercises whose student version is running now


def exercise(notebook: str, fallback: str | None = None) -> Callable[[Callable], Callable]:
    """Mark a function as the answer to an exercise of the given notebook; the function is returned unchanged.

    fallback: the name of a function of the same module that computes the same with the framework (Keras's own
    layers), not with the answer. The student edition's package calls it instead, so nothing the package does
    depends on the student's notebook.
    """

    def mark(function: Callable) -> Callable:
        setattr(function, MARK, notebook)
        return function

    return mark


def falls_back(yours: str, reason: str | BaseException, instead: str) -> None:
    """Say, in one line, that a student's function failed its check and what the notebook uses instead."""
    if isinstance(reason, BaseException):
        lines = str(reason).strip().splitlines()
        reason = f"{type(reason).__name__}: {lines[0][:300]}" if lines else type(reason).__name__
    print(f"⚠ {yours} did not pass ({reason}): going on with {instead}.")


def yours_if_same(yours: Callable, reference: Callable, probes: list[tuple], exercise_name: str) -> Callable:
    """yours if it returns what reference returns for every probe (a tuple of arguments), else reference, said in
    one line: the rest of a notebook goes on with a function that works."""
    import numpy as np

    def parts(value) -> tuple:
        return value if isinstance(value, tuple) else (value,)

    for number, probe in enumerate(probes, start=1):
        try:
            found, wanted = parts(yours(*probe)), parts(reference(*probe))
        except Exception as error:
            falls_back(f"your {exercise_name}", error, "the package's")
            return reference
        if len(found) != len(wanted) or not all(
            np.shape(a) == np.shape(b) and np.array_equal(a, b) for a, b in zip(found, wanted, strict=False)
        ):
            falls_back(
                f"your {exercise_name}",
                f"its result differs from the package's on test input {number}",
                "the package's",
            )
            return reference
    return yours


def student_version(notebook: str, name: str) -> Callable:
    """The student's definition of `name`: the running notebook's if it defines one, else the saved notebook's.

    A notebook that has just run the exercise's cell gets that very function. Any other code (a later
    notebook, a widget) reads notebooks/<notebook> as last saved, and runs the imports of its code cells and
    the cell that defines `name`, without the rest of the notebook.
    """
    if name in CALLING:
        raise RecursionError(
            f"your {name} calls the package's {name}, which in the student edition calls yours: write it yourself"
        )
    function = find_student_version(notebook, name)

    @functools.wraps(function)
    def calling(*args, **kwargs):
        CALLING.add(name)
        try:
            result = function(*args, **kwargs)
        finally:
            CALLING.discard(name)
        if result is None:
            raise NotImplementedError(
                f"your {name} in {notebook} returned None: write that exercise (and save the notebook) first"
            )
        return result

    return calling


def find_student_version(notebook: str, name: str) -> Callable:
    """The student's function itself (see student_version)."""
    running = getattr(sys.modules.get("__main__"), name, None)
    if callable(running) and getattr(running, "__module__", None) == "__main__":
        return running
    path = project_root() / "notebooks" / notebook
    if not path.is_file():
        raise FileNotFoundError(f"{name} is an exercise of {notebook}, which is not in {path.parent}")
    found = saved_definition(path, path.stat().st_mtime_ns, name)
    if found is None or hasattr(found, MARK):
        raise NotImplementedError(
            f"{name} is an exercise of {notebook}: write it there, run its cell and save the notebook"
        )
    return found


@functools.lru_cache(maxsize=64)
def saved_definition(path: Path, modified: int, name: str) -> Callable | None:
    """The definition of name in the notebook at path as saved at that modification time (read once per save)."""
    return definition_in(json.loads(path.read_text(encoding="utf-8")), name, path)


def definition_in(notebook: dict, name: str, path: Path) -> Callable | None:
    """Run the imports of a notebook's code cells and the last cell that defines `name`; return that function."""
    imports, definition = [], None
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            tree = ast.parse(python_of(source))
        except SyntaxError as error:
            if f"def {name}(" in source:
                raise SyntaxError(f"{path.name}: the cell that defines {name} does not parse: {error}") from None
            continue
        imports += [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        if any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body):
            definition = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)]
    if definition is None:
        return None
    namespace: dict = {"__name__": f"student:{path.stem}"}
    exec(compile(ast.Module(body=imports + definition, type_ignores=[]), str(path), "exec"), namespace)
    return namespace[name]


def python_of(source: str) -> str:
    """A cell's source as plain Python: IPython's magics and shell escapes turned into calls."""
    if "%" not in source and "!" not in source:
        return source
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
