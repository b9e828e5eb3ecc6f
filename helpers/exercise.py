"""The package functions that are the answers to the assignment's exercises, and how a student's stands in.

A package function that is itself the answer to an exercise is marked ``@exercise("01_data.ipynb", fallback=...)``.
The mark changes nothing here. The student edition (``python -m helpers.assignment``) replaces the body of every
marked function with a call to its fallback: the framework (Keras's own cells, StringLookup, tf.signal.frame) or a
reference the edition ships computing the same. So the package never runs, or reads, a student's notebook.

A notebook passes the student's function on visibly where it is used (``Sampler(..., steps=...)``,
``train_run(..., build=...)``); it is used if it passes its check, else the package's stands in, said in one line
(falls_back, yours_if_same).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["exercise", "falls_back", "yours_if_same"]

MARK = "__exercise__"  # the attribute @exercise sets: the notebook of the exercise


def exercise(notebook: str, fallback: str) -> Callable[[Callable], Callable]:
    """Mark a function as the answer to an exercise of the given notebook; the function is returned unchanged.

    fallback: the name of a function of the same module that computes the same without the answer (the framework,
    or a reference the edition ships). The student edition's package calls it instead.
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


def yours_if_same(
    yours: Callable, reference: Callable, probes: list[tuple], exercise_name: str, tolerance: float = 0.0
) -> Callable:
    """yours if it returns what reference returns for every probe (a tuple of arguments), numbers within tolerance,
    else reference, said in one line: the rest of a notebook goes on with a function that works."""
    for number, probe in enumerate(probes, start=1):
        try:
            found = yours(*probe)
            same = agree(found, reference(*probe), tolerance)
        except Exception as error:
            falls_back(f"your {exercise_name}", error, "the package's")
            return reference
        if not same:
            reason = (
                "it returned None" if found is None else f"its result differs from the package's on test input {number}"
            )
            falls_back(f"your {exercise_name}", reason, "the package's")
            return reference
    return yours


def agree(found, wanted, tolerance: float = 0.0) -> bool:
    """Whether two results are the same: tuples and lists part by part, dicts key by key, arrays (and numbers) of
    one shape within tolerance."""
    import numpy as np

    if isinstance(wanted, dict):
        return (
            isinstance(found, dict)
            and found.keys() == wanted.keys()
            and all(agree(found[key], wanted[key], tolerance) for key in wanted)
        )
    if isinstance(wanted, tuple | list):
        return (
            isinstance(found, tuple | list)
            and len(found) == len(wanted)
            and all(agree(a, b, tolerance) for a, b in zip(found, wanted, strict=True))
        )
    try:
        found, wanted = np.asarray(found), np.asarray(wanted)
        if found.shape != wanted.shape:
            return False
        if tolerance and wanted.dtype.kind in "fc":
            return bool(np.allclose(found.astype(float), wanted, rtol=tolerance, atol=tolerance))
        return bool(np.array_equal(found, wanted))
    except (TypeError, ValueError):
        return False
