"""Complaints from filing to outcome: placed by the desk, decided and recorded in batches.

Nothing in the run needs a complaint's outcome when it is filed: the outcome and the
customer's return are booked when its handling starts, and they act only on later days
(word of mouth, return visits). So filed complaints wait (as rows of flat arrays), and
are placed by the desk (:mod:`simsvc.sim.complaint_desk`, first come, first served, in the
order they reach it), their recovery decided and their records made in NumPy, a batch at
a time: when a chunk has gathered, when a day opens, and at the end. With live
loyalty (returns and word of mouth over several days) their outcomes and returns are
booked at the next opening, on the day their handling started.

Recovery succeeds with :func:`simsvc.quality.recovery_probability` (the handler level's
success, decaying with the time to resolution); a recovered customer's gap becomes
:func:`simsvc.quality.recovered_gap`.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.complaint_desk import ComplaintDesk

__all__ = ["Complaints"]

CHUNK = 4096
"""Complaints placed at a time, and complaint records handed to their sink at a time."""

# A filed complaint is a row of two flat arrays, not an object: its numbers stay together
# in memory until it is placed. Floats: when it reaches the desk, when it was filed, the
# customer's arrival, its gap and perceived responsiveness. Integers: whether it reached the
# desk at a service end, the customer, class and cell, its judging (an index into
# ``judgings``), its index there, and the team that served it (-1: none).
_DESK, _FILED, _ARRIVAL, _GAP, _PERCEIVED = range(5)
_AT_END, _CUSTOMER, _CLASS, _CELL, _JUDGING, _INDEX, _TEAM = range(7)
_FLOATS, _INTS = 5, 7


class Complaints:
    """The complaints of one replication.

    Args:
        scenario: the validated scenario.
        desk: its complaint desk.
        sink: called with record rows (:data:`COMPLAINT_FIELDS` columns), in chunks.
        loyalty: ``loyalty(booked)`` books complaints' outcomes (word of mouth) and the
            return visits they decided, given ``(class, judging, index, outcome, team,
            perceived, returns)`` each; called only with live loyalty, at each opening for
            the complaints whose handling started since, and at the end.
        live: whether outcomes are booked during the run (live loyalty).
    """

    def __init__(
        self,
        scenario: Scenario,
        desk: ComplaintDesk,
        sink: Callable[[np.ndarray], None],
        loyalty: Callable[..., None],
        live: bool,
    ):
        q, comp = scenario.quality, scenario.complaints
        self.desk, self.sink, self.loyalty, self.live = desk, sink, loyalty, live
        self.hi, self.lo = q.delighted_above, q.dissatisfied_below
        self.decay, self.paradox = comp.recovery_decay_minutes, comp.paradox
        loyalty = scenario.loyalty
        self.p_return = None if loyalty is None else np.array(loyalty.return_probability.as_tuple())
        self.floats, self.ints = array("d"), array("q")  # filed, not placed yet
        self.judgings: list[Any] = []
        self.n_filed = 0
        self.next_batch = CHUNK  # place when this many have been filed
        self.booking: deque[tuple] = deque()  # live loyalty: placed, outcome not booked yet
        self.never: list[tuple] = []  # no shift will reach them
        self.rows: list[np.ndarray] = []  # records not handed to the sink yet
        self.n_rows = 0

    def file(
        self, now: float, filed: float, cid: int, k: int, cell: int, arrival: float, x: Any, i: int, gap: float,
        team: int, perceived: float,
    ) -> None:  # fmt: skip
        """File a complaint at ``now`` (``x``: the customer's judging, ``team`` -1: not served).

        A served customer's complaint reaches the desk when its service ends (``filed``),
        another's now.
        """
        judgings = self.judgings
        if not judgings or judgings[-1] is not x:
            judgings.append(x)
        desk = filed if team >= 0 else now
        self.floats.extend((desk, filed, arrival, gap, perceived))
        self.ints.extend((team >= 0, cid, k, cell, len(judgings) - 1, i, team))
        self.n_filed += 1
        if self.n_filed >= self.next_batch:
            self.place(now, False)

    def place(self, until: float, ends_too: bool = True) -> None:
        """Place, decide and record every complaint that has reached the desk by ``until``.

        In the order they reach it; at the same moment, complaints of customers who left
        come first (a service end hands the server on, which may find who has abandoned,
        before its own customer complains), then in filing order. ``ends_too`` False
        leaves out those reaching it at a service end at ``until``.
        """
        n = self.n_filed
        if not n:
            return
        floats = np.array(self.floats).reshape(n, _FLOATS)
        ints = np.array(self.ints).reshape(n, _INTS)
        desk, at_end = floats[:, _DESK], ints[:, _AT_END]
        due = (desk < until) | ((desk == until) & (ends_too | (at_end == 0)))
        chosen = np.flatnonzero(due)
        order = chosen[np.lexsort((chosen, at_end[chosen], desk[chosen]))]
        judgings = self.judgings
        self._keep(floats[~due], ints[~due])
        if len(order):
            self._place(floats[order], ints[order], judgings)

    def _keep(self, floats: np.ndarray, ints: np.ndarray) -> None:
        """Keep these complaints (not placed yet) for the next batch."""
        used = np.unique(ints[:, _JUDGING])
        judgings = [self.judgings[j] for j in used.tolist()]
        ints = ints.copy()
        ints[:, _JUDGING] = np.searchsorted(used, ints[:, _JUDGING])
        self.floats, self.ints = array("d", floats.ravel().tolist()), array("q", ints.ravel().tolist())
        self.judgings, self.n_filed = judgings, len(floats)
        self.next_batch = self.n_filed + CHUNK

    def _place(self, floats: np.ndarray, ints: np.ndarray, judgings: list[Any]) -> None:
        """Place complaints (in desk order) with the desk; decide and record those it handles."""
        need, u_recover, u_return = _draws(ints, judgings)
        assign, teams, starts, ends = self.desk.assign, [], [], []
        for at_desk, n in zip(floats[:, _DESK].tolist(), need.tolist(), strict=True):
            placed = assign(at_desk, n)
            if placed is None:  # nor any later one: the desk has no shift left
                break
            teams.append(placed[0])
            starts.append(placed[1])
            ends.append(placed[2])
        m = len(starts)
        for f, g in zip(floats[m:].tolist(), ints[m:].tolist(), strict=True):
            self.never.append((f, g, judgings[g[_JUDGING]]))
        if not m:
            return
        floats, ints = floats[:m], ints[:m]
        start, end = np.array(starts), np.array(ends)
        filed, gap = floats[:, _FILED], floats[:, _GAP]
        success = np.array([team.success for team in teams])
        recovered = u_recover[:m] < quality.recovery_probability(end - filed, success, self.decay)
        final = np.where(recovered, quality.recovered_gap(gap, self.paradox), gap)
        outcome = np.where(recovered, quality.category(final, self.hi, self.lo), quality.UNRESOLVED)
        returns = np.full(m, np.nan) if self.p_return is None else (u_return[:m] < self.p_return[outcome])
        if self.live:  # booked when handling starts (book)
            self.booking.extend(
                zip(
                    starts, ints[:, _CLASS].tolist(),
                    [judgings[j] for j in ints[:, _JUDGING].tolist()], ints[:, _INDEX].tolist(), outcome.tolist(),
                    ints[:, _TEAM].tolist(), floats[:, _PERCEIVED].tolist(), (returns == 1).tolist(), strict=True,
                )
            )  # fmt: skip
        rows = np.column_stack([
            ints[:, _CUSTOMER], ints[:, _CLASS], ints[:, _CELL], floats[:, _ARRIVAL], filed, start - filed, start, end,
            [team.index for team in teams], np.ones(m), gap, final, outcome, recovered, returns,
        ]).astype(np.float64, copy=False)  # fmt: skip
        self._emit(rows)

    def book(self, now: float) -> None:
        """Book the outcome and return of every complaint whose handling started by ``now``."""
        self.place(now)
        booking, booked = self.booking, []
        while booking and booking[0][0] <= now:
            booked.append(booking.popleft()[1:])
        if booked:
            self.loyalty(booked)

    def finish(self) -> None:
        """Place and book everything; complaints no shift reached are unresolved."""
        self.book(math.inf)
        self.desk.close()
        unresolved = quality.UNRESOLVED
        for f, g, x in self.never:
            i = g[_INDEX]
            returns = math.nan if self.p_return is None else int(x.draws.u_return.item(i) < self.p_return[unresolved])
            if self.live:  # counted for word of mouth; no return within the horizon
                self.loyalty([(g[_CLASS], x, i, unresolved, g[_TEAM], f[_PERCEIVED], 0)])
            row = (g[_CUSTOMER], g[_CLASS], g[_CELL], f[_ARRIVAL], f[_FILED], math.nan, math.nan, math.nan, -1, 0,
                   f[_GAP], f[_GAP], unresolved, 0, returns)  # fmt: skip
            self._emit(np.array([row], dtype=np.float64))
        self.never.clear()
        self._emit(None)

    def _emit(self, rows: np.ndarray | None) -> None:
        """Hand records to the sink in chunks of :data:`CHUNK` rows (``None``: the rest)."""
        if rows is not None:
            self.rows.append(rows)
            self.n_rows += len(rows)
            if self.n_rows < CHUNK:
                return
        if not self.rows:
            return
        pending = np.concatenate(self.rows)
        full = len(pending) if rows is None else len(pending) // CHUNK * CHUNK
        for lo in range(0, full, CHUNK):
            self.sink(pending[lo : lo + CHUNK])
        self.rows = [pending[full:]] if full < len(pending) else []
        self.n_rows = len(pending) - full


def _draws(ints: np.ndarray, judgings: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Handling need, recovery and return draws of complaints (from their judgings' draws)."""
    n = len(ints)
    need, u_recover, u_return = np.empty(n), np.empty(n), np.empty(n)
    which, index = ints[:, _JUDGING], ints[:, _INDEX]
    for j in np.unique(which).tolist():
        rows = which == j
        draws = judgings[j].draws
        need[rows] = draws.complaint_need[index[rows]]
        u_recover[rows] = draws.u_recover[index[rows]]
        u_return[rows] = draws.u_return[index[rows]]
    return need, u_recover, u_return
