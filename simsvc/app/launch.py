"""Starting the Streamlit server on the app's page, as ``simsvc app`` does."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

__all__ = ["PAGE", "serve", "server_command"]

PAGE = Path(__file__).with_name("page.py")


def server_command(port: int, host: str = "localhost", open_browser: bool = False) -> list[str]:
    """The command line that serves the app on ``host:port`` (no telemetry, no error tracebacks).

    Streamlit's own command, started through :mod:`simsvc.app.warm` (the page's imports done first).
    """
    return [
        sys.executable, "-m", "simsvc.app.warm", "run", str(PAGE),
        "--server.port", str(port), "--server.address", host,
        "--server.headless", str(not open_browser).lower(),
        "--browser.gatherUsageStats", "false",
        "--client.showErrorDetails", "false",
        "--client.toolbarMode", "minimal",
        "--server.fileWatcherType", "none",
        "--theme.base", "light",
        # a lesson sets the sliders it moves through the session state (simsvc.app.lesson_view), on purpose
        "--global.disableWidgetStateDuplicationWarning", "true",
    ]  # fmt: skip


def serve(port: int = 8501, host: str = "localhost", open_browser: bool = False) -> NoReturn:
    """Become the Streamlit server (``exec``): one process, so a signal to it stops the server."""
    command = server_command(port, host, open_browser)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
