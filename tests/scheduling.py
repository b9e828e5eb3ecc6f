"""The order in which make test's two pytest-xdist workers are handed the test files (tests/conftest.py sorts the
collection by it; make test passes --no-loadscope-reorder, else xdist would hand out the files of most tests first
and leave a long one-test file for the end)."""

from collections.abc import Callable

# The longest test files (each 3 to 7 minutes on 2 cores), handed out first so that neither worker is left with one
# at the end: the two that need the quick notebooks' sweep on different workers from the start, the grading (which
# needs only the editions) beside them. Then every file with a slow test, then the rest.
LONGEST_FIRST = (
    "tests/assignment/test_cascade.py",
    "tests/assignment/test_cycle.py",
    "tests/assignment/test_unanswered.py",
    "tests/test_portable.py",
    "tests/test_notebooks.py",
    "tests/abc/test_canonical.py",
)


def file_of(item) -> str:
    return item.nodeid.split("::")[0]


def handing_out_order(items) -> Callable:
    """A sort key for the collected items: LONGEST_FIRST's files in its order, then every file with a slow test, then
    the rest."""
    slow = {file_of(item) for item in items if item.get_closest_marker("slow")}

    def rank(item) -> tuple[int, int]:
        path = file_of(item)
        if path in LONGEST_FIRST:
            return 0, LONGEST_FIRST.index(path)
        return (1 if path in slow else 2), 0

    return rank
