"""Fixtures shared by the browser tests: one Chromium per session, the app server per module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, free_port, require_browser, wait_healthy
from tests.helpers import ROOT


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium from the system package, driven by Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url():
    """``simsvc app`` started on a free port; killed at teardown."""
    require_browser()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "simsvc.cli", "app", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
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
