"""JupyterLab started by the README's lab command (`make lab`), driven in Debian's Chromium.

Every test here is marked ``browser``; `make test BROWSER=1` runs them. On a
failure the page's screenshot and browser console log are kept under
test-artifacts/browser/ (the path is printed at the end of the run).
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
SUBSHELL_SETTINGS = "@jupyterlab/apputils-extension/kernels-settings.jupyterlab-settings"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"   # reset: no tabs restored


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(workdir: Path, user_settings: dict[str, dict]) -> tuple[Lab, subprocess.Popen]:
    """`make lab` over a copy of the notebooks, on 127.0.0.1 with a random token.

    ``user_settings`` maps settings files (relative to the user settings
    folder) to their content; every lab gets windowingMode "none" so that
    all cells stay in the DOM.
    """
    root, settings = workdir / "notebooks", workdir / "user-settings"
    shutil.copytree(ROOT / "notebooks", root)
    files = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
             "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
             **user_settings}
    for rel, content in files.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(json.dumps(content))
    port, token = _free_port(), secrets.token_hex(16)
    lab_args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token} "
                f"--LabApp.expose_app_in_browser=True")
    log = workdir / "lab.log"
    # LAB_MAKE_ARGS: extra make arguments, e.g. "VENV=/path/.venv -o /path/.venv/.course-installed" to use an
    # installed environment from a second checkout without make reinstalling it there
    proc = subprocess.Popen(["make", "-C", str(ROOT), *shlex.split(os.environ.get("LAB_MAKE_ARGS", "")), "lab",
                             f"NOTEBOOKS={root}", f"LAB_ARGS={lab_args}"],
                            env={**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings)},
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"make lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{lab.url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return lab, proc
        except OSError:
            time.sleep(0.5)
    stop_lab(proc)
    raise RuntimeError(f"JupyterLab did not answer within 180 s:\n{log.read_text()[-3000:]}")


def stop_lab(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab exactly as learners get it from `make lab`."""
    lab, proc = start_lab(tmp_path_factory.mktemp("lab"), {})
    yield lab
    stop_lab(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


CONSOLE_LOGS: dict[int, list[str]] = {}   # id(page) -> its browser console lines, for every page a test drives


@pytest.fixture(scope="session")
def make_page(browser):
    """A function that opens a fresh browser page whose console is recorded (all closed at the end)."""
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        contexts.append(context)
        pg = context.new_page()
        console = CONSOLE_LOGS.setdefault(id(pg), [])
        pg.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
        pg.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
        return pg

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    """A fresh browser page for one test."""
    pg = make_page()
    yield pg
    pg.context.close()


def keep_artifacts(pg, name: str) -> None:
    """Save the page's screenshot and console log under ARTIFACTS, named after the test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name.replace("/", "_").replace("[", "-").replace("]", "")
    console = CONSOLE_LOGS.get(id(pg), [])
    try:
        pg.screenshot(path=f"{stem}.png", full_page=True)
    except Exception as exc:  # the page may be gone; the log is still worth keeping
        console = [*console, f"[screenshot failed] {exc}"]
    Path(f"{stem}.console.log").write_text("\n".join(console))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, keep the screenshot and console log of every page it drove, as they are now."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if id(value) in CONSOLE_LOGS:
                keep_artifacts(value, item.name)


def pytest_terminal_summary(terminalreporter):
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"browser test screenshots and console logs: {ARTIFACTS}")
