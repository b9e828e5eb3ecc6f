"""A sealed-off notebook reads nothing hidden, writes only its own folder, forks a bounded number of processes, and
leaves none behind. The same probe run unsealed reaches all of it, so the probe can tell."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.assignment import sandbox as sandboxing
from helpers.assignment.sandbox import FIRST_UID, PROCESSES, Sandbox, unavailable
from helpers.config import project_root

PROBE = r"""
import os, sys, time
secret, project = sys.argv[1], sys.argv[2]
reached = []
for path in [secret, os.path.join(project, "README.md"), os.path.join(project, ".git", "HEAD")]:
    try:
        open(path).read(1)
        reached.append("read " + path)
    except OSError:
        pass
for path in [os.path.join(os.path.dirname(secret), "planted"), os.path.join(os.environ["PYTHONPATH"], "planted")]:
    try:
        open(path, "w").write("planted")
        reached.append("wrote " + path)
    except OSError:
        pass
open(os.path.join(os.environ["HOME"], "mine"), "w").write("mine")  # its own folder is writable
import helpers
print("package", helpers.__file__)
forks = 0
for forks in range(2 * PROCESSES):
    try:
        child = os.fork()
    except OSError:
        break
    if child == 0:
        os.setsid()  # out of the process group: only the user's kill reaches it
        time.sleep(600)
        os._exit(0)
print("forks", forks)
print("reached", reached)
""".replace("PROCESSES", str(PROCESSES))


def still_running(uid: int, within_s: float) -> int:
    """How many processes uid still has once within_s seconds have passed, or none are left before."""
    deadline = time.monotonic() + within_s
    while True:
        count = subprocess.run(["pgrep", "--count", "--uid", str(uid)], capture_output=True, text=True).stdout
        if int(count.strip() or 0) == 0 or time.monotonic() > deadline:
            return int(count.strip() or 0)
        time.sleep(0.2)


def run_probe(command: list[str], env: dict, cwd: Path, log: Path) -> str:
    with log.open("w") as output:  # a file, not a pipe: the sleeping children keep their copy open
        subprocess.run(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, timeout=120, check=False)
    return log.read_text()


@pytest.mark.skipif(unavailable() is not None, reason=f"notebooks cannot be sealed off here: {unavailable()}")
def test_a_sealed_notebook_reaches_nothing_hidden_and_leaves_no_process(tmp_path):
    hidden = tmp_path / "editions"
    hidden.mkdir()
    (hidden / "q1.py").write_text("the hidden test")
    box = Sandbox.create(project_root() / "helpers", [hidden, project_root()])
    try:
        folder, uid = box.folder(), FIRST_UID + 999
        (folder / "probe.py").write_text(PROBE)
        box.hand_over(folder, uid)
        command = [sys.executable, str(folder / "probe.py"), str(hidden / "q1.py"), str(project_root())]
        printed = run_probe(
            box.command(uid, command), box.environment(dict(os.environ), folder), folder, tmp_path / "sealed.log"
        )
        left = box.end(uid)
        assert "reached []" in printed, printed
        assert f"package {box.package / 'helpers' / '__init__.py'}" in printed
        assert (folder / "home" / "mine").read_text() == "mine"
        forks = int(printed.split("forks ")[1].split()[0])
        assert 0 < forks < PROCESSES and left >= forks, (forks, left)
        assert still_running(uid, within_s=10) == 0, "a process of the sealed notebook outlived it"
    finally:
        subprocess.run(["kill", "-KILL", "-1"], user=FIRST_UID + 999, group=FIRST_UID + 999, check=False)
        box.close()
    assert not box.base.exists() and not (hidden / "planted").exists()
    unsealed = run_probe(
        [sys.executable, "-c", PROBE.replace("range(2 *", "range(0 *"), str(hidden / "q1.py"), str(project_root())],
        os.environ | {"PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)},
        tmp_path,
        tmp_path / "unsealed.log",
    )
    assert "read " + str(hidden / "q1.py") in unsealed and (hidden / "planted").exists(), unsealed


def test_without_root_grading_says_it_cannot_seal(monkeypatch):
    monkeypatch.setattr(sandboxing.platform, "system", lambda: "Linux")
    monkeypatch.setattr(sandboxing.os, "geteuid", lambda: 1000)
    assert "root" in unavailable()
