"""The tally's wait bins equal NumPy's binary search on the histogram edges, value for value."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from simsvc.sim.tally import WAIT_EDGES, wait_bins


def reference(wait: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(WAIT_EDGES, wait, side="right") - 1, 0, len(WAIT_EDGES) - 1)


def test_every_edge_and_its_neighbours():
    """Each edge, the floats just below and above it, and values past the last edge."""
    edges = np.concatenate([WAIT_EDGES, [2e5, 1e300, np.inf]])
    values = np.concatenate([edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    values = values[values >= 0]
    np.testing.assert_array_equal(wait_bins(values), reference(values))


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200))
def test_random_waits(waits: list[float]):
    w = np.array(waits)
    np.testing.assert_array_equal(wait_bins(w), reference(w))


def test_a_long_run_of_exponential_waits():
    w = np.random.default_rng(5).exponential(3.0, 200_000) * (np.random.default_rng(6).random(200_000) < 0.7)
    np.testing.assert_array_equal(wait_bins(w), reference(w))
