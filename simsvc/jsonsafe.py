"""Strict JSON: what simsvc writes parses with any JSON parser.

Python's ``json`` writes NaN and infinity as the bare words ``NaN`` and ``Infinity``,
which are not JSON (RFC 8259) and which strict parsers (JavaScript's ``JSON.parse``,
``jq``, many databases) refuse. simsvc writes ``null`` instead: a KPI that is undefined
(no customers to average over) or unbounded (no staff on duty) has no number.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps", "json_number", "json_safe"]


def json_number(x: Any) -> float | None:
    """``x`` as a float, or None when it is missing, NaN or infinite."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def json_safe(data: Any) -> Any:
    """``data`` with every non-finite float (also NumPy's) inside mappings and lists made None."""
    if isinstance(data, float):  # NumPy's float64 is a float too
        return json_number(data)
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    if hasattr(data, "dtype") and getattr(data, "shape", None) == ():  # other NumPy scalars
        return json_safe(data.item())
    return data


def dumps(data: Any, **kwargs: Any) -> str:
    """``json.dumps`` of :func:`json_safe` ``(data)``, refusing anything that is still not strict JSON."""
    return json.dumps(json_safe(data), allow_nan=False, **kwargs)
