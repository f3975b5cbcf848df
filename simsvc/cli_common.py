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
# What is printed holds names, paths and messages from users' files: never read as markup
# ("[/bold]" would crash, "[east]" vanish) or emoji codes; simsvc's own styles use
# simsvc.terminal, which also escapes control characters.
out = Console(width=None if sys.stdout.isatty() else 150, markup=False, emoji=False)
err = Console(stderr=True, markup=False, emoji=False)

INVALID_INPUT = 2
INFEASIBLE = 3
INTERRUPTED = 130
