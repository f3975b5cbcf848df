"""The loop's state as one numba structref: passed to every compiled move as a single pointer.

A namedtuple of the same arrays works too, but numba then passes each of its ~57 arrays to every
call that is not inlined and counts references to each, which made the loop 15 times slower
(3.4 µs instead of 0.22 µs per event on M/M/10+M). The arrays stay owned by the driver (NumPy,
readable from Python); :func:`pack` wraps them without copying, so the loop's writes are seen by
the driver and a replaced array (a grown arena) only needs a new :func:`pack`.
"""

from __future__ import annotations

from collections import namedtuple

from numba import njit, types
from numba.experimental import structref

__all__ = ["ARENA", "COMPLAINTS", "IN_SERVICE", "JUDGED", "VISITS", "Arrays", "pack"]

ARENA = ("a_arr", "a_need", "a_pat", "a_q", "a_cell", "a_wait", "a_start", "a_end", "a_team", "a_out", "nxt",
         "waiting", "a_chain", "a_at", "a_srv", "a_vs", "a_ve", "a_vp", "a_prior", "a_dl")  # fmt: skip
"""Per-customer columns, indexed ``customer - base``: its arrival, current need, patience and queue,
its record, the queue's link, the patient queue it waits in (+1; 0: none), its day; when it joined
its current queue, the team serving its current step, its first, end and current visit, its waits
before this visit, and its deadline in its current queue."""
VISITS = ("v_q", "v_need", "v_pat", "v_team", "v_arr", "v_wait", "v_start", "v_end", "v_out")
"""Per-visit columns of journey customers, indexed ``visit - vbase``: its queue, need and patience
(drawn), and its step row (team, arrival, wait, start, end, outcome) as the loop writes it."""
JUDGED = ("a_kneed", "a_kmay", "a_ktol", "a_ucomp", "a_cneed", "a_comp")
"""Per-customer columns of the quality model (one row unless it is on), indexed ``customer - base``:
per front-line team its need with rework, whether it may complain (0 never, 1 after any wait, 2
after its tolerance) and its tolerance; whether it complains if it leaves unserved, its
complaint's handling need, whether it complained."""
COMPLAINTS = ("c_cid", "c_filed", "c_wait", "c_served", "c_need", "c_by", "c_start", "c_end")
"""The complaint log in filing order, indexed ``complaint - cbase``: the customer, when filed, its
wait (NaN: left unserved), the team that served it (-1), the handling need, and the handler's
team (-1: not yet), start and end."""
IN_SERVICE = ("sv_cid", "sv_cell", "sv_team", "sv_wait", "sv_need", "sv_free")
"""Complainers in service (until they file at their service's end), by slot; the free slots."""
Arrays = namedtuple(
    "Arrays",
    ["S", "F", "et", "ep", "es", "ek", "ea", "tm", "last", "speed", "sh", "floor_tab", "busy_area", "duty_area",
     "paid_area", "tg_ptr", "gq_ptr", "gq", "ct_ptr", "ct", "q_head", "q_tail", "q_len", "q_nwait", "q_patient",
     "q_balk", "q_counted", "patient_list", "dt", "dc", "dn", "max_queue", "max_total", *ARENA, *VISITS, *JUDGED,
     *COMPLAINTS, *IN_SERVICE,
     "q_journey", "ch_first", "ch_n", "ch_pos", "ch_left", "finished", "ch_vfirst", "p_ptr", "p_at", "st_t", "st_act",
     "st_a", "st_b"],
)  # fmt: skip
"""The state's arrays: scalars ``S``/``F``, event heap, stations, queues, deadline heaps, arena, chains, processes."""


# Keep the names and module of StateType and State: numba's cache index refers to them by name, and
# an index whose class is gone fails to load (AttributeError) before numba checks its source stamp.
@structref.register
class StateType(types.StructRef):
    """The numba type of the state: one field per array of :data:`Arrays`."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


class State(structref.StructRefProxy):
    """The Python handle of a packed state (its fields are read from :data:`Arrays`, not here)."""


structref.define_proxy(State, StateType, Arrays._fields)


@njit(cache=True)
def pack(arrays):
    """The state holding ``arrays`` (no copy)."""
    return State(*arrays)
