import numpy as np
import pandas as pd
import pytest

from simsvc.pareto import pareto_front, pareto_mask


def brute_force(values):
    """Reference: a point is dominated if another is <= everywhere and < somewhere (all minimised)."""
    out = []
    for i, p in enumerate(values):
        out.append(not any((q <= p).all() and (q < p).any() for j, q in enumerate(values) if j != i))
    return np.array(out)


def test_cost_against_satisfaction():
    frame = pd.DataFrame({"cost": [100, 120, 90, 150, 120], "satisfaction": [0.7, 0.8, 0.6, 0.8, 0.75]})
    assert pareto_mask(frame, minimize=["cost"], maximize=["satisfaction"]).tolist() == [
        True, True, True, False, False]
    assert pareto_front(frame, ["cost"], ["satisfaction"])["cost"].tolist() == [90, 100, 120]


def test_matches_brute_force_on_random_points():
    rng = np.random.default_rng(3)
    values = rng.integers(0, 6, size=(60, 3)).astype(float)
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    expected = brute_force(np.column_stack([values[:, 0], values[:, 1], -values[:, 2]]))
    assert (pareto_mask(frame, minimize=["a", "b"], maximize=["c"]) == expected).all()


def test_missing_values_and_bad_columns():
    frame = pd.DataFrame({"cost": [1.0, np.nan], "sat": [0.5, 0.9]})
    assert pareto_mask(frame, ["cost"], ["sat"]).tolist() == [True, False]
    with pytest.raises(ValueError, match="no column"):
        pareto_mask(frame, ["price"])
    with pytest.raises(ValueError, match="at least one"):
        pareto_mask(frame)
