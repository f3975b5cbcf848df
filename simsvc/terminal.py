r"""User text in the terminal: shown as written, never as markup, emoji or control sequences.

Names, paths and messages come from users' files. Printed through rich as plain strings,
``[/bold]`` would crash the command, ``[east]`` vanish and ``:smile:`` turn into an emoji;
printed raw, an escape sequence (``"\e[2J"`` in a YAML double-quoted name) would clear the
screen or retitle the terminal. These :class:`~rich.text.Text` builders show each such
character escaped (``\x1b``) and everything else exactly as written; simsvc's own styles
are applied to whole pieces, never parsed out of the text.
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["labelled", "plain", "plain_row", "printable"]

# C0 and C1 controls but newline and tab; DEL; the bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters written as escapes (``\x1b``, ``\u202e``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def plain(text: object, style: str = "") -> Text:
    """``text`` as a rich Text shown exactly as written (controls escaped), in ``style``."""
    return Text(printable(str(text)), style=style)


def plain_row(*cells: object) -> list[Text]:
    """Table cells shown as written; a :class:`~rich.text.Text` (a styled verdict) is kept as it is."""
    return [c if isinstance(c, Text) else plain(c) for c in cells]


def labelled(label: str, style: str, message: str) -> Text:
    """``label`` in ``style`` (``error:`` in bold red), then ``message`` as written."""
    return Text.assemble((label, style), " ", plain(message))
