"""A real headless Chromium (Debian's ``chromium``) driven by Playwright, and the app served on localhost.

Outside CI, a machine without chromium or Playwright skips the browser tests with the reason;
with ``SIMSVC_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SIMSVC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


def require_browser() -> None:
    """Skip (or fail, when the browser is required) unless chromium and Playwright are installed."""
    problems = []
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        problems.append(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("Playwright for Python is not installed (pip install -e '.[test]')")
    if problems:
        reason = "; ".join(problems)
        if os.environ.get("SIMSVC_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (SIMSVC_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)


def keep_screenshot(path: Path) -> None:
    """Copy a screenshot to ``$SIMSVC_ARTIFACTS`` (git-ignored ``artifacts/``, say) when that is set."""
    folder = os.environ.get("SIMSVC_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def free_port() -> int:
    """A TCP port free on localhost right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Poll ``url`` until it answers ``ok``; fail with the server's output if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read() if process.stdout else ""
            pytest.fail(f"the app server exited with {process.returncode}:\n{out}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"the app server did not answer {url} within {timeout:.0f} s")


CHARTS_DRAWN = """(n) => { const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    return charts.length >= n && charts.every(c => [...c.querySelectorAll('svg.marks, canvas.marks')]
        .some(m => m.getBoundingClientRect().width > 50 && m.getBoundingClientRect().height > 50)); }"""
"""Whether at least ``n`` Vega-Lite charts are in the page and each is drawn (an SVG or canvas of some size)."""


def charts_drawn(page, count: int, timeout: float = 60_000) -> None:
    """Wait until ``count`` (or more) Vega-Lite charts are drawn in the page."""
    page.wait_for_function(CHARTS_DRAWN, arg=count, timeout=timeout)


@contextlib.contextmanager
def app_server(env: dict[str, str] | None = None) -> Iterator[str]:
    """``simsvc app`` started on a free port (``env``: extra environment); its URL; killed on exit."""
    from tests.helpers import ROOT

    require_browser()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simsvc.cli", "app", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})},
    )  # fmt: skip
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
