"""The student edition in a real JupyterLab: a student runs an unanswered exercise's check and reads its feedback.

A copy of the session's student edition is served as the student gets it: its own package (whose
exercises run the student's code) first on the kernel's path. The screenshot lands in artifacts/browser/.
"""

from __future__ import annotations

import shutil

import pytest
from browser_support import (
    ACTIVE_NOTEBOOK,
    ARTIFACTS,
    click_run_all,
    launch_chromium,
    open_notebook,
    running_jupyterlab,
    save_screenshot,
    sync_playwright,
    wait_until,
)

FEEDBACK = "AssertionError: split_by_tune(tunes, seed=3) returned None"


@pytest.fixture(scope="module")
def student_lab(editions, tmp_path_factory):
    student = shutil.copytree(editions.student, tmp_path_factory.mktemp("student") / "edition")  # the lab writes
    with running_jupyterlab(
        student,
        tmp_path_factory.mktemp("jupyter"),
        log=ARTIFACTS / "jupyterlab-student.log",
        environment={"PYTHONPATH": str(student)},
    ) as server:
        yield server


@pytest.mark.browser
@pytest.mark.slow
def test_an_unanswered_check_shows_what_was_expected_in_jupyterlab(student_lab):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport={"width": 1400, "height": 1200}).new_page()
        check = page.locator(f"{ACTIVE_NOTEBOOK} .jp-CodeCell").filter(has_text='grader.check("q1")').first
        try:
            open_notebook(page, student_lab, "notebooks/01_data.ipynb")
            click_run_all(page)  # runs until the first cell that needs the unwritten split, after the check
            wait_until(
                lambda: FEEDBACK in check.locator(".jp-OutputArea").inner_text(),
                180,
                lambda: f"the check of q1 did not show its message; it shows:\n{check.inner_text()[-2000:]}",
                poll_s=1,
            )
            assert "Test case failed" in check.inner_text() or "failed" in check.inner_text().lower()
        finally:
            save_screenshot(page, check, "student_check")
            browser.close()
