"""Shared fixtures: a small run folder holding a model with random weights, study stubs, the quick project and the
assignment's editions."""

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """A test marked no_cover (pytest-cov's marker, which pauses the tracer for the test's call) is set up untraced too:
    the walks through whole collections build their module fixtures in setup. Under the tracer these tests took
    twice as long; every line they run is covered by a unit test too, so the figure is the same without them."""
    tracer = coverage.Coverage.current() if item.get_closest_marker("no_cover") else None
    if tracer is not None:
        tracer.stop()
    try:
        yield
    finally:
        if tracer is not None:
            tracer.start()


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
