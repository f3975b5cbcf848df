"""The Python half of the compiled complaint desk: the loop's complaint log, read into the engine.

Complaints reach the engine's :class:`~simsvc.sim.complaints.Complaints` in the order the SimPy
model hands them over. The loop (:func:`simsvc.sim.kernel.loop.complain`) logs each complaint
as it is filed and its handling as a handler takes it; complaints are handled in filing order
(the desk is one first-come queue). After each call of the loop, :meth:`DeskLog.read` passes the newly handled
ones to the engine (``ComplaintDesk.handled``), or, where no complaint team exists, every new one
as unanswerable; at the end, those still waiting become the desk's queue for
``QualityEngine._finish``. A complaint's judgement is its customer's, found by customer number.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING

import numpy as np

from simsvc.sim.kernel import loop

if TYPE_CHECKING:
    from simsvc.sim.demand import Batch
    from simsvc.sim.judging import Judging
    from simsvc.sim.quality_engine import QualityEngine

__all__ = ["DeskLog"]


class DeskLog:
    """Reads a kernel run's complaint log for ``engine`` (a :class:`~simsvc.sim.quality_engine.QualityEngine`)."""

    def __init__(self, engine: QualityEngine):
        self.engine = engine
        self.staffed = bool(engine.class_teams[engine.desk])
        self.read_to = 0  # complaints passed to the engine so far (filing order)
        self.firsts: list[int] = []  # each drawn day's first customer, its batch and judging
        self.days: list[tuple[Batch, Judging]] = []

    def register(self, first: int, batch: Batch, x: Judging) -> None:
        """A day's customers from ``first`` on were placed (their complaints may come later)."""
        self.firsts.append(first)
        self.days.append((batch, x))

    def _ref(self, a, j: int) -> tuple:
        """Complaint ``j`` of the log as ``ComplaintDesk._file`` makes it."""
        cid = int(a.c_cid[j])
        d = bisect.bisect_right(self.firsts, cid) - 1
        batch, x = self.days[d]
        i = cid - self.firsts[d]
        k, cell, arrival = int(batch.klass[i]), int(batch.cell[i]), float(batch.arrival[i])
        return cid, k, cell, arrival, float(a.c_filed[j]), float(a.c_wait[j]), int(a.c_served[j]), x, i

    def read(self, a) -> None:
        """Pass the complaints handled (or, with no complaint team, filed) since the last call to the engine."""
        base = int(a.S[loop.CBASE])
        upto = int(a.S[loop.N_HANDLED] if self.staffed else a.S[loop.N_FILED])
        for c in range(self.read_to, upto):
            ref = self._ref(a, c - base)
            if self.staffed:
                j = c - base
                self.engine.handled(ref, int(a.c_by[j]), float(a.c_start[j]), float(a.c_end[j]))
            else:
                self.engine.complaints.unanswerable(ref)
        self.read_to = upto

    def waiting(self, a) -> list[tuple]:
        """The desk's queue entries (as the engine's) of the complaints never handled, oldest first."""
        base = int(a.S[loop.CBASE])
        out = []
        for c in range(self.read_to, int(a.S[loop.N_FILED])):
            ref = self._ref(a, c - base)
            out.append((ref[4], ref[0], self.engine.desk, ref[2], float(a.c_need[c - base]), math.inf, ref))
        return out

    def keep_from(self, a, oldest_customer: int) -> int:
        """The log's new base (what has been read is dropped); forget days no complaint can come from.

        ``oldest_customer``: the first customer of the oldest day still under way.
        """
        base, filed = int(a.S[loop.CBASE]), int(a.S[loop.N_FILED])
        pending = a.c_cid[self.read_to - base : filed - base]
        oldest = min(oldest_customer, int(pending.min())) if len(pending) else oldest_customer
        drop = max(0, bisect.bisect_right(self.firsts, oldest) - 1)
        del self.firsts[:drop], self.days[:drop]
        return self.read_to


def judged_arrays(x: Judging, n: int, teams: int) -> dict[str, np.ndarray]:
    """A day's judging as the loop's per-customer columns (:data:`~simsvc.sim.kernel.state.JUDGED`)."""
    return {
        "a_kneed": x.experience.need,
        "a_kmay": np.frombuffer(x.may_complain, dtype=np.uint8).reshape(n, teams),
        "a_ktol": x.tolerance.reshape(n, teams),
        "a_ucomp": np.frombuffer(x.unserved_complains, dtype=np.uint8),
        "a_cneed": x.draws.complaint_need,
        "a_comp": np.zeros(n, dtype=np.int64),
    }
