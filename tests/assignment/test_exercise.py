"""The exercise mark, and the one line a notebook prints when a student's function gives way to the package's."""

import pytest

from helpers.exercise import MARK, exercise, falls_back


def test_the_mark_leaves_the_function_as_it_was():
    def double(x):
        return 2 * x

    assert exercise("01_data.ipynb", fallback="twice")(double) is double and getattr(double, MARK) == "01_data.ipynb"
    assert double(4) == 8


@pytest.mark.parametrize(
    "reason, shown",
    [
        ("it returned None", "(it returned None)"),
        (ValueError("expected 3 sets\nand more text"), "(ValueError: expected 3 sets)"),
        (ZeroDivisionError(), "(ZeroDivisionError)"),
        (RuntimeError("x" * 1000), "(RuntimeError: " + "x" * 300 + ")"),
    ],
)
def test_a_fallback_is_said_in_one_short_line(capsys, reason, shown):
    falls_back("your split_by_tune (exercise 1)", reason, "the reference split")
    (line,) = capsys.readouterr().out.splitlines()
    assert line == f"⚠ your split_by_tune (exercise 1) did not pass {shown}: going on with the reference split."
