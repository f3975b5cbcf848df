"""Matplotlib figures of runs, optimizations and sweeps, in English or Simplified Chinese.

Every figure function returns a :class:`matplotlib.figure.Figure` drawn on an Agg canvas
(no ``pyplot``, nothing shown) and takes ``lang="en"`` or ``"zh"``. Matplotlib itself is
imported only when a figure is built.
"""

from simsvc.plots._base import cjk_family, png_bytes, save_png
from simsvc.plots.day import day_profile, staffing_vs_demand, wait_distribution
from simsvc.plots.money import COST_PARTS, cost_breakdown, has_money, pareto_frontier
from simsvc.plots.quality import funnel_counts, outcome_funnel, servqual_gaps, servqual_radar
from simsvc.plots.sets import RUN_FIGURES, interval_profile, run_figures, write_figures

__all__ = [
    "COST_PARTS",
    "RUN_FIGURES",
    "cjk_family",
    "cost_breakdown",
    "day_profile",
    "funnel_counts",
    "has_money",
    "interval_profile",
    "outcome_funnel",
    "pareto_frontier",
    "png_bytes",
    "run_figures",
    "save_png",
    "servqual_gaps",
    "servqual_radar",
    "staffing_vs_demand",
    "wait_distribution",
    "write_figures",
]
