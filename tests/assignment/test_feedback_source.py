"""Feedback never quotes a test's source: otter's own report of a failed hidden check quotes the failing line of the
test; the feedback keeps what was expected and found, and drops that line.

The report is made by otter's own test runner on a test file in otter's format (no notebook runs).
"""

from otter.test_files.exception_test import ExceptionTestFile

from helpers.assignment.grade import NotebookResult, read_results, without_test_source, write_feedback

TEST_FILE = """from otter.test_files import test_case

OK_FORMAT = False

name = "q2"
points = 2

@test_case(points=None, hidden=False)
def test_encode_a_short_text(encode):
    from helpers.assignment.feedback import expect_equal
    expect_equal(list(encode("AB")), [1, 2], "encode('AB')")

@test_case(points=None, hidden=True)
def test_encode_a_long_text(encode):
    from helpers.assignment.feedback import expect_equal
    secret_text = "the hidden tune" * 3
    expect_equal(len(encode(secret_text)), len(secret_text), "the length of encode(text) on a 45-character text")
"""
HIDDEN_LINE = (
    'expect_equal(len(encode(secret_text)), len(secret_text), "the length of encode(text) on a 45-character text")'
)
MESSAGE = "the length of encode(text) on a 45-character text: expected 45, found 2"
QUESTIONS = {"01_data.ipynb": {"q2": {"points": 2.0, "manual": False}}}


def otter_report(tmp_path) -> str:
    """otter's summary of q2 for a student whose encode passes the public check and fails the hidden one."""
    path = tmp_path / "q2.py"
    path.write_text(TEST_FILE)
    test_file = ExceptionTestFile.from_file(str(path))
    test_file.run({"encode": lambda text: [1, 2]})
    return test_file.summary()


def test_a_failed_hidden_check_is_reported_without_its_source(tmp_path):
    report = otter_report(tmp_path)
    assert HIDDEN_LINE in report and MESSAGE in report  # what otter would show: the test's own line
    results = {"tests": [{"name": "q2", "score": 1.0, "max_score": 2.0, "output": report}]}
    for hidden in ((), [HIDDEN_LINE, 'secret_text = "the hidden tune" * 3']):  # by its layout alone, and with the lines
        result = read_results(results, NotebookResult(), hidden)
        write_feedback(tmp_path / "feedback.md", "ada", QUESTIONS, {"01_data.ipynb": result})
        feedback = (tmp_path / "feedback.md").read_text()
        assert "### q2: 1 of 2 points" in feedback
        assert MESSAGE in feedback and "Failed in test q2" in feedback
        assert HIDDEN_LINE not in feedback and "secret_text" not in feedback and "expect_equal(" not in feedback


def test_a_line_of_a_hidden_test_is_dropped_wherever_it_appears():
    output = "q2 results:\n    Traceback:\n        secret_text = 'the hidden tune' * 3\n    AssertionError: found 2"
    cleaned = without_test_source(output, ["    secret_text = 'the hidden tune' * 3"])
    assert "secret_text" not in cleaned and "AssertionError: found 2" in cleaned
