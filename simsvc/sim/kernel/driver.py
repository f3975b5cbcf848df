"""Runs a replication on the compiled loop (:mod:`simsvc.sim.kernel.loop`) in place of SimPy.

The :class:`~simsvc.sim.engine.Engine` is built as usual (queues, teams, routing order), and
:class:`KernelRun` reads its layout into arrays: no second reading of the scenario. Each day's
customers are drawn by the engine's own :meth:`~simsvc.sim.shifts.ShiftMoves._day_customers`
when the loop's clock asks for them (after the engine's ``_day_started``), with their trips
(journeys) and their judging (the quality model) made by the engine too; finished days go to
the engine's sink in the order the SimPy model finishes them, with the engine's judgement
columns; complaints go to the engine through :class:`~simsvc.sim.kernel.desk.DeskLog`; at the
end the time accounts and longest queues are written back to the engine's stations, so
everything after the run reads them as after a SimPy run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simsvc.sim.kernel import loop
from simsvc.sim.kernel.desk import DeskLog, judged_arrays
from simsvc.sim.kernel.state import ARENA, COMPLAINTS, IN_SERVICE, JUDGED, VISITS, Arrays, pack
from simsvc.sim.rota import CLOSE, closing_staff, day_events
from simsvc.sim.shrinkage import on_floor

if TYPE_CHECKING:
    from simsvc.sim.demand import Batch
    from simsvc.sim.engine import Engine

__all__ = ["KernelRun"]

_I8, _F8 = np.int64, np.float64
_NAN = float("nan")


def _flat(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Ragged lists as (pointers, values)."""
    ptr = np.zeros(len(lists) + 1, dtype=_I8)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    values = np.array([v for x in lists for v in x], dtype=_I8)
    return ptr, values


def _steps(engine: Engine) -> tuple[list[list[tuple[float, int, int, int]]], int]:
    """Each process's steps ``(time, action, a, b)``: the teams' rotas, then the clock; and the most staff named."""
    h = engine.scenario.horizon
    procs, most = [], 0
    for team, spec in engine.rotas:
        steps = []
        for day in range(engine.days):
            closing = closing_staff(spec, h, day)
            for t, n in day_events(spec, h, day, team.back_office):
                steps.append((t, loop.CLOSE_TEAM, closing, 0) if n is CLOSE else (t, loop.SET_STAFF, n, 0))
                most = max(most, closing if n is CLOSE else n)
        procs.append(steps)
    clock = []
    for day in range(engine.days):
        clock.append((day * 1440.0, loop.MIDNIGHT, day, 0))
        clock += [(h.interval_start(day, j), loop.OPEN_INTERVAL, day, j) for j in range(engine.n_intervals)]
        clock.append((day * 1440.0 + h.close_minute, loop.CLOSING_TIME, day, 0))
    procs.append(clock)
    return procs, most


class KernelRun:
    """One replication of ``engine`` (built, not run) on the compiled loop; :meth:`run` as ``Engine.run``."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.batches: dict[int, tuple] = {}  # days under way: batch, trips' steps, judging
        self.quality = engine.scenario.quality.enabled
        self.front = len(engine.scenario.teams)  # front-line teams (a judging's columns)
        self.desk = DeskLog(engine) if self.quality else None  # type: ignore[arg-type]
        teams, n_queues, n_cells = engine.teams, len(engine.queues), engine.n_cells
        n_teams, n_int = len(teams), engine.n_intervals
        procs, most = _steps(engine)
        tm = np.zeros((n_teams, loop.N_TEAM_COLUMNS), dtype=_I8)
        tm[:, loop.CLOSED_WITH] = -1
        sh = np.zeros((n_teams, n_int))
        floor_tab = np.zeros((n_teams, n_int, most + 1), dtype=_I8)
        for t, team in enumerate(teams):
            tm[t, loop.CELL] = team.cell
            tm[t, loop.BACK_OFFICE] = int(team.back_office)
            if team.shrink is not None:
                tm[t, loop.HAS_SHRINK] = 1
                sh[t] = team.shrink
                floor_tab[t] = [[on_floor(n, s) for n in range(most + 1)] for s in team.shrink]
        group_ptr = np.zeros(n_teams + 1, dtype=_I8)
        group_ptr[1:] = np.cumsum([len(team.groups) for team in teams])
        gq_ptr, gq = _flat([g for team in teams for g in team.groups])
        ct_ptr, ct = _flat([[team.index for team in engine.class_teams[q]] for q in range(n_queues)])
        p_ptr, _ = _flat(procs)
        flat_steps = [step for steps in procs for step in steps]
        n_events = 2 * (n_teams * (most + 2) + engine.days + 16)  # half full: grown (deadline events)
        arena = 1024
        S = np.zeros(loop.N_SCALARS, dtype=_I8)
        S[loop.DRAW_DAY], S[loop.DESK] = -1, -1
        if self.desk is not None:
            S[loop.QUALITY], S[loop.DESK], S[loop.DESK_STAFFED] = 1, engine.desk, int(self.desk.staffed)
        S[loop.WATCH] = int(engine.watch is not None)
        in_service = n_teams * (most + 2) + 1  # at most every server busy with a complainer
        S[loop.SV_FREE] = in_service
        self.a = Arrays(
            S=S, F=np.array([0.0, engine.warmup_end]),
            et=np.zeros(n_events), ep=np.zeros(n_events, _I8), es=np.zeros(n_events, _I8),
            ek=np.zeros(n_events, _I8), ea=np.zeros(n_events, _I8),
            tm=tm, last=np.zeros(n_teams), speed=np.array([team.speed for team in teams], dtype=_F8), sh=sh,
            floor_tab=floor_tab, busy_area=np.zeros((n_teams, n_cells + 1)), duty_area=np.zeros((n_teams, n_cells + 1)),
            paid_area=np.zeros((n_teams, engine.days)), tg_ptr=group_ptr, gq_ptr=gq_ptr, gq=gq, ct_ptr=ct_ptr, ct=ct,
            q_head=np.full(n_queues, -1, _I8), q_tail=np.full(n_queues, -1, _I8), q_len=np.zeros(n_queues, _I8),
            q_nwait=np.zeros(n_queues, _I8), q_patient=np.array(engine.patient, dtype=_I8),
            q_balk=np.array([-1 if b is None else b for b in engine.balk_at], dtype=_I8),
            q_counted=np.array(engine.q_counted, dtype=_I8), patient_list=np.array(engine.patient_classes, dtype=_I8),
            dt=np.zeros((n_queues, 64)), dc=np.zeros((n_queues, 64), _I8), dn=np.zeros(n_queues, _I8),
            max_queue=np.zeros((n_queues, n_cells + 1), _I8), max_total=np.zeros(n_cells + 1, _I8),
            **self._new_arena(arena), **self._new_visits(arena if engine.planner else 1),
            **self._new_log(1024 if self.quality else 1),
            **{name: np.zeros(in_service, _F8 if name in ("sv_wait", "sv_need") else _I8) for name in IN_SERVICE[:-1]},
            sv_free=np.arange(in_service, dtype=_I8),
            q_journey=np.array(engine.q_journey, dtype=_I8), ch_vfirst=np.zeros(engine.days, _I8),
            ch_first=np.zeros(engine.days, _I8), ch_n=np.zeros(engine.days, _I8), ch_pos=np.zeros(engine.days, _I8),
            ch_left=np.zeros(engine.days, _I8), finished=np.zeros(engine.days, _I8),
            p_ptr=p_ptr, p_at=p_ptr[:-1].copy(), st_t=np.array([x[0] for x in flat_steps], dtype=_F8),
            **{name: np.array([x[i] for x in flat_steps], dtype=_I8) for i, name in ((1, "st_act"), (2, "st_a"),
                                                                                     (3, "st_b"))},
        )  # fmt: skip
        self.s = pack(self.a)
        for p in range(n_teams + 1):  # env.process: each starts at 0, rotas first, then the clock
            loop.schedule(self.s, 0.0, loop.URGENT, loop.PROC, p)

    def _new_arena(self, n: int) -> dict[str, np.ndarray]:
        floats = {"a_arr", "a_need", "a_pat", "a_wait", "a_start", "a_end", "a_at", "a_prior", "a_dl", "a_cneed"}
        arena = {name: np.zeros(n, dtype=_F8 if name in floats else _I8) for name in ARENA}
        rows = n if self.quality else 1  # the quality model's columns: one row when it is off
        for name in JUDGED:
            shape = (rows, self.front) if name in ("a_kneed", "a_kmay", "a_ktol") else rows
            arena[name] = np.zeros(shape, dtype=_F8 if name in floats | {"a_kneed", "a_ktol"} else _I8)
        return arena

    @staticmethod
    def _new_log(n: int) -> dict[str, np.ndarray]:
        return {name: np.zeros(n, dtype=_I8 if name in ("c_cid", "c_served", "c_by") else _F8) for name in COMPLAINTS}

    @staticmethod
    def _new_visits(n: int) -> dict[str, np.ndarray]:
        return {name: np.zeros(n, dtype=_I8 if name in ("v_q", "v_team", "v_out") else _F8) for name in VISITS}

    def run(self) -> None:
        """Simulate the horizon; records to the engine's sink, accounts back to its stations."""
        engine, drawn = self.engine, -1
        while True:
            status = loop.run(self.s, drawn)
            if self.desk is not None:
                self.desk.read(self.a)
            self._flush()
            drawn = -1
            if status == loop.DONE:
                break
            if status == loop.GROW:
                self._grow()
                continue
            day = int(self.a.S[loop.DRAW_DAY])
            engine._day_started(day, float(self.a.F[0]))
            drawn = 0 if engine.truncated else self._place(engine._day_customers(day))
        if self.desk is not None:  # the complaints never handled are the desk's queue at the end
            engine.queues[engine.desk].extend(self.desk.waiting(self.a))
        engine._finish()
        self._write_back()

    def _place(self, batch: Batch) -> int:
        """Put a drawn day's customers in the arena (numbered from the next id); return how many."""
        s, n = self.a, len(batch)
        s.S[loop.TRUNCATED] = int(self.engine.truncated)
        if not n:
            return 0
        first = int(s.S[loop.NEXT_ID])
        if first + n - s.S[loop.BASE] > len(s.a_arr):
            self._make_room(n)
            s = self.a
        i = first - int(s.S[loop.BASE])
        cut = slice(i, i + n)
        x = self.engine.prepare(batch) if self.quality else None  # the day's judging (QualityEngine)
        s.a_arr[cut], s.a_need[cut], s.a_pat[cut] = batch.arrival, self.engine.need_array(batch, x), batch.patience
        s.a_q[cut], s.a_cell[cut] = batch.klass, batch.cell
        s.a_wait[cut], s.a_start[cut], s.a_end[cut] = _NAN, _NAN, _NAN
        s.a_team[cut], s.a_out[cut], s.waiting[cut] = -1, loop.SERVED, 0
        chain = int(s.S[loop.N_CHAINS])
        steps = self._place_trips(batch, cut, chain) if self.engine.planner else None
        if x is not None:
            for name, values in judged_arrays(x, n, self.front).items():
                getattr(s, name)[cut] = values
            self.desk.register(first, batch, x)
        self.batches[chain] = (batch, steps, x)
        self.engine.next_id += n
        return n

    def _place_trips(self, batch: Batch, cut: slice, chain: int) -> np.ndarray:
        """Draw the day's trips (the engine's planner) into the visit arena; return each visit's step."""
        (queues, steps, needs, patience), start, end = self.engine.planner.draw(batch.klass, batch.need, batch.patience)
        m = len(queues)
        s = self.a
        vfirst = int(s.S[loop.VNEXT])
        if vfirst + m - s.S[loop.VBASE] > len(s.v_q):
            self._make_visit_room(m)
            s = self.a
        v = slice(vfirst - int(s.S[loop.VBASE]), vfirst - int(s.S[loop.VBASE]) + m)
        s.v_q[v], s.v_need[v], s.v_pat[v] = queues, needs, patience
        walks = start >= 0
        s.a_vs[cut] = np.where(walks, start + vfirst, -1)
        s.a_ve[cut] = np.where(walks, end + vfirst, -1)
        s.a_vp[cut] = s.a_vs[cut]
        s.a_prior[cut] = 0.0
        s.a_q[cut] = np.where(walks, queues[np.where(walks, start, 0)] if m else 0, batch.klass)
        s.ch_vfirst[chain] = vfirst
        s.S[loop.VNEXT] = vfirst + m
        return steps

    def _make_visit_room(self, m: int) -> None:
        """Drop the visits of finished days from the visit arena's front, grow it if needed."""
        s = self.a
        base, next_v = int(s.S[loop.VBASE]), int(s.S[loop.VNEXT])
        new_base = min((int(s.ch_vfirst[c]) for c in self.batches), default=next_v)
        size = max(len(s.v_q), 2 * (next_v + m - new_base), 1024)
        self._drop_front(self._new_visits, len(s.v_q), size, slice(new_base - base, next_v - base), VISITS)
        self.a.S[loop.VBASE] = new_base

    def _make_room(self, n: int) -> None:
        """Drop finished days from the arena's front (relinking queues past who left them), grow if needed."""
        s = self.a
        base, next_id = int(s.S[loop.BASE]), int(s.S[loop.NEXT_ID])
        open_chains = [c for c in self.batches]  # days not yet finished
        new_base = min((int(s.ch_first[c]) for c in open_chains), default=next_id)
        loop.drop_left(self.s)
        size = max(len(s.a_arr), 2 * (next_id + n - new_base), 1024)
        self._drop_front(self._new_arena, len(s.a_arr), size, slice(new_base - base, next_id - base), ARENA + JUDGED)
        s.S[loop.BASE] = new_base

    def _grow(self) -> None:
        """Room before the next event: double the deadline heaps, or drop the read complaints from the log."""
        s = self.a
        if s.S[loop.HEAPS_FULL]:
            n_queues, cap = s.dt.shape
            if 2 * max(s.dn.max(initial=0), 1) >= cap:
                dt, dc = np.zeros((n_queues, 2 * cap)), np.zeros((n_queues, 2 * cap), _I8)
                dt[:, :cap], dc[:, :cap] = s.dt, s.dc
                self._repack(dt=dt, dc=dc)
            n = len(s.et)
            if 2 * int(s.S[loop.N_EVENTS]) >= n:
                names = ("et", "ep", "es", "ek", "ea")
                events = {name: np.zeros(2 * n, dtype=getattr(s, name).dtype) for name in names}
                for name, array in events.items():
                    array[:n] = getattr(s, name)
                self._repack(**events)
            s.S[loop.HEAPS_FULL] = 0
        if self.desk is not None:
            oldest = min((int(s.ch_first[c]) for c in self.batches), default=int(s.S[loop.NEXT_ID]))
            base, filed = int(s.S[loop.CBASE]), int(s.S[loop.N_FILED])
            new_base = self.desk.keep_from(s, oldest)
            size = max(1024, 2 * (filed - new_base + int(s.S[loop.N_WAITING]) + 2))
            self._drop_front(self._new_log, len(s.c_cid), size, slice(new_base - base, filed - base), COMPLAINTS)
            self.a.S[loop.CBASE] = new_base

    def _drop_front(self, make, current: int, size: int, keep: slice, names: tuple[str, ...]) -> None:
        """Keep only rows ``keep`` of arrays ``names``, at their front: in place while ``size`` rows fit.

        In place, the rows after them are zeroed, as fresh arrays from ``make(size)`` would be; so
        a long run holds one arena, not the old and the new one at each day's start.
        """
        if size > current:
            self._move(make(size), keep)
            return
        n = keep.stop - keep.start
        for name in names:
            array = getattr(self.a, name)
            if len(array) >= keep.stop:  # not a one-row placeholder
                array[:n] = array[keep]  # overlapping: NumPy copies through a buffer
                array[n:] = 0

    def _move(self, fresh: dict[str, np.ndarray], keep: slice) -> None:
        """Replace arrays of the state by ``fresh`` ones, each starting with the old one's ``keep`` rows.

        The arena, the visits and the complaint log all drop their front this way (the quality
        model's columns keep their one row when it is off).
        """
        n = keep.stop - keep.start
        for name, array in fresh.items():
            old = getattr(self.a, name)
            if len(old) >= keep.stop and len(array) >= n:  # not a one-row placeholder
                array[:n] = old[keep]
        self._repack(**fresh)

    def _repack(self, **replaced: np.ndarray) -> None:
        """Replace some of the state's arrays (a grown arena or heap)."""
        self.a = self.a._replace(**replaced)
        self.s = pack(self.a)

    def _flush(self) -> None:
        """Hand each day finished in the last call to the sink, in finishing order (the engine's ``_record``)."""
        s = self.a
        base = int(s.S[loop.BASE])
        for c in s.finished[: s.S[loop.N_FINISHED]].tolist():
            batch, steps, x = self.batches.pop(c)
            first, n = int(s.ch_first[c]), len(batch)
            cut = slice(first - base, first - base + n)
            columns = [
                np.arange(first, first + n, dtype=np.float64), batch.klass.astype(np.float64),
                batch.cell.astype(np.float64), batch.arrival, s.a_wait[cut].copy(), s.a_start[cut].copy(),
                s.a_end[cut].copy(), s.a_team[cut].astype(np.float64), s.a_out[cut].astype(np.float64),
            ]  # fmt: skip
            if x is not None:
                x.complained = np.flatnonzero(s.a_comp[cut]).tolist()
                columns = self.engine.judged_columns(columns, x)
            self.engine.sink(columns, x)
            if steps is not None and self.engine.step_sink is not None:
                self._step_rows(c, batch, steps, cut)
        s.S[loop.N_FINISHED] = 0

    def _step_rows(self, c: int, batch: Batch, steps: np.ndarray, cut: slice) -> None:
        """A finished day's step rows (``JourneyMoves._step_rows``): each journey customer's visits, in order."""
        s = self.a
        vs = s.a_vs[cut]
        who = np.flatnonzero(vs >= 0)
        if not len(who):
            return
        counts = s.a_vp[cut][who] - vs[who] + 1  # the visits it reached (its current one is its last)
        owner = np.repeat(who, counts)
        visit = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        v = np.repeat(vs[who], counts) + visit  # absolute visit numbers
        vi = v - int(s.S[loop.VBASE])
        rows = np.column_stack([
            (owner + int(s.ch_first[c])).astype(np.float64), batch.klass[owner].astype(np.float64),
            visit.astype(np.float64), steps[v - int(s.ch_vfirst[c])].astype(np.float64),
            s.v_team[vi].astype(np.float64), s.v_arr[vi], s.v_wait[vi], s.v_start[vi], s.v_end[vi],
            s.v_out[vi].astype(np.float64),
        ])  # fmt: skip
        self.engine.step_sink(rows)

    def _write_back(self) -> None:
        s, engine = self.a, self.engine
        for t, team in enumerate(engine.teams):
            team.busy_area, team.duty_area = s.busy_area[t].tolist(), s.duty_area[t].tolist()
            team.paid_area = s.paid_area[t].tolist()
        engine.max_queue = s.max_queue.tolist()
        engine.max_queue_total = s.max_total.tolist()
