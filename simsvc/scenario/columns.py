"""A read-only column of numbers: a trace's arrival times, days or service times.

A trace may have millions of rows. Held as a NumPy array (8 bytes a value) rather than a
tuple of Python floats (32), it is read, checked and replayed column-wise. It compares
equal to any sequence with the same values, so ``arrivals.trace_times == (1.5, 9.25)``
reads as it would for a tuple, and scenarios holding it compare and hash as values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["Column"]


class Column:
    """An immutable 1-D array of numbers (``np.asarray(column)`` gives it without a copy)."""

    def __init__(self, values: Any, dtype: Any = None, *, copy: bool = True) -> None:
        # A copy by default (the caller's array may change); ``copy=False`` takes over a new array.
        array = np.array(values, dtype=dtype, copy=copy or None)
        if array.ndim != 1:
            raise ValueError("a column is one-dimensional")
        array.setflags(write=False)
        self._values = array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == self._values.dtype:
            return self._values.copy() if copy else self._values
        return self._values.astype(dtype)

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values.tolist())

    def __getitem__(self, index: Any) -> Any:
        item = self._values[index]
        return item.item() if np.ndim(item) == 0 else Column(item)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Column):
            other = other._values
        try:
            values = np.asarray(other)
        except (TypeError, ValueError):
            return NotImplemented
        return values.shape == self._values.shape and bool((values == self._values).all())

    def __hash__(self) -> int:
        return hash((self._values.dtype.str, self._values.tobytes()))

    def __repr__(self) -> str:
        head = ", ".join(f"{v:g}" for v in self._values[:3].tolist())
        return f"Column([{head}{', ...' if len(self) > 3 else ''}], {len(self)} values)"

    def tolist(self) -> list[Any]:
        """The values as Python numbers."""
        return self._values.tolist()
