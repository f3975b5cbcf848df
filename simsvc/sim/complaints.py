"""Complaints from handling to outcome: decided and recorded in batches, in NumPy.

The complaint desk (:mod:`simsvc.sim.complaint_desk`) hands over each complaint when a
handler takes it: its start and end are then known. Nothing in the run needs its outcome
then: the outcome and the customer's return act only on later days (word of mouth, return
visits). So handled complaints wait, and their recovery is decided and their records made a
batch at a time: when a chunk has gathered, when a day opens, and at the end. With live
loyalty (returns and word of mouth over several days) their outcomes and returns are booked
at the next opening, on the day their handling started.

Recovery succeeds with :func:`simsvc.quality.recovery_probability` (the handler level's
success, decaying with the time to resolution); a recovered customer's gap becomes
:func:`simsvc.quality.recovered_gap`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario

__all__ = ["Complaints"]

CHUNK = 4096
"""Complaints decided at a time, and complaint records handed to their sink at a time."""

# A complaint as the desk hands it over: (customer, class, cell, arrival, filed, its wait
# (NaN: left unserved), the team that served it (-1: none), its judging, index there).
_CUSTOMER, _CLASS, _CELL, _ARRIVAL, _FILED, _WAIT, _TEAM, _JUDGING, _INDEX = range(9)
_HANDLED_FIELDS = (
    "customer", "klass", "cell", "arrival", "filed", "wait", "served_by", "index", "start", "end", "team", "success",
)  # fmt: skip


class Complaints:
    """The complaints of one replication.

    Args:
        scenario: the validated scenario.
        sink: called with record rows (:data:`COMPLAINT_FIELDS` columns), in chunks.
        loyalty: ``loyalty(booked)`` books complaints' outcomes (word of mouth) and the
            return visits they decided, given ``(class, judging, index, outcome, team,
            perceived, returns)`` each; called only with live loyalty, at each opening for
            the complaints whose handling started since, and at the end.
        live: whether outcomes are booked during the run (live loyalty).
    """

    def __init__(self, scenario: Scenario, sink: Callable[[np.ndarray], None], loyalty: Callable[..., None],
                 live: bool):  # fmt: skip
        q, comp = scenario.quality, scenario.complaints
        self.sink, self.loyalty, self.live = sink, loyalty, live
        self.hi, self.lo = q.delighted_above, q.dissatisfied_below
        self.decay, self.paradox = comp.recovery_decay_minutes, comp.paradox
        loyalty_model = scenario.loyalty
        self.p_return = None if loyalty_model is None else np.array(loyalty_model.return_probability.as_tuple())
        # Handled, not decided yet: numbers per complaint (_HANDLED_FIELDS) in a flat array, and judgings.
        self.numbers, self.judgings = array("d"), []
        self.booking: list[tuple] = []  # live loyalty: decided, outcome not booked yet
        self.never: list[tuple] = []  # never handled
        self.hopeless: list[tuple] = []  # filed with no complaint team: unresolved from the start, not booked yet
        self.rows: list[np.ndarray] = []  # records not handed to the sink yet
        self.n_rows = 0

    def handled(self, complaint: tuple, start: float, end: float, team: int, success: float) -> None:
        """A handler of ``team`` (recovery ``success``) took ``complaint`` at ``start``; done at ``end``."""
        cid, k, cell, arrival, filed, wait, served_by, x, i = complaint
        self.numbers.extend((cid, k, cell, arrival, filed, wait, served_by, i, start, end, team, success))
        self.judgings.append(x)
        if len(self.judgings) >= CHUNK:
            self._decide()

    def unhandled(self, complaint: tuple) -> None:
        """``complaint`` was never handled (no shift reached it)."""
        self.never.append(complaint)

    def unanswerable(self, complaint: tuple) -> None:
        """``complaint`` was filed where no complaint team exists: unresolved from the moment it is filed.

        Its outcome counts for word of mouth (and its return is decided) at the next opening, as a
        handled complaint's on the day its handling starts; not only at the end of the run, when it
        no longer moves any demand.
        """
        self.hopeless.append(complaint)

    def _decide(self) -> None:
        """Decide the recovery and return of every handled complaint not decided yet; make their records."""
        judgings, m = self.judgings, len(self.judgings)
        if not m:
            return
        a = np.frombuffer(self.numbers, dtype=np.float64).reshape(m, len(_HANDLED_FIELDS)).copy()
        self.numbers, self.judgings = array("d"), []
        col = dict(zip(_HANDLED_FIELDS, a.T, strict=True))
        index, served_by = col["index"].astype(np.int64), col["served_by"].astype(np.int64)
        gap, perceived, u_recover, u_return = _judged(judgings, index, served_by, col["wait"])
        start, end, filed = col["start"], col["end"], col["filed"]
        recovered = u_recover < quality.recovery_probability(end - filed, col["success"], self.decay)
        final = np.where(recovered, quality.recovered_gap(gap, self.paradox), gap)
        outcome = np.where(recovered, quality.category(final, self.hi, self.lo), quality.UNRESOLVED)
        returns = np.full(m, np.nan) if self.p_return is None else (u_return < self.p_return[outcome])
        if self.live:  # booked at the next opening, on the day handling started (book)
            self.booking.extend(
                zip(col["klass"].astype(np.int64).tolist(), judgings, index.tolist(), outcome.tolist(),
                    served_by.tolist(), perceived.tolist(), (returns == 1).tolist(), strict=True)
            )  # fmt: skip
        rows = np.column_stack([
            col["customer"], col["klass"], col["cell"], col["arrival"], filed, start - filed, start, end, col["team"],
            np.ones(m), gap, final, outcome, recovered, returns,
        ]).astype(np.float64, copy=False)  # fmt: skip
        self._emit(rows)

    def book(self, now: float) -> None:
        """Book the outcomes and returns decided by ``now`` (live loyalty).

        Those of the complaints whose handling started by then, and of those filed with no
        complaint team (:meth:`unanswerable`).
        """
        self._decide()
        hopeless, self.hopeless = self.hopeless, []
        booked, self.booking = self.booking, []
        booked += self._unresolved(hopeless, may_return=True)
        if booked and self.live:
            self.loyalty(booked)

    def finish(self) -> None:
        """Decide and book everything; complaints never handled are unresolved."""
        self.book(math.inf)
        for booking in self._unresolved(self.never, may_return=False):  # the horizon is over: no return within it
            if self.live:  # counted for word of mouth
                self.loyalty([booking])
        self.never.clear()
        self._emit(None)

    def _unresolved(self, complaints: list[tuple], may_return: bool) -> list[tuple]:
        """Records of complaints never handled (their outcome: unresolved); their loyalty bookings.

        ``may_return``: the bookings carry the decided return visits (else none, past the horizon).
        """
        if not complaints:
            return []
        unresolved, m = quality.UNRESOLVED, len(complaints)
        c = list(zip(*complaints, strict=True))
        index, team, wait = np.array(c[_INDEX]), np.array(c[_TEAM]), np.array(c[_WAIT])
        gaps, perceptions, _, u_return = _judged(c[_JUDGING], index, team, wait)
        returns = np.full(m, np.nan) if self.p_return is None else (u_return < self.p_return[unresolved]) * 1.0
        none, no = np.full(m, np.nan), np.zeros(m)
        self._emit(np.column_stack([
            c[_CUSTOMER], c[_CLASS], c[_CELL], c[_ARRIVAL], c[_FILED], none, none, none, no - 1, no,
            gaps, gaps, no + unresolved, no, returns,
        ]).astype(np.float64, copy=False))  # fmt: skip
        return [
            (k, x, i, unresolved, t, perceived, may_return and back == 1)
            for k, x, i, t, perceived, back in zip(
                c[_CLASS], c[_JUDGING], c[_INDEX], c[_TEAM], perceptions, returns.tolist(), strict=True
            )
        ]

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


def _judged(
    judgings: tuple, index: np.ndarray, team: np.ndarray, wait: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Complaining customers' gap and perceived responsiveness, and their recovery and return draws.

    Customer ``index[j]`` of judging ``judgings[j]``, served by ``team[j]`` (-1: none) after ``wait[j]``.
    """
    m = len(index)
    gap, perceived, u_recover, u_return = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    groups: dict[int, list[int]] = {}
    for row, x in enumerate(judgings):
        groups.setdefault(id(x), []).append(row)
    for rows in groups.values():
        x, i = judgings[rows[0]], index[rows]
        gap[rows], perceived[rows] = x.judged(i, team[rows], wait[rows])
        u_recover[rows], u_return[rows] = x.draws.u_recover[i], x.draws.u_return[i]
    return gap, perceived, u_recover, u_return
