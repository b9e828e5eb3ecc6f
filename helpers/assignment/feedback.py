"""Checks for the exercises' tests that say what was expected, what was found, and where.

A failed check raises AssertionError with a sentence for the student, e.g. "targets[0, :5] should be the
inputs shifted by one: expected 'X:1\\nT', found ':1\\nT:'". otter-grader shows that sentence under the check.
"""

from __future__ import annotations

from functools import wraps

import numpy as np

__all__ = ["expect_close", "expect_equal", "fail", "returned", "with_references"]


def fail(message: str) -> None:
    """Stop the test with a message for the student."""
    raise AssertionError(message)


def returned(value, function: str, expected: str):
    """The value a student's function returned, refused if it is nothing (a missing `return`, or the `...`)."""
    if value is None or value is Ellipsis:
        fail(f"{function} returned {value!r}: it should return {expected}; is its `return` missing?")
    return value


def expect_equal(found, expected, what: str) -> None:
    """found must equal expected (arrays element by element, with the same shape)."""
    same = (
        np.shape(found) == np.shape(expected) and np.array_equal(np.asarray(found), np.asarray(expected))
        if isinstance(found, np.ndarray) or isinstance(expected, np.ndarray)
        else found == expected
    )
    if not same:
        fail(f"{what}: expected {shown(expected)}, found {shown(found)}")


def expect_close(found, expected, what: str, tolerance: float = 1e-5) -> None:
    """found must have expected's shape and lie within tolerance of it, element by element."""
    found_array, expected_array = np.asarray(found, dtype=float), np.asarray(expected, dtype=float)
    if found_array.shape != expected_array.shape:
        fail(f"{what}: expected shape {expected_array.shape}, found shape {found_array.shape}")
    difference = np.abs(found_array - expected_array)
    if not np.all(difference <= tolerance):
        where = np.unravel_index(
            int(np.nanargmax(np.where(np.isnan(difference), np.inf, difference))), difference.shape
        )
        fail(
            f"{what}: at index {tuple(int(i) for i in where)} expected {expected_array[where]:.6g}, "
            f"found {found_array[where]:.6g} (tolerance {tolerance:g})"
        )


def shown(value, limit: int = 80) -> str:
    """A value as the student would type it, shortened to limit characters."""
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def with_references(function, **references):
    """The student's function, checked with the other exercises it calls replaced by references while it runs.

    A tune sampler that calls the student's own softmax must not lose points for a mistake in the softmax: that
    costs the softmax's own question. The names are those the function looks up in its module (the notebook).
    """

    @wraps(function)
    def checked(*args, **kwargs):
        namespace = function.__globals__
        saved = {name: namespace[name] for name in references if name in namespace}
        namespace.update(references)
        try:
            return function(*args, **kwargs)
        finally:
            for name in references:
                namespace.pop(name, None)
            namespace.update(saved)

    return checked
