"""Seal off each graded notebook: a user of its own, a folder of its own, and nothing else to read or write.

On Linux, as root, with util-linux's unshare and setpriv, otter runs in a mount namespace of its own where the
editions, the grading output, the submissions and the project (the notebooks with their answers, the tests, git
history) are empty folders and /tmp, /var/tmp and /dev/shm are small private ones. Python and its packages are
shown read-only, and the notebook's folder, which holds the student's notebook, its autograder zip and a copy of the
reference workspace, is the one place it may write. It runs as a user id of its own, with no groups, no capabilities
and no way to gain any, a bounded number of processes and threads, a bounded file size, and no core dumps; every
process left with that id is killed when its notebook ends. Elsewhere grading runs unsealed and says so once.

What no sandbox can do here: otter runs a notebook's tests in the student's own kernel, so while its notebook is
graded, a submission can read that notebook's tests and change how they report; it cannot take them anywhere
(its folder is deleted and feedback quotes no test source), nor reach another notebook, student or grade.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__: list[str] = []  # nothing here is used outside helpers.assignment

FIRST_UID = 2_000_000_000  # the notebooks' user ids: far above any account's, one per notebook graded at once
PROCESSES = 512  # processes and threads one notebook's user may have (a kernel with TensorFlow uses about 80)
FILE_BYTES = 256 * 2**20  # the largest file a notebook may write
PRIVATE_TEMP = ("/tmp", "/var/tmp", "/dev/shm")
TEMP_SIZE = "64m"  # each private temporary folder
KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ", "KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")


def unavailable() -> str | None:
    """Why notebooks cannot be sealed off on this machine, or None if they can."""
    if platform.system() != "Linux":
        return f"sealing needs Linux (this is {platform.system()})"
    if os.geteuid() != 0:
        return "sealing needs root (sudo make grade)"
    missing = [tool for tool in ("unshare", "setpriv", "mount", "pgrep", "kill") if shutil.which(tool) is None]
    if missing:
        return f"sealing needs {', '.join(missing)} (util-linux and procps)"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"this machine allows no mount namespace ({probe.stderr.strip()[:200]})"
    return None


@dataclass(frozen=True)
class Sandbox:
    """Where sealed notebooks run: base (root's, others may only pass) holds the package copy every notebook
    imports and one folder per notebook; hidden: what no notebook may see; shown: what it reads, read-only."""

    base: Path
    hidden: tuple[str, ...]
    shown: tuple[str, ...]

    @classmethod
    def create(cls, package: Path, hidden: list[Path]) -> Sandbox:
        """A new base with a copy of the package; the hidden paths, and Python's folders to show read-only."""
        base = Path(tempfile.mkdtemp(prefix="musicrnn-grading-"))
        base.chmod(0o711)
        shutil.copytree(package, base / "package" / package.name, ignore=shutil.ignore_patterns("__pycache__"))
        for folder, _, files in os.walk(base / "package"):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(Path(folder) / name, 0o644)
        shown = {os.path.realpath(path) for path in (sys.prefix, sys.base_prefix, Path(sys.executable).parent)}
        return cls(base, tuple(str(Path(path).resolve()) for path in hidden), tuple(sorted(shown)))

    @property
    def package(self) -> Path:
        return self.base / "package"

    def folder(self) -> Path:
        """A new notebook folder with its home, root's until hand_over."""
        folder = Path(tempfile.mkdtemp(dir=self.base, prefix="notebook-"))
        (folder / "home").mkdir()
        return folder

    def hand_over(self, folder: Path, uid: int) -> None:
        """Give the folder and everything in it to the notebook's user, for it alone."""
        for path, folders, files in os.walk(folder):
            for name in [path, *(os.path.join(path, item) for item in folders + files)]:
                os.lchown(name, uid, uid)
        folder.chmod(0o700)

    def command(self, uid: int, command: list[str]) -> list[str]:
        """The command, run sealed off as uid: its folder (handed over) is the one place it may write."""
        spec = {"uid": uid, "hidden": self.hidden, "shown": self.shown, "writable": [str(self.base)]}
        return [
            *("unshare", "--mount", "--propagation", "private", "--"),
            *(sys.executable, str(Path(__file__).resolve()), json.dumps(spec), "--"),
            *command,
        ]

    def environment(self, environment: dict, folder: Path) -> dict:
        """The variables a sealed notebook gets: the few it needs, with its home and temporary files in folder."""
        kept = {name: value for name, value in environment.items() if name in KEPT_VARIABLES or name.startswith("LC_")}
        musicrnn = {name: value for name, value in environment.items() if name.startswith(("MUSICRNN_", "TF_NUM"))}
        threads = {name: value for name, value in environment.items() if name.endswith("_NUM_THREADS")}
        home = folder / "home"
        return (
            kept
            | musicrnn
            | threads
            | {
                "PYTHONPATH": str(self.package),
                "HOME": str(home),
                "USER": "grader",
                "LOGNAME": "grader",
                "TMPDIR": str(folder / "tmp"),
                "MPLCONFIGDIR": str(home / ".matplotlib"),
            }
        )

    def end(self, uid: int) -> int:
        """Kill every process the notebook's user still has (one that left its process group included); how many.
        kill -1, sent as that user, reaches all of them at once, so none can fork past it."""
        alive = ["pgrep", "--count", "--uid", str(uid), "--runstates", "D,R,S,T"]  # zombies are not counted
        left = subprocess.run(alive, capture_output=True, text=True, check=False)
        subprocess.run(["kill", "-KILL", "-1"], user=uid, group=uid, extra_groups=[], capture_output=True, check=False)
        return int(left.stdout.strip() or 0)

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def mount(*arguments: str, fds: tuple[int, ...] = ()) -> None:
    subprocess.run(["mount", "--no-canonicalize", *arguments], check=True, capture_output=True, pass_fds=fds)


def blocked_ancestor(path: str) -> str | None:
    """The highest folder above path that others may not pass, or None."""
    for ancestor in reversed(Path(path).parents):
        try:
            mode = os.stat(ancestor).st_mode
        except FileNotFoundError:
            return None
        if not mode & stat.S_IXOTH:
            return str(ancestor)
    return None


def seal(hidden: list[str], shown: list[str], writable: list[str]) -> None:
    """In this (new, private) mount namespace: hide, make private temporary folders, then show again what is
    needed, read-only but for writable, even where it lies inside a hidden or closed folder (each held open
    first, then bound from its descriptor)."""
    kept = {path: os.open(path, os.O_RDONLY | os.O_DIRECTORY) for path in [*shown, *writable]}
    for path in hidden:
        if os.path.isdir(path):
            mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "hidden", path)
        elif os.path.exists(path):
            mount("--bind", "/dev/null", path)
    for path in PRIVATE_TEMP:
        if os.path.isdir(path):
            mount("-t", "tmpfs", "-o", f"size={TEMP_SIZE},mode=1777", "private", path)
    for path in kept:
        closed = blocked_ancestor(path)
        if closed:
            mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "opened", closed)
    for path, descriptor in kept.items():
        Path(path).mkdir(parents=True, exist_ok=True)
        mount("--bind", f"/proc/self/fd/{descriptor}", path, fds=(descriptor,))
        if path not in writable:
            mount("-o", "remount,bind,ro", path)
        os.close(descriptor)


def main(argv: list[str]) -> None:
    """sandbox.py SPEC -- COMMAND...: seal this mount namespace as SPEC says, then run COMMAND as its user."""
    spec, command = json.loads(argv[0]), argv[2:]
    seal(spec["hidden"], spec["shown"], spec["writable"])
    for limit, value in ((resource.RLIMIT_NPROC, PROCESSES), (resource.RLIMIT_FSIZE, FILE_BYTES)):
        resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    os.umask(0o077)
    uid = str(spec["uid"])
    os.execvp(
        "setpriv",
        [
            "setpriv",
            *(f"--reuid={uid}", f"--regid={uid}", "--clear-groups"),
            *("--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"),
            *command,
        ],
    )


if __name__ == "__main__":
    main(sys.argv[1:])
