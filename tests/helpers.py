"""Shared test helpers: running the CLI as a user would, in a separate process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``simsvc ARGS`` with this interpreter; capture text output."""
    return subprocess.run(
        [sys.executable, "-m", "simsvc.cli", *args],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout,
    )  # fmt: skip
