"""Shared fixtures: a small run folder holding a model with random weights, study stubs, the quick project and the
assignment's editions."""

import contextlib
import os
import shutil
from pathlib import Path

import coverage
import pytest
from filelock import FileLock
from quick_project import QuickProject
from random_run import TEXT, save_random_run
from scheduling import handing_out_order

from helpers.assignment.edition import Editions, build
from helpers.config import project_root


@pytest.fixture
def run_text() -> str:
    """A text whose characters are all in random_run's vocabulary."""
    return TEXT


@pytest.fixture(scope="session")
def saved_random_run(tmp_path_factory):
    """random_run's folder, built and saved once per session; tests get copies of it."""
    return save_random_run(tmp_path_factory.mktemp("random-run") / "run")


@pytest.fixture
def random_run(saved_random_run, tmp_path):
    """A run folder (model.keras, vocab.json) whose LSTM has random weights, biases included: a test's own copy."""
    return shutil.copytree(saved_random_run, tmp_path / "run")


@pytest.fixture
def no_files(monkeypatch):
    """claims() reads each run's config and first epoch: these give dropout 0 and a first epoch of 2.0 / 1.9."""
    monkeypatch.setattr("helpers.analysis.study.RunConfig.load", lambda path: type("C", (), {"dropout": 0.0}))
    monkeypatch.setattr("helpers.analysis.study.read_history", lambda run: [{"loss": 2.0, "val_loss": 1.9}])


def shared_folder(tmp_path_factory, name: str) -> Path:
    """A folder for a session fixture: under pytest-xdist, one that every worker of this test run shares (the
    fixture's own lock keeps them from building it twice); else a new one."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return tmp_path_factory.getbasetemp().parent / name
    return tmp_path_factory.mktemp(name)


def pytest_itemcollected(item):  # as each test is collected: before pytest-xdist reads the groups
    """Under pytest-xdist (make test: two workers, --dist loadgroup), each test file runs whole in one worker, so its
    module fixtures are built once; the session fixtures below are shared by the workers."""
    item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


@contextlib.contextmanager
def untraced(item):
    """For a test marked untraced, every Coverage running in this process is stopped, then started again in order.

    These are the walks through whole collections: under the tracer they took twice as long, setup included (their
    module fixtures), and unit tests cover the lines they run. Not pytest-cov's no_cover: it pauses only the
    worker's own Coverage, and only for the call, while under pytest-xdist a second one (pytest-cov 7 starts a
    controller in each worker too) goes on tracing."""
    stopped = []
    while item.get_closest_marker("untraced") and (running := coverage.Coverage.current()) is not None:
        running.stop()
        stopped.append(running)
    try:
        yield
    finally:
        for running in reversed(stopped):
            running.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with untraced(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with untraced(item):
        yield


def pytest_collection_modifyitems(items):
    """The order in which pytest-xdist hands out the test files (make test passes --no-loadscope-reorder)."""
    items.sort(key=handing_out_order(items))  # stable: within a rank, files and tests keep their order


@pytest.fixture(scope="session")
def quick_project(tmp_path_factory) -> QuickProject:
    """One scratch project where each notebook runs once per test run (quick profile), for every test that reads it."""
    return QuickProject(shared_folder(tmp_path_factory, "quick"))


@pytest.fixture(scope="session")
def editions(tmp_path_factory) -> Editions:
    """The three editions of the assignment, built once per test run; a test that writes into one works on a copy."""
    folder = shared_folder(tmp_path_factory, "editions")
    folder.mkdir(exist_ok=True)
    with FileLock(folder.with_suffix(".lock")):
        if not (folder / "built").is_file():
            build(project_root(), folder / "out")
            (folder / "built").touch()
    return Editions(*(folder / "out" / part for part in ("student", "solution", "autograder")))
