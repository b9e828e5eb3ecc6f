"""Fixtures of the assignment's end-to-end tests: the questions the editions ask, and the quick sweep's runs."""

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def questions(editions):
    return json.loads((editions.autograder / "questions.json").read_text())


@pytest.fixture(scope="session")
def sweep(quick_project) -> Path:
    """The quick sweep's finished runs (runs/quick), as the session's 05_experiments left them. A session fixture, so
    that a test asking for it before the editions (also the session's) gets it first: pytest sets up wider scopes
    first, then in the order of the test's arguments."""
    quick_project.run("05_experiments.ipynb")
    return quick_project.snapshots / "05_experiments.ipynb" / "runs" / "quick"
