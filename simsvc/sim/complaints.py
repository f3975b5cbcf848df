"""Complaints from filing to outcome: placed by the desk, decided and recorded in batches.

Nothing in the run needs a complaint's outcome when it is filed: the outcome and the
customer's return are booked when its handling starts, and they act only on later days
(word of mouth, return visits). So a filed complaint waits in a heap ordered by when it
reaches the desk, and complaints are placed by the desk (:mod:`simsvc.sim.complaint_desk`,
first come, first served), their recovery decided and their records made in NumPy, a
batch at a time: when a chunk has gathered, when a day opens, and at the end. With live
loyalty (returns and word of mouth over several days) they are also placed before each
customer's own return is booked, so that bookings keep their order in time.

Recovery succeeds with probability ``recovery_success(handler level) * exp(-time to
resolution / recovery_decay_minutes)``; a recovered customer's gap becomes
``max(gap, 0) + paradox``.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.complaint_desk import ComplaintDesk

__all__ = ["COMPLAINT_FIELDS", "Complaints"]

COMPLAINT_FIELDS = (
    "customer", "klass", "cell", "arrival", "filed", "wait", "start", "end", "team", "handled",
    "initial_gap", "gap", "category", "recovered", "returns",
)  # fmt: skip
"""Columns of a complaint record: the complaining customer (class, cell and arrival), when
the complaint was filed, waited and was handled, and the customer's judgement before
(``initial_gap``) and after handling (``gap``, ``category``: an unrecovered complaint is
``UNRESOLVED``)."""
CHUNK = 4096
"""Complaints placed at a time, and complaint records handed to their sink at a time."""

# A filed complaint: (reaches the desk, 1 if at a service end else 0, sequence number, filed,
# customer, class, cell, arrival, judging, index in its batch, gap, team (-1: unserved),
# perceived responsiveness). At the same moment, complaints of customers who left come
# first: a service end hands the server on (which may find who has abandoned) before its
# own customer complains.
_DESK, _AT_END, _SEQUENCE, _FILED, _CUSTOMER, _CLASS, _CELL, _ARRIVAL, _JUDGING, _INDEX, _GAP, _TEAM, _PERCEIVED = (
    range(13)
)


class Complaints:
    """The complaints of one replication.

    Args:
        scenario: the validated scenario.
        desk: its complaint desk.
        sink: called with record rows (:data:`COMPLAINT_FIELDS` columns), in chunks.
        loyalty: ``loyalty(class, judging, index, outcome, team, perceived, when, returns)``
            books a complaint's outcome (word of mouth) and, if ``returns``, the customer's
            return visit; called only with live loyalty, when the handling starts.
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
        self.p_return = np.array(scenario.loyalty.return_probability.as_tuple())
        self.filed: list[tuple] = []  # heap of filed complaints not placed yet
        self.next_batch = CHUNK  # place when this many have been filed
        self.sequence = itertools.count()  # ties in time keep the filing order
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
        at_end = team >= 0
        complaint = (filed if at_end else now, at_end, next(self.sequence), filed, cid, k, cell, arrival, x, i, gap,
                     team, perceived)  # fmt: skip
        heappush(self.filed, complaint)
        if len(self.filed) >= self.next_batch:
            self.place(now, False)

    def place(self, until: float, ends_too: bool = True) -> None:
        """Place, decide and record every complaint that has reached the desk by ``until``.

        ``ends_too`` False leaves out those reaching it at a service end at ``until``.
        """
        heap, batch = self.filed, []
        while heap and (heap[0][0] < until or (heap[0][0] == until and (ends_too or not heap[0][1]))):
            batch.append(heappop(heap))
        self.next_batch = len(heap) + CHUNK
        if not batch:
            return
        need, u_recover, u_return = _draws(batch)
        assign, placed, slots = self.desk.assign, [], []
        for j, (complaint, n) in enumerate(zip(batch, need.tolist(), strict=True)):
            slot = assign(complaint[_DESK], n)
            if slot is None:  # nor any later one: the desk has no shift left
                self.never.extend(batch[j:])
                break
            placed.append(complaint)
            slots.append(slot)
        if placed:
            self._decide(placed, slots, u_recover[: len(placed)], u_return[: len(placed)])

    def _decide(self, placed: list[tuple], slots: list[tuple], u_recover: np.ndarray, u_return: np.ndarray) -> None:
        """Recovery, outcome and return of placed complaints; their records."""
        columns = list(zip(*placed, strict=True))
        teams = [slot[0] for slot in slots]
        start = np.array([slot[1] for slot in slots])
        end = np.array([slot[2] for slot in slots])
        filed, gap = np.array(columns[_FILED]), np.array(columns[_GAP])
        success = np.array([team.success for team in teams])
        recovered = u_recover < success * np.exp(-(end - filed) / self.decay)
        final = np.where(recovered, np.maximum(gap, 0.0) + self.paradox, gap)
        outcome = np.where(recovered, quality.category(final, self.hi, self.lo), quality.UNRESOLVED)
        returns = u_return < self.p_return[outcome]
        if self.live:  # booked when handling starts (book)
            started = start.tolist()
            self.booking.extend(
                zip(
                    started, [s == a for s, a in zip(started, columns[_DESK], strict=True)], columns[_CLASS],
                    columns[_JUDGING], columns[_INDEX], outcome.tolist(), columns[_TEAM], columns[_PERCEIVED],
                    end.tolist(), returns.tolist(), strict=True,
                )
            )  # fmt: skip
        rows = np.column_stack([
            columns[_CUSTOMER], columns[_CLASS], columns[_CELL], columns[_ARRIVAL], filed, start - filed, start, end,
            [team.index for team in teams], np.ones(len(placed)), gap, final, outcome, recovered, returns,
        ]).astype(np.float64, copy=False)  # fmt: skip
        self._emit(rows)

    def book(self, now: float) -> None:
        """Book the outcome and return of every complaint whose handling started by ``now``."""
        self.place(now)
        self._book(now, True)

    def book_before_customer(self, now: float) -> None:
        """:meth:`book` before a customer's own booking at ``now``, in the order of events.

        At that moment the complaints that reached the desk at a service end and those
        started by a handler becoming free come after the customer (the engine runs them
        after the service end or shift start that moves the customer on).
        """
        heap, booking = self.filed, self.booking
        reached = heap and (heap[0][0] < now or (heap[0][0] == now and not heap[0][1]))
        if reached or (booking and booking[0][0] <= now):
            self.place(now, False)
            self._book(now, False)

    def _book(self, now: float, all_now: bool) -> None:
        booking, loyalty = self.booking, self.loyalty
        while booking and (booking[0][0] < now or (booking[0][0] == now and (all_now or booking[0][1]))):
            _, _, k, x, i, outcome, t, perceived, end, returns = booking.popleft()
            loyalty(k, x, i, outcome, t, perceived, end, returns)

    def finish(self) -> None:
        """Place and book everything; complaints no shift reached are unresolved."""
        self.book(math.inf)
        self.desk.close()
        unresolved = quality.UNRESOLVED
        for c in self.never:
            x, i = c[_JUDGING], c[_INDEX]
            returns = int(x.draws.u_return.item(i) < self.p_return[unresolved])
            if self.live:
                self.loyalty(c[_CLASS], x, i, unresolved, c[_TEAM], c[_PERCEIVED], math.inf, returns)
            row = (c[_CUSTOMER], c[_CLASS], c[_CELL], c[_ARRIVAL], c[_FILED], math.nan, math.nan, math.nan, -1, 0,
                   c[_GAP], c[_GAP], unresolved, 0, returns)  # fmt: skip
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


def _draws(batch: list[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Handling need, recovery and return draws of a batch's complaints (from their judgings).

    Complaints filed close in time come from the same day's batch: one gather per run of them.
    """
    n = len(batch)
    need, u_recover, u_return = np.empty(n), np.empty(n), np.empty(n)
    first = 0
    for j in range(1, n + 1):
        if j == n or batch[j][_JUDGING] is not batch[first][_JUDGING]:
            draws = batch[first][_JUDGING].draws
            rows = [c[_INDEX] for c in batch[first:j]]
            need[first:j] = draws.complaint_need[rows]
            u_recover[first:j] = draws.u_recover[rows]
            u_return[first:j] = draws.u_return[rows]
            first = j
    return need, u_recover, u_return
