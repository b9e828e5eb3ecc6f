"""Helpers for the browser test: a scratch project, a JupyterLab server, headless Chromium, and notebook actions."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parent.parent
JUPYTER = PROJECT / ".venv" / "bin" / "jupyter"
ARTIFACTS = PROJECT / "artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: Playwright's own browser download is not available here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
INSTALL_CHROMIUM = "apt-get install -y chromium"

# JupyterLab settings for the test: every cell in the page (no windowing), and no news or update toasts.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
}


def wait_until(condition: Callable[[], Any], timeout_s: float, failure: Callable[[], str], poll_s: float = 0.25) -> Any:
    """Poll condition until it returns something truthy, and return it; fail with failure() after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout_s:g} s: {failure()}", pytrace=False)
        time.sleep(poll_s)


# --- a scratch project where the first notebooks already ran ------------------------------------------------


def quick_environment(root: Path) -> dict[str, str]:
    """The environment of a notebook in the quick profile that reads and writes under root."""
    env = os.environ | {"MUSICRNN_PROFILE": "quick", "MUSICRNN_ROOT": str(root)}
    env.pop("MUSICRNN_CORPUS", None)
    return env


def make_scratch_project(root: Path) -> Path:
    """Copy the notebooks and the shipped model to root, as a student's checkout has them."""
    (root / "notebooks").mkdir()
    for notebook in (PROJECT / "notebooks").glob("*.ipynb"):
        shutil.copy2(notebook, root / "notebooks")
    shutil.copytree(PROJECT / "models", root / "models")
    return root


CELL_TIMEOUT_S = 600  # nbconvert's limit for one cell: a cell that hangs fails its notebook, naming the cell


def notebook_failure(notebook: Path, root: Path, timeout_s: int = 900, cwd: Path | None = None) -> str | None:
    """Run a notebook top to bottom with nbconvert in the quick profile, writing its copy to root/executed.

    nbconvert runs in cwd (default: this process's); its kernel runs in the notebook's own folder. Returns None
    when every cell ran, else what failed (the end of nbconvert's error output).
    """
    command = [str(JUPYTER), "nbconvert", "--execute", "--to", "notebook", "--output-dir", str(root / "executed")]
    command += [f"--ExecutePreprocessor.timeout={CELL_TIMEOUT_S}", str(notebook)]
    environment = quick_environment(root)
    try:
        result = subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return f"{notebook.name} did not finish within {timeout_s} s"
    return None if result.returncode == 0 else f"{notebook.name} failed:\n{result.stderr[-3000:]}"


# --- JupyterLab -------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on localhost that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterLab:
    """A running JupyterLab server: where it listens, its token, its process and its log."""

    base_url: str
    token: str
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        """The address of a page of this server, logged in with the token."""
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def api(self, path: str, method: str = "GET", timeout_s: float = 5) -> Any:
        """Call the server's REST API with the token, and return the decoded JSON answer (None if empty)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.is_file() else "(no log)"

    def wait_until_ready(self, timeout_s: float) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                pytest.fail(
                    f"JupyterLab exited with code {self.process.returncode} before it served; "
                    f"its log ({self.log}) ends:\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                return "started" in self.api("status", timeout_s=2)
            except (OSError, ValueError):
                return False

        wait_until(ready, timeout_s, lambda: f"JupyterLab did not answer on {self.base_url}; log:\n{self.log_tail()}")


def write_lab_settings(settings_dir: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def descendants(pid: int) -> list[int]:
    """The ids of every process below pid (Linux /proc); kernels run in sessions of their own."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def stop_jupyterlab(lab: JupyterLab) -> None:
    """Shut the server and its kernels down: politely through the API, then SIGTERM, then SIGKILL."""
    process = lab.process
    started = [process.pid, *descendants(process.pid)]
    with contextlib.suppress(OSError, ValueError):
        lab.api("shutdown", method="POST", timeout_s=10)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    for sig, grace_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=grace_s)
    for pid in started[1:]:  # a kernel left behind by a server that had to be killed
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def running_jupyterlab(
    root: Path, scratch: Path, log: Path, timeout_s: float = 120, environment: dict | None = None
) -> Iterator[JupyterLab]:
    """JupyterLab from the project's .venv, serving root on a free localhost port with a random token.

    Its kernels see the quick profile, MUSICRNN_ROOT=root and any extra environment; its settings, workspaces
    and runtime files live under scratch, so a developer's own JupyterLab settings change nothing. It is shut
    down on leaving.
    """
    if not JUPYTER.is_file():
        pytest.fail(f"{JUPYTER} is missing: `make setup` creates the project's environment", pytrace=False)
    write_lab_settings(scratch / "lab-settings")
    env = (
        quick_environment(root)
        | {
            "JUPYTER_CONFIG_DIR": str(scratch / "config"),
            "JUPYTER_DATA_DIR": str(scratch / "data"),
            "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(scratch / "lab-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "workspaces"),
            "IPYTHONDIR": str(scratch / "ipython"),
        }
        | (environment or {})
    )
    port, token = free_port(), secrets.token_hex(24)
    command = [str(JUPYTER), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    command += ["--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    command += ["--LabApp.extension_manager=readonly"]  # no look-ups of extensions on PyPI
    if os.geteuid() == 0:  # CI runs as root
        command.append("--allow-root")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, process, log)
    try:
        lab.wait_until_ready(timeout_s)
        yield lab
    finally:
        stop_jupyterlab(lab)


# --- Chromium -----------------------------------------------------------------------------------------------


def sync_playwright():
    """Playwright's sync entry point; a clear failure when the package is not installed."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        pytest.fail("the Python package playwright is missing from this environment: `make setup`", pytrace=False)
    return start()


def require_chromium(executable: Path = CHROMIUM) -> None:
    """Fail, naming the path and the install command, when the Chromium executable is missing."""
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        pytest.fail(
            f"no Chromium executable at {executable}: install Debian's chromium package ({INSTALL_CHROMIUM}); "
            "the browser test drives it through Playwright, whose own browser download is not used",
            pytrace=False,
        )


def launch_chromium(playwright, executable: Path = CHROMIUM, timeout_s: float = 60):
    """Start headless Chromium through Playwright, or fail with a message naming the executable."""
    from playwright.sync_api import Error

    require_chromium(executable)
    try:
        return playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS, timeout=timeout_s * 1000
        )
    except Error as error:
        first_lines = "\n".join(str(error).splitlines()[:12])
        pytest.fail(f"Chromium at {executable} did not start within {timeout_s:g} s:\n{first_lines}", pytrace=False)


# --- JupyterLab in the page ---------------------------------------------------------------------------------

ACTIVE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"

NOTEBOOK_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return null;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
  const kernel = [...document.querySelectorAll('.jp-StatusBar-TextItem')].map(e => e.textContent.trim())
    .filter(text => text.includes(' | ')).map(text => text.split(' | ').pop().toLowerCase());
  const errors = [...panel.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
    .map(e => e.textContent).filter(text => text.includes('Traceback'));
  return {prompts, kernel: kernel.length ? kernel[0] : null, errors};
}"""


def notebook_state(page) -> dict:
    """The active notebook's input prompts ('[3]:', '[*]:', '[ ]:'), kernel status (status bar) and tracebacks."""
    return page.evaluate(NOTEBOOK_STATE) or {"prompts": [], "kernel": None, "errors": []}


def open_notebook(page, lab: JupyterLab, path: str, timeout_s: float = 120) -> None:
    """Open a notebook of the server's root in JupyterLab; wait until all its cells show and its kernel is idle."""
    cells = lab.api(f"contents/{path}")["content"]["cells"]
    code_cells = sum(cell["cell_type"] == "code" for cell in cells)
    workspace = Path(path).stem  # a workspace of its own, so no tab of another test is restored
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}"), timeout=timeout_s * 1000)

    def ready() -> bool:
        state = notebook_state(page)
        return len(state["prompts"]) == code_cells and state["kernel"] == "idle"

    wait_until(
        ready,
        timeout_s,
        lambda: (
            f"{path} did not open with {code_cells} code cells and an idle kernel: {notebook_state(page)}; "
            f"server log:\n{lab.log_tail()}"
        ),
    )


def click_run_all(page) -> None:
    """Run > Run All Cells from the menu bar."""
    page.locator(".lm-MenuBar-item", has_text=re.compile("^Run$")).click()
    page.locator(".lm-Menu-item", has_text=re.compile("^Run All Cells")).click()


def run_all_cells(page, timeout_s: float) -> None:
    """Run > Run All Cells from the menu bar, then wait until every code cell ran and the kernel is idle."""
    click_run_all(page)

    def finished() -> bool:
        state = notebook_state(page)
        if state["errors"] and state["kernel"] == "idle":
            pytest.fail("a cell raised while running all cells:\n" + state["errors"][0][-3000:], pytrace=False)
        return state["kernel"] == "idle" and all(prompt[1:-2].isdigit() for prompt in state["prompts"])

    wait_until(finished, timeout_s, lambda: f"the cells did not all run: {notebook_state(page)}", poll_s=1)


def labelled(scope, widget_class: str, label: str):
    """The ipywidgets controls of that class (e.g. 'widget-slider') under scope whose description reads label.

    scope is a page or a locator; a page gives a relative locator, fit for Locator.filter(has=...).
    """
    page = getattr(scope, "page", scope)
    description = page.locator("label.widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    return scope.locator(f".{widget_class}").filter(has=description)


def press_slider(slider, key: str, times: int) -> None:
    """Move an ipywidgets slider with the keyboard, as a person does after clicking its handle."""
    handle = slider.locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)


def log_console_text(page) -> str:
    """Open View > Show Log Console, where JupyterLab shows what widget callbacks printed or raised; read it."""
    from playwright.sync_api import Error

    try:
        page.locator(".lm-MenuBar-item", has_text=re.compile("^View$")).click(timeout=5000)
        page.locator(".lm-Menu-item", has_text=re.compile("^Show Log Console")).click(timeout=5000)
        console = page.locator(".jp-LogConsolePanel")
        console.wait_for(timeout=5000)
        time.sleep(1)  # the console fills in as it renders its messages
        return console.inner_text(timeout=5000).strip()[-3000:] or "(empty)"
    except Error as error:
        return f"(could not be read: {str(error).splitlines()[0]})"


def save_screenshot(page, target, name: str) -> Path:
    """Scroll target (else the notebook's last cell) into view and save the page as artifacts/browser/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    for shown in (target, page.locator(f"{ACTIVE_NOTEBOOK} .jp-Cell").last):
        try:  # the screenshot is evidence; the test's own failure is what counts
            shown.scroll_into_view_if_needed(timeout=5000)
            break
        except Exception:
            continue
    page.screenshot(path=path)
    return path
