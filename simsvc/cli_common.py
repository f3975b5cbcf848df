"""What every ``simsvc`` command module shares: the two consoles and the exit codes.

Exit codes: 0 success, 2 invalid input (the message names the file and the field),
3 targets infeasible (the message says which and by how much), 1 anything else,
130 interrupted (finished work is still printed and saved).
"""

from __future__ import annotations

import sys

from rich.console import Console

__all__ = ["INFEASIBLE", "INTERRUPTED", "INVALID_INPUT", "err", "out"]

# Piped or redirected output keeps whole tables (rich would wrap them at 80 columns).
out = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True)

INVALID_INPUT = 2
INFEASIBLE = 3
INTERRUPTED = 130
