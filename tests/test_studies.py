"""Examples are tests: every study script in experiments/ runs in its --quick mode and writes its outputs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import ROOT

STUDIES = sorted(p for p in (ROOT / "experiments").glob("*.py") if p.name != "common.py")


def test_every_study_is_documented():
    readme = (ROOT / "experiments" / "README.md").read_text(encoding="utf-8")
    assert len(STUDIES) >= 5
    for script in STUDIES:
        assert f"python experiments/{script.name} --out" in readme, script.name


@pytest.mark.parametrize("script", STUDIES, ids=lambda p: p.stem)
def test_study_runs_quick(tmp_path, script):
    proc = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path), "--quick"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert table.startswith("# ") and "|---|" in table
    figures = list(tmp_path.glob("*.png"))
    assert figures and all(f.stat().st_size > 5_000 for f in figures)
    assert (tmp_path / "store" / "manifest.json").is_file()
