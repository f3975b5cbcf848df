"""The compiled event loop: the SimPy model's moves, one for one, in numba.

Each function here is the twin of a method of :class:`simsvc.sim.engine.Engine` (named in its
docstring) and must stay so: ``tests/test_kernel_differential.py`` checks that both give the
same records to the last bit. Events are ordered as SimPy orders them: by time, then priority
(a process's start is ``URGENT``), then the order in which they were scheduled, so ties (a
shift change and an interval at the same minute, an arrival as a server frees) resolve alike.
Times are computed with the same operations in the same order (``now + (t - now)`` for a
timeout to ``t``), and numba keeps IEEE arithmetic (no fast-math), so they are bit-identical.

The state lives in arrays owned by :mod:`simsvc.sim.kernel.driver`; the loop returns to it when
the clock opens a day (to draw its customers in NumPy), when a deadline heap is nearly full,
and at the end. Customers are numbered as in the engine and stored in an arena indexed by
``customer - base``; a queue is a linked list through the arena (``nxt``).

One module on purpose: numba caches each compiled function against its own source file only,
and a function's cached machine code includes the code of the functions it calls. Were the
moves spread over several modules, editing one would leave its callers' caches stale (the old
code, silently). Sections: codes, the heaps, stations and records, journeys, queues and
dispatch, shifts and the clock, the loop.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simsvc.sim.schema import ABANDONED, BALKED, SERVED

__all__ = ["DONE", "GROW", "NEED_DAY", "drop_left", "run", "schedule"]

# -- codes shared with the driver --------------------------------------------------------------
# Return codes of loop.run().
DONE, NEED_DAY, GROW = 0, 1, 2
# Event kinds (argument): a process wakes (its index: teams' rotas, then the clock), the next
# arrival of a day (the day's chain), a service ends (team), closing turns customers away
# (team), a journey step's service ends (customer: its server is freed, then it moves on).
# With the quality model: a service ends and its customer complains (a slot of the complainers in
# service), a complainer's deadline passes (its queue).
PROC, ARRIVE, SERVICE_END, TURN_AWAY, STEP_END, COMPLAIN_END, DEADLINE = 0, 1, 2, 3, 4, 5, 6
URGENT, NORMAL, LATE = 0, 1, 2
# Process step actions: rota (set staff / close), clock (midnight / interval opens / closing time).
SET_STAFF, CLOSE_TEAM, MIDNIGHT, OPEN_INTERVAL, CLOSING_TIME = 0, 1, 2, 3, 4
# Team state columns (int64); CLOSED_WITH is -1 for Station.closed_with None.
BUSY, CAP, FLOOR, SCHED, CLOSING_CAP, DRAINING, CELL, OVERTIME, PAID_DAY, SHRINK_J, HAS_SHRINK, CLOSED_WITH = range(12)
BACK_OFFICE = 12
N_TEAM_COLUMNS = 13
# Scalar state (int64): next event number, events pending, customers waiting, chains finished
# (in this call), next customer number, arena base, chains, truncated, day to draw (-1: none),
# deadline heaps nearly full, visit arena base, next visit number; with the quality model: it is
# on, the desk's queue (-1: none), the desk has teams, complainers' deadlines are events, complaints
# filed, complaints handled (the log's first unhandled), the log's base, free slots for complainers
# in service.
SEQ, N_EVENTS, N_WAITING, N_FINISHED, NEXT_ID, BASE, N_CHAINS, TRUNCATED, DRAW_DAY, HEAPS_FULL, VBASE, VNEXT = range(12)
QUALITY, DESK, DESK_STAFFED, WATCH, N_FILED, N_HANDLED, CBASE, SV_FREE = range(12, 20)
N_SCALARS = 20


# -- the event heap (SimPy's order) and the deadline heaps ---------------------------------------
@njit(cache=True)
def _before(s, i, j):
    if s.et[i] != s.et[j]:
        return s.et[i] < s.et[j]
    if s.ep[i] != s.ep[j]:
        return s.ep[i] < s.ep[j]
    return s.es[i] < s.es[j]


@njit(cache=True)
def _swap(s, i, j):
    s.et[i], s.et[j] = s.et[j], s.et[i]
    s.ep[i], s.ep[j] = s.ep[j], s.ep[i]
    s.es[i], s.es[j] = s.es[j], s.es[i]
    s.ek[i], s.ek[j] = s.ek[j], s.ek[i]
    s.ea[i], s.ea[j] = s.ea[j], s.ea[i]


@njit(cache=True)
def schedule(s, t, prio, kind, arg):
    """``env.schedule``: an event at time ``t``, numbered in scheduling order."""
    S = s.S
    i = S[N_EVENTS]
    S[N_EVENTS] = i + 1
    s.et[i], s.ep[i], s.es[i], s.ek[i], s.ea[i] = t, prio, S[SEQ], kind, arg
    S[SEQ] += 1
    if 2 * i >= len(s.et):  # complainers' deadlines are events: the driver doubles the heap before the next
        S[HEAPS_FULL] = 1
    while i > 0:
        parent = (i - 1) >> 1
        if not _before(s, i, parent):
            break
        _swap(s, i, parent)
        i = parent


@njit(cache=True)
def pop_event(s):
    """Take the first event off the heap; its fields are left at the returned index."""
    n = s.S[N_EVENTS] - 1
    s.S[N_EVENTS] = n
    _swap(s, 0, n)
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _before(s, child + 1, child):
            child += 1
        if not _before(s, child, i):
            break
        _swap(s, i, child)
        i = child
    return n


@njit(cache=True)
def _dl_less(s, k, i, j):
    if s.dt[k, i] != s.dt[k, j]:
        return s.dt[k, i] < s.dt[k, j]
    return s.dc[k, i] < s.dc[k, j]


@njit(cache=True)
def _dl_swap(s, k, i, j):
    s.dt[k, i], s.dt[k, j] = s.dt[k, j], s.dt[k, i]
    s.dc[k, i], s.dc[k, j] = s.dc[k, j], s.dc[k, i]


@njit(cache=True)
def _dl_sift_down(s, k, i, n):
    while True:
        child = 2 * i + 1
        if child >= n:
            return
        if child + 1 < n and _dl_less(s, k, child + 1, child):
            child += 1
        if not _dl_less(s, k, child, i):
            return
        _dl_swap(s, k, i, child)
        i = child


@njit(cache=True)
def is_waiting(s, cid, k):
    """Whether customer ``cid`` is waiting in patient queue ``k`` (not served, not gone, not moved on)."""
    base = s.S[BASE]
    return cid >= base and s.waiting[cid - base] == k + 1


@njit(cache=True)
def is_current(s, k, cid, deadline):
    """Whether ``(deadline, cid)`` of queue ``k``'s heap is the customer's wait there now, not an earlier visit's."""
    return is_waiting(s, cid, k) and s.a_dl[cid - s.S[BASE]] == deadline


@njit(cache=True)
def dl_push(s, k, deadline, cid):
    """``heappush(deadlines[k], (deadline, cid))``; near full, drop entries of who no longer waits."""
    i = s.dn[k]
    s.dn[k] = i + 1
    s.dt[k, i], s.dc[k, i] = deadline, cid
    while i > 0:
        parent = (i - 1) >> 1
        if not _dl_less(s, k, i, parent):
            break
        _dl_swap(s, k, i, parent)
        i = parent
    cap = s.dt.shape[1]
    if s.dn[k] * 4 >= cap * 3:  # pop order depends only on the keys, so rebuilding changes nothing
        m = 0
        for j in range(s.dn[k]):
            if is_current(s, k, s.dc[k, j], s.dt[k, j]):
                s.dt[k, m], s.dc[k, m] = s.dt[k, j], s.dc[k, j]
                m += 1
        s.dn[k] = m
        for j in range(m // 2 - 1, -1, -1):
            _dl_sift_down(s, k, j, m)
        if m * 2 >= cap:
            s.S[HEAPS_FULL] = 1  # the driver doubles the heaps before the next event


@njit(cache=True)
def dl_pop(s, k):
    """``heappop(deadlines[k])``: the earliest ``(deadline, customer)``."""
    n = s.dn[k] - 1
    s.dn[k] = n
    deadline, cid = s.dt[k, 0], s.dc[k, 0]
    _dl_swap(s, k, 0, n)
    _dl_sift_down(s, k, 0, n)
    return deadline, cid


# -- stations and records ---------------------------------------------------------------------
@njit(cache=True)
def left(s, cid):
    """A customer is done (served or gone): its chain finishes with its last customer."""
    c = s.a_chain[cid - s.S[BASE]]
    s.ch_left[c] -= 1
    if s.ch_left[c] == 0:
        s.finished[s.S[N_FINISHED]] = c
        s.S[N_FINISHED] += 1


@njit(cache=True)
def account(s, t, now):
    """``Station.account``: busy, on-duty and paid server-minutes since the last change."""
    dt = now - s.last[t]
    if dt > 0.0:
        tm = s.tm
        busy = tm[t, BUSY]
        cell = tm[t, CELL]
        s.busy_area[t, cell] += busy * dt
        paid = tm[t, SCHED] if tm[t, SCHED] > busy else busy
        duty = tm[t, FLOOR] if tm[t, FLOOR] > busy else busy
        s.duty_area[t, cell] += (busy if tm[t, OVERTIME] else duty) * dt
        s.paid_area[t, tm[t, PAID_DAY]] += paid * dt
        s.last[t] = now


@njit(cache=True)
def serve_last(s, t, cid, now, need, wait):
    """``Engine._serve_last``: a server of ``t`` starts the customer's last service; its row is complete."""
    account(s, t, now)
    s.tm[t, BUSY] += 1
    duration = need / s.speed[t]
    schedule(s, s.F[0] + duration, NORMAL, SERVICE_END, t)
    i = cid - s.S[BASE]
    s.a_wait[i], s.a_start[i], s.a_end[i], s.a_team[i] = wait, now, now + duration, t
    left(s, cid)


@njit(cache=True)
def abandon(s, cid, arrival, deadline):
    """``Engine._abandon`` (``QualityEngine._leave_unserved``): in since ``arrival``, it left at ``deadline``."""
    i = cid - s.S[BASE]
    s.a_wait[i], s.a_out[i] = deadline - arrival, ABANDONED
    if s.S[QUALITY] and s.a_ucomp[i]:  # it complains as it leaves
        s.a_comp[i] = 1
        complain(s, cid, s.a_cell[i], s.a_cneed[i], deadline, np.nan, -1)
    left(s, cid)


# -- the quality model's moves: complaining and the complaint desk (ComplaintDesk) ---------------
@njit(cache=True)
def complain(s, cid, cell, need, when, wait, served_by):
    """``ComplaintDesk._file``: customer ``cid`` files its complaint at ``when``; it joins the desk.

    Complaints are logged in filing order (``c_*``, indexed ``complaint - CBASE``). The desk is one
    first-come queue, so they are handled in that order: those from ``N_HANDLED`` on still wait.
    """
    S = s.S
    j = S[N_FILED] - S[CBASE]
    S[N_FILED] += 1
    s.c_cid[j], s.c_filed[j], s.c_wait[j], s.c_served[j], s.c_need[j], s.c_by[j] = cid, when, wait, served_by, need, -1
    if not S[DESK_STAFFED]:
        return  # nobody will ever answer it (the driver books it so)
    desk = S[DESK]
    for ti in range(s.ct_ptr[desk], s.ct_ptr[desk + 1]):  # Engine.arrive at the desk's queue
        t = s.ct[ti]
        if s.tm[t, BUSY] < s.tm[t, CAP]:
            _handle(s, t, when)
            return
    for p in s.patient_list:
        if s.dn[p] and s.dt[p, 0] < when:
            _purge_silent(s, p, when)
    waiting = S[N_FILED] - 1 - S[N_HANDLED]
    if waiting + 1 > s.max_queue[desk, cell]:
        s.max_queue[desk, cell] = waiting + 1


@njit(cache=True)
def _purge_silent(s, k, now):
    """:func:`_purge` as a complaint joins the desk: whoever it removes leaves without complaining.

    Those who would complain leave at their own deadline events (``WATCH``), never here. A
    separate function, not a flag: numba cannot reload a cached call cycle (purge, abandon,
    complain, purge), whose calls go through addresses of the running process.
    """
    while s.dn[k] and s.dt[k, 0] < now:
        deadline, cid = dl_pop(s, k)
        if is_current(s, k, cid, deadline):
            i = cid - s.S[BASE]
            s.waiting[i] = 0
            s.q_nwait[k] -= 1
            s.S[N_WAITING] -= 1
            s.a_wait[i], s.a_out[i] = deadline - s.a_at[i], ABANDONED
            left(s, cid)


@njit(cache=True)
def _handle(s, t, now):
    """``ComplaintDesk._handle``: a handler of ``t`` takes the oldest waiting complaint."""
    S = s.S
    j = S[N_HANDLED] - S[CBASE]
    S[N_HANDLED] += 1
    account(s, t, now)
    s.tm[t, BUSY] += 1
    duration = s.c_need[j] / s.speed[t]
    schedule(s, s.F[0] + duration, NORMAL, SERVICE_END, t)
    s.c_start[j], s.c_end[j], s.c_by[j] = now, now + duration, t


@njit(cache=True)
def _complain_end(s, slot):
    """``ComplaintDesk._filed_at_end``: the server is free, then its customer files its complaint."""
    _service_end(s, s.sv_team[slot])
    complain(s, s.sv_cid[slot], s.sv_cell[slot], s.sv_need[slot], s.F[0], s.sv_wait[slot], s.sv_team[slot])
    s.sv_free[s.S[SV_FREE]] = slot
    s.S[SV_FREE] += 1


@njit(cache=True)
def _desk_dispatch(s, t, now):
    """``Engine._dispatch`` for a desk team: idle handlers take the oldest complaints."""
    while s.tm[t, BUSY] < s.tm[t, CAP] and s.S[N_HANDLED] < s.S[N_FILED]:
        _handle(s, t, now)


@njit(cache=True)
def _serve_judged(s, t, cid, now, wait):
    """``QualityEngine._start``: a served customer who complains does so when its service ends."""
    i = cid - s.S[BASE]
    account(s, t, now)
    s.tm[t, BUSY] += 1
    duration = s.a_kneed[i, t] / s.speed[t]  # the need with rework after a failure by this team
    s.a_wait[i], s.a_start[i], s.a_end[i], s.a_team[i] = wait, now, now + duration, t
    may = s.a_kmay[i, t]
    if may and (may == 1 or wait > s.a_ktol[i, t]):  # dissatisfied, and says so (when its service ends)
        s.a_comp[i] = 1
        s.S[SV_FREE] -= 1
        slot = s.sv_free[s.S[SV_FREE]]
        s.sv_cid[slot], s.sv_cell[slot], s.sv_team[slot] = cid, s.a_cell[i], t
        s.sv_wait[slot], s.sv_need[slot] = wait, s.a_cneed[i]
        schedule(s, s.F[0] + duration, NORMAL, COMPLAIN_END, slot)
    else:
        schedule(s, s.F[0] + duration, NORMAL, SERVICE_END, t)
    left(s, cid)


# -- journeys: JourneyMoves --------------------------------------------------------------------
@njit(cache=True)
def serve_step(s, t, cid, arrival, now):
    """``JourneyMoves._serve_step``: a server of ``t`` starts the customer's current step."""
    i = cid - s.S[BASE]
    v = s.a_vp[i]
    vi = v - s.S[VBASE]
    wait, need = now - arrival, s.v_need[vi]
    duration = need / s.speed[t]
    s.v_team[vi], s.v_arr[vi], s.v_wait[vi] = t, arrival, wait
    s.v_start[vi], s.v_end[vi], s.v_out[vi] = now, now + duration, SERVED
    prior = s.a_prior[i] + wait
    s.a_prior[i] = prior
    if v + 1 == s.a_ve[i]:  # its last step: the customer's record is complete
        serve_last(s, t, cid, now, need, prior)
        return
    account(s, t, now)
    s.tm[t, BUSY] += 1
    s.a_srv[i] = t
    schedule(s, s.F[0] + duration, NORMAL, STEP_END, cid)


@njit(cache=True)
def next_visit(s, cid):
    """``JourneyMoves._step_done``, before it arrives: the customer's next visit becomes its current one."""
    i = cid - s.S[BASE]
    v = s.a_vp[i] + 1
    s.a_vp[i] = v
    vi = v - s.S[VBASE]
    s.a_q[i], s.a_need[i], s.a_pat[i] = s.v_q[vi], s.v_need[vi], s.v_pat[vi]


@njit(cache=True)
def leave_step(s, cid, entered, when, outcome):
    """``JourneyMoves._leave_step``: the customer, at its step since ``entered``, leaves unserved at ``when``."""
    i = cid - s.S[BASE]
    vi = s.a_vp[i] - s.S[VBASE]
    s.v_team[vi], s.v_arr[vi] = -1, entered
    s.v_wait[vi] = when - entered if outcome == ABANDONED else np.nan
    s.v_start[vi], s.v_end[vi], s.v_out[vi] = np.nan, np.nan, outcome
    if outcome == ABANDONED:  # its record's wait is the journey's: as if it arrived that much earlier
        abandon(s, cid, entered - s.a_prior[i], when)
        return
    if s.a_vp[i] > s.a_vs[i]:
        s.a_wait[i] = s.a_prior[i]
    s.a_out[i] = outcome
    left(s, cid)


@njit(cache=True)
def closed_to(s, cid, k, now):
    """``JourneyMoves._closed_to``: after closing, the closing staff stay for it; with none, it is turned away.

    Returns whether the customer was dealt with (served now, or turned away).
    """
    tm = s.tm
    lo, hi = s.ct_ptr[k], s.ct_ptr[k + 1]
    for ti in range(lo, hi):
        if tm[s.ct[ti], CAP]:
            return False  # open: it waits
    closed = False
    for ti in range(lo, hi):
        if tm[s.ct[ti], CLOSED_WITH] >= 0:
            closed = True
    if not closed:
        return False  # between shifts: it waits
    for ti in range(lo, hi):
        t = s.ct[ti]
        if tm[t, CLOSED_WITH] > 0 and not tm[t, DRAINING]:
            account(s, t, now)
            tm[t, DRAINING], tm[t, CLOSING_CAP] = 1, tm[t, CLOSED_WITH]
            tm[t, CAP] = max(tm[t, FLOOR], tm[t, CLOSING_CAP])
    for ti in range(lo, hi):
        t = s.ct[ti]
        if tm[t, BUSY] < tm[t, CAP]:
            serve_step(s, t, cid, now, now)
            return True
    for ti in range(lo, hi):
        if tm[s.ct[ti], CAP]:
            return False
    leave_step(s, cid, now, now, ABANDONED)
    return True


# -- queues, dispatch and arrivals: Engine and PatienceMoves ----------------------------------
@njit(cache=True)
def _popleft(s, k):
    cid = s.q_head[k]
    s.q_head[k] = s.nxt[cid - s.S[BASE]]
    s.q_len[k] -= 1
    if s.q_len[k] == 0:
        s.q_tail[k] = -1
    return cid


@njit(cache=True)
def _purge(s, k, now, through=False):
    """``PatienceMoves._purge``: record who of queue ``k`` ran out of patience before ``now`` (``through``: or at it).

    ``through`` is ``_purge(k, nextafter(now, inf))`` (``d < nextafter(now)`` is ``d <= now``), without
    ``np.nextafter``: its compiled code calls a helper by address, which a cached kernel cannot reload.
    """
    while s.dn[k] and (s.dt[k, 0] < now or (through and s.dt[k, 0] == now)):
        deadline, cid = dl_pop(s, k)
        if is_current(s, k, cid, deadline):
            s.waiting[cid - s.S[BASE]] = 0
            s.q_nwait[k] -= 1
            s.S[N_WAITING] -= 1
            _leave(s, k, cid, deadline)


@njit(cache=True)
def _leave(s, k, cid, when):
    """A customer waiting in queue ``k`` leaves unserved at ``when`` (abandons, or is turned away)."""
    entered = s.a_at[cid - s.S[BASE]]
    if s.q_journey[k]:
        leave_step(s, cid, entered, when, ABANDONED)
    else:
        abandon(s, cid, entered, when)


@njit(cache=True)
def _head(s, k, now):
    """``PatienceMoves._head``: the first customer still waiting in queue ``k``, or -1."""
    if not s.q_patient[k]:
        return s.q_head[k] if s.q_len[k] else -1
    _purge(s, k, now)
    while s.q_len[k] and not is_waiting(s, s.q_head[k], k):
        _popleft(s, k)
    return s.q_head[k] if s.q_len[k] else -1


@njit(cache=True)
def _begin(s, t, cid, k, arrival, now):
    """``Engine.q_serve[k]``: a server of ``t`` starts a customer of queue ``k``, there since ``arrival``."""
    if s.q_journey[k]:
        serve_step(s, t, cid, arrival, now)
    elif s.S[QUALITY]:
        _serve_judged(s, t, cid, now, now - arrival)
    else:
        serve_last(s, t, cid, now, s.a_need[cid - s.S[BASE]], now - arrival)


@njit(cache=True)
def _take(s, t, k, now):
    """``Engine._take``: a server of ``t`` takes the head of queue ``k``."""
    cid = _popleft(s, k)
    i = cid - s.S[BASE]
    if s.q_patient[k]:
        s.waiting[i] = 0
        s.q_nwait[k] -= 1
    s.S[N_WAITING] -= s.q_counted[k]
    _begin(s, t, cid, k, s.a_at[i], now)


@njit(cache=True)
def _dispatch(s, t, now):
    """``Engine._dispatch``: idle servers of ``t`` take the best waiting customers (priority, then arrival)."""
    if s.tm[t, BACK_OFFICE]:
        _desk_dispatch(s, t, now)
        return
    base = s.S[BASE]
    while s.tm[t, BUSY] < s.tm[t, CAP]:
        best, best_k = -1, -1
        for g in range(s.tg_ptr[t], s.tg_ptr[t + 1]):
            for gi in range(s.gq_ptr[g], s.gq_ptr[g + 1]):
                k = s.gq[gi]
                if s.q_len[k] == 0:
                    continue
                head = _head(s, k, now)
                if head >= 0 and (best < 0 or s.a_at[head - base] < s.a_at[best - base]):
                    best, best_k = head, k
            if best >= 0:
                break
        if best < 0:
            return
        _take(s, t, best_k, now)


@njit(cache=True)
def _has_waiting_in(s, t, now):
    """``any(self._has_waiting(k) ...)`` over the queues ``t`` serves (stops at the first, as ``any``)."""
    for g in range(s.tg_ptr[t], s.tg_ptr[t + 1]):
        for gi in range(s.gq_ptr[g], s.gq_ptr[g + 1]):
            if _head(s, s.gq[gi], now) >= 0:
                return True
    return False


@njit(cache=True)
def _maybe_end_drain(s, t):
    if s.tm[t, BUSY] == 0 and not _has_waiting_in(s, t, s.F[0]):
        s.tm[t, DRAINING], s.tm[t, CLOSING_CAP] = 0, 0
        s.tm[t, CAP] = s.tm[t, FLOOR]


@njit(cache=True)
def _service_end(s, t):
    """The completion callback: the server is free and takes the next customer."""
    now = s.F[0]
    account(s, t, now)
    s.tm[t, BUSY] -= 1
    if s.tm[t, BUSY] < s.tm[t, CAP]:
        _dispatch(s, t, now)
    if s.tm[t, DRAINING]:
        _maybe_end_drain(s, t)


@njit(cache=True)
def _arrive(s, cid, now):
    """``Engine.arrive`` (first_idle or priority routing): to an idle server, else its queue ``a_q``."""
    i = cid - s.S[BASE]
    k = s.a_q[i]
    for ti in range(s.ct_ptr[k], s.ct_ptr[k + 1]):
        t = s.ct[ti]
        if s.tm[t, BUSY] < s.tm[t, CAP]:
            _begin(s, t, cid, k, now, now)
            return
    if s.q_journey[k] and closed_to(s, cid, k, now):
        return
    for p in s.patient_list:
        if s.dn[p] and s.dt[p, 0] < now:
            _purge(s, p, now)
    waiting = s.q_nwait[k] if s.q_patient[k] else s.q_len[k]
    limit = s.q_balk[k]
    if limit >= 0 and waiting >= limit:
        if s.q_journey[k]:
            leave_step(s, cid, now, now, BALKED)
        else:
            s.a_out[i] = BALKED
            if s.S[QUALITY] and s.a_ucomp[i]:
                s.a_comp[i] = 1
                complain(s, cid, s.a_cell[i], s.a_cneed[i], now, np.nan, -1)
            left(s, cid)
        return
    s.a_at[i] = now
    s.nxt[i] = -1
    if s.q_len[k]:
        s.nxt[s.q_tail[k] - s.S[BASE]] = cid
    else:
        s.q_head[k] = cid
    s.q_tail[k] = cid
    s.q_len[k] += 1
    if s.q_patient[k]:
        s.waiting[i] = k + 1
        s.q_nwait[k] += 1
        deadline = now + s.a_pat[i]
        s.a_dl[i] = deadline
        dl_push(s, k, deadline, cid)
        if s.S[WATCH] and s.a_ucomp[i] and deadline != np.inf:  # QualityEngine._watch: it leaves at its own time
            schedule(s, s.F[0] + (deadline - s.F[0]), LATE, DEADLINE, k)
    cell = s.a_cell[i]
    if waiting + 1 > s.max_queue[k, cell]:
        s.max_queue[k, cell] = waiting + 1
    if s.q_counted[k]:
        s.S[N_WAITING] += 1
        if s.S[N_WAITING] > s.max_total[cell]:
            s.max_total[cell] = s.S[N_WAITING]


@njit(cache=True)
def _next_arrival(s, c):
    """``ArrivalChain.arrive``: schedule the chain's next customer, then this one arrives."""
    now = s.F[0]
    pos = s.ch_pos[c]
    s.ch_pos[c] = pos + 1
    first = s.ch_first[c]
    if pos + 1 < s.ch_n[c]:
        delay = s.a_arr[first + pos + 1 - s.S[BASE]] - now
        schedule(s, now + (delay if delay > 0.0 else 0.0), NORMAL, ARRIVE, c)
    _arrive(s, first + pos, s.a_arr[first + pos - s.S[BASE]])


@njit(cache=True)
def _step_end(s, cid):
    """A journey step's service ended: ``team.done``, then ``JourneyMoves._step_done`` (it joins its next step)."""
    _service_end(s, s.a_srv[cid - s.S[BASE]])
    next_visit(s, cid)
    _arrive(s, cid, s.F[0])


# -- shifts and the clock: ShiftMoves ---------------------------------------------------------
@njit(cache=True)
def _set_staff(s, t, n):
    tm = s.tm
    account(s, t, s.F[0])
    tm[t, SCHED] = n
    tm[t, FLOOR] = s.floor_tab[t, tm[t, SHRINK_J], n] if tm[t, HAS_SHRINK] else n
    if tm[t, DRAINING]:
        tm[t, CAP] = max(tm[t, FLOOR], tm[t, CLOSING_CAP])
    else:
        tm[t, CAP] = tm[t, FLOOR]
    _dispatch(s, t, s.F[0])


@njit(cache=True)
def _close(s, t, closing):
    tm = s.tm
    account(s, t, s.F[0])
    if not tm[t, HAS_SHRINK] or closing == 0:
        serving = closing
    else:
        serving = max(s.floor_tab[t, tm[t, SHRINK_J], closing], 1)
    tm[t, DRAINING], tm[t, CLOSING_CAP], tm[t, CLOSED_WITH] = 1, serving, serving
    tm[t, CAP] = max(tm[t, FLOOR], serving)
    _dispatch(s, t, s.F[0])
    _maybe_end_drain(s, t)
    if tm[t, CAP] == 0:
        schedule(s, s.F[0] + 0.0, NORMAL, TURN_AWAY, t)


@njit(cache=True)
def _turn_away(s, t):
    """``ShiftMoves._turn_away``: customers whose queue no team serves any more leave, as abandoned."""
    now = s.F[0]
    for g in range(s.tg_ptr[t], s.tg_ptr[t + 1]):
        for gi in range(s.gq_ptr[g], s.gq_ptr[g + 1]):
            k = s.gq[gi]
            served = False
            for ti in range(s.ct_ptr[k], s.ct_ptr[k + 1]):
                if s.tm[s.ct[ti], CAP]:
                    served = True
                    break
            if served:
                continue
            patient = s.q_patient[k]
            if patient:
                _purge(s, k, now)
            while s.q_len[k]:
                cid = _popleft(s, k)
                if patient:
                    if not is_waiting(s, cid, k):
                        continue
                    s.waiting[cid - s.S[BASE]] = 0
                    s.q_nwait[k] -= 1
                s.S[N_WAITING] -= 1
                _leave(s, k, cid, now)
            s.dn[k] = 0


@njit(cache=True)
def _clock_step(s, step):
    """One step of ``ShiftMoves._clock``; True when the day's customers must be drawn now."""
    now, act = s.F[0], s.st_act[step]
    day, j = s.st_a[step], s.st_b[step]
    tm = s.tm
    outside = s.busy_area.shape[1] - 1
    for t in range(tm.shape[0]):
        account(s, t, now)
        if act == MIDNIGHT:
            tm[t, PAID_DAY] = day
        elif act == CLOSING_TIME:
            tm[t, OVERTIME] = 1 - tm[t, BACK_OFFICE]
        elif tm[t, BACK_OFFICE] and j:
            continue  # its time is booked per day, to the day's first cell
        else:
            tm[t, CELL] = day * s.sh.shape[1] + j if s.st_t[step] >= s.F[1] else outside
            tm[t, OVERTIME] = 0
            if j == 0:
                tm[t, CLOSED_WITH] = -1
            if tm[t, HAS_SHRINK] and s.sh[t, j] != s.sh[t, tm[t, SHRINK_J]]:
                tm[t, SHRINK_J] = j
                _set_staff(s, t, tm[t, SCHED])
    # The quality model's day starts (complaints booked, word of mouth) even when arrivals have stopped.
    return act == OPEN_INTERVAL and j == 0 and (not s.S[TRUNCATED] or s.S[QUALITY] != 0)


@njit(cache=True)
def _act(s, p, step):
    """A process performs one step; True when the clock must have a day drawn."""
    if p == s.tm.shape[0]:
        return _clock_step(s, step)
    if s.st_act[step] == SET_STAFF:
        _set_staff(s, p, s.st_a[step])
    else:
        _close(s, p, s.st_a[step])
    return False


@njit(cache=True)
def _advance(s, p):
    """Run process ``p``'s steps due now; schedule its wake-up for the next. True: a day to draw."""
    while s.p_at[p] < s.p_ptr[p + 1]:
        step = s.p_at[p]
        now, t = s.F[0], s.st_t[step]
        if t > now:
            schedule(s, now + (t - now), NORMAL, PROC, p)
            return False
        s.p_at[p] = step + 1
        if _act(s, p, step):
            s.S[DRAW_DAY] = s.st_a[step]
            return True
    return False


@njit(cache=True)
def _start_chain(s, n):
    """The drawn day (``n`` customers, in the arena from ``NEXT_ID``) starts arriving (an ArrivalChain)."""
    if n:
        c = s.S[N_CHAINS]
        s.S[N_CHAINS] = c + 1
        first = s.S[NEXT_ID]
        s.ch_first[c], s.ch_n[c], s.ch_pos[c], s.ch_left[c] = first, n, 0, n
        for cid in range(first, first + n):
            s.a_chain[cid - s.S[BASE]] = c
        now = s.F[0]
        delay = s.a_arr[first - s.S[BASE]] - now
        schedule(s, now + (delay if delay > 0.0 else 0.0), NORMAL, ARRIVE, c)
        s.S[NEXT_ID] = first + n


@njit(cache=True)
def run(s, drawn):
    """Run until a day must be drawn (``NEED_DAY``), heaps need room (``GROW``) or the end (``DONE``).

    ``drawn``: the customers just placed in the arena for the day asked for (-1 on other calls).
    """
    clock = s.tm.shape[0]
    if drawn >= 0:
        _start_chain(s, drawn)
        s.S[DRAW_DAY] = -1
        if _advance(s, clock):
            return NEED_DAY
    while s.S[N_EVENTS]:
        if s.S[HEAPS_FULL]:
            return GROW
        if s.S[QUALITY] and len(s.c_cid) - (s.S[N_FILED] - s.S[CBASE]) < s.S[N_WAITING] + 2:
            return GROW  # room in the complaint log: an event files at most one per customer waiting, and one
        e = pop_event(s)
        s.F[0] = s.et[e]
        kind, arg = s.ek[e], s.ea[e]
        if kind == ARRIVE:
            _next_arrival(s, arg)
        elif kind == SERVICE_END:
            _service_end(s, arg)
        elif kind == STEP_END:
            _step_end(s, arg)
        elif kind == COMPLAIN_END:
            _complain_end(s, arg)
        elif kind == DEADLINE:
            _purge(s, arg, s.F[0], True)
        elif kind == PROC:
            if s.ep[e] == NORMAL:  # a wake-up: the step it waited for, then those due
                step = s.p_at[arg]
                s.p_at[arg] = step + 1
                if _act(s, arg, step):
                    s.S[DRAW_DAY] = s.st_a[step]
                    return NEED_DAY
            if _advance(s, arg):
                return NEED_DAY
        else:
            _turn_away(s, arg)
    for k in s.patient_list:  # anyone left waiting has run out of patience
        _purge(s, k, np.inf)
    return DONE


@njit(cache=True)
def drop_left(s):
    """Unlink, from every patient queue, the customers who left it (their entries are dropped lazily)."""
    base = s.S[BASE]
    for k in s.patient_list:
        head, tail, n, prev = -1, -1, 0, -1
        cid = s.q_head[k]
        for _ in range(s.q_len[k]):
            after = s.nxt[cid - base]
            if is_waiting(s, cid, k):
                if prev < 0:
                    head = cid
                else:
                    s.nxt[prev - base] = cid
                prev, tail, n = cid, cid, n + 1
            cid = after
        s.q_head[k], s.q_tail[k], s.q_len[k] = head, tail, n
