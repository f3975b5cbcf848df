"""The SimPy model with the service-quality layer: judgement, complaints, recovery, loyalty.

Each customer is judged when its experience is complete: a served customer when service
starts (its wait and server are then known, and its service time was drawn in advance),
an abandoning or balking customer when it leaves, with the pure functions of
:mod:`simsvc.quality` applied to its batch (:mod:`simsvc.sim.judging`); during the run the
engine only compares a customer's wait with its tolerance, to know whether it complains.

A dissatisfied served customer complains when its service ends, one who leaves unserved
when it leaves (an abandoning one at its deadline: :mod:`simsvc.sim.patience`). Its
complaint enters the complaint desk then, a station of the engine
(:mod:`simsvc.sim.complaint_desk`); recovery is decided in batches (:mod:`simsvc.sim.complaints`).

With loyalty over several days, outcomes feed back into demand: word of mouth sets the
next day's new demand and returning customers come back a day or more later. Nothing of
that acts within the day a customer is judged, so a batch's outcomes and returns are
booked when its records are made, in NumPy (:meth:`QualityEngine._book_batch`), each
on the day its customer was judged; a complaint's when its handling starts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.arrivals import ArrivalChain
from simsvc.sim.complaint_desk import ComplaintDesk
from simsvc.sim.complaints import Complaints
from simsvc.sim.demand import Batch, Demand
from simsvc.sim.engine import Engine, Station
from simsvc.sim.experience import GAP_DIMENSIONS, of_team
from simsvc.sim.judging import Judge, Judging
from simsvc.sim.schema import ABANDONED, BALKED, QUALITY_FIELDS, RECORD_FIELDS

__all__ = ["QualityEngine"]

_RESPONSIVENESS = quality.DIMENSIONS.index("responsiveness")
_OTHERS = [quality.DIMENSIONS.index(d) for d in GAP_DIMENSIONS]
_WAIT, _TEAM = RECORD_FIELDS.index("wait"), RECORD_FIELDS.index("team")


class QualityEngine(ComplaintDesk, Engine):
    """:class:`~simsvc.sim.engine.Engine` plus expectations, complaints (and their desk) and loyalty."""

    def __init__(
        self,
        scenario: Scenario,
        demand: Demand,
        sink: Callable[[list[np.ndarray], Any], None],
        max_customers: int,
        complaint_sink: Callable[[np.ndarray], None],
        step_sink: Callable[[np.ndarray], None] | None = None,
        routing: dict | None = None,
    ):
        super().__init__(scenario, demand, sink, max_customers, step_sink, routing)
        self.n_teams = len(scenario.teams)
        comp, loyal = scenario.complaints, scenario.loyalty
        self.judge = Judge(scenario)
        zero = (0.0, 0.0, 0.0, 0.0)
        self.p_return = loyal.return_probability.as_tuple() if loyal else zero
        self.adaptation = loyal.adaptation if loyal else 0.0
        self.word_of_mouth = loyal.word_of_mouth.as_tuple() if loyal else zero
        self.reference = loyal.reference.as_tuple() if loyal else zero
        self.multi_day = scenario.horizon.days > 1
        # Returns and word of mouth change the rest of the run only over several days and
        # when they are not all zero; otherwise they are decided after the fact.
        self.live_loyalty = self.multi_day and (any(self.p_return) or any(self.word_of_mouth))
        self.day = 0
        self.open_minute = scenario.horizon.open_minute
        # Live loyalty: outcomes per class and loyalty outcome, by the day they were judged.
        self.outcomes: dict[int, np.ndarray] = {}
        self._add_desk()
        self.complaints = Complaints(scenario, complaint_sink, self._book_outcomes, self.live_loyalty)
        if comp.teams and comp.voice_probability > 0:  # a complaint's start depends on when it is filed
            self.watch = self._watch
        self._start = self._fast_start()  # type: ignore[method-assign]

    def _watch(self, q: int, entry: tuple) -> None:
        """A customer who would complain if it abandoned leaves at its own time (a deadline event)."""
        chain, i = entry[6]
        if chain.extra.unserved_complains[i]:
            self._deadline_event(q, entry[5])

    def prepare(self, batch: Batch) -> Judging:
        return Judging(self.judge, batch)

    def needs(self, batch: Batch, extra: Judging) -> list[float]:
        """With one team, the needs with rework: read as the customers arrive, not again."""
        return extra.need if self.n_teams == 1 else super().needs(batch, extra)

    def need_array(self, batch: Batch, extra: Judging) -> np.ndarray:
        return np.asarray(extra.need) if self.n_teams == 1 else super().need_array(batch, extra)

    def _columns(self, chain: ArrivalChain) -> list[np.ndarray]:
        return self.judged_columns(super()._columns(chain), chain.extra)

    def judged_columns(self, columns: list[np.ndarray], x: Judging) -> list[np.ndarray]:
        """A finished batch's record ``columns`` with its judgement's after them (its outcomes booked)."""
        columns += x.columns(columns[_WAIT], columns[_TEAM], self.scenario.loyalty is not None)
        if self.live_loyalty:
            self._book_batch(columns, x)
        return columns

    # -- complaining -------------------------------------------------------------------
    def _fast_start(self) -> Callable[..., None]:
        """Build :meth:`Engine._start` for this engine as a closure over its constants.

        Serving a customer is the hot path; local names are several times faster than
        attribute look-ups there (the benchmark's quality-layer cost target). With one
        team (most scenarios) a shorter variant does without the team offsets: each
        bytecode there is paid once per customer.
        """
        timeout, record, n_teams = self.env.timeout, self._record, self.n_teams
        single = n_teams == 1  # then the engine passes the need with rework (needs)
        complains_at_end = self._complains_at_end

        def start(team, cid, k, cell, arrival, now, need, ref) -> None:
            chain, i = ref
            x = chain.extra
            t = team.index
            team.account(now)
            team.busy += 1
            at = i * n_teams + t
            duration = x.need[at] / team.speed  # the need with rework after a failure by this team
            wait = now - arrival
            chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, t
            may = x.may_complain[at]
            if may and (may == 1 or wait > x.tolerance.item(at)):  # dissatisfied, and says so
                x.complained.append(i)
                complains_at_end(duration, team, (cid, k, cell, arrival, x, i, wait, t))
            else:
                timeout(duration).callbacks.append(team.done)
            chain.left -= 1
            if not chain.left:
                record(chain)

        def start_one_team(team, cid, k, cell, arrival, now, need, ref) -> None:
            """:func:`start` with one team (the usual case; the need has rework)."""
            chain, i = ref
            team.account(now)
            team.busy += 1
            duration = need / team.speed
            wait = now - arrival
            chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, team.index
            x = chain.extra
            may = x.may_complain[i]
            if may and (may == 1 or wait > x.tolerance.item(i)):
                x.complained.append(i)
                complains_at_end(duration, team, (cid, k, cell, arrival, x, i, wait, team.index))
            else:
                timeout(duration).callbacks.append(team.done)
            chain.left -= 1
            if not chain.left:
                record(chain)

        return start_one_team if single else start

    def _start_last(
        self, team: Station, cid: int, k: int, cell: int, arrival: float, now: float, need: float, wait: float, ref: Any
    ) -> None:
        """A journey's last service starts: the customer is judged once, on the journey's total wait."""
        chain, i = ref
        x: Judging = chain.extra
        t = team.index
        team.account(now)
        team.busy += 1
        duration = need / team.speed
        chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, t
        at = i * self.n_teams + t
        may = x.may_complain[at]
        if may and (may == 1 or wait > x.tolerance.item(at)):
            x.complained.append(i)
            self._complains_at_end(duration, team, (cid, k, cell, arrival, x, i, wait, t))
        else:
            self.env.timeout(duration).callbacks.append(team.done)
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _judged_at_start(
        self, team: Station, cid: int, k: int, cell: int, arrival: float, need: float, wait: float, ref: Any,
        journey: bool,
    ) -> tuple[float, tuple | None]:  # fmt: skip
        """At a concurrent team (:mod:`simsvc.sim.concurrency`): the need with rework, and whether it complains.

        As :meth:`_fast_start` and :meth:`_start_last` decide; the complaint is filed at the actual end.
        """
        chain, i = ref
        x: Judging = chain.extra
        t = team.index
        at = i * self.n_teams + t
        if not journey and self.n_teams > 1:
            need = x.need[at]  # the need with rework after a failure by this team
        may = x.may_complain[at]
        if may and (may == 1 or wait > x.tolerance.item(at)):
            x.complained.append(i)
            return need, (cid, k, cell, arrival, x, i, wait, t)
        return need, None

    def _leave_unserved(self, cid: int, k: int, cell: int, arrival: float, left: float, outcome: int, ref: Any):
        chain, i = ref
        x: Judging = chain.extra
        if outcome == ABANDONED:
            chain.wait[i] = left - arrival  # a journey's: the engine passes its first arrival less earlier waits
        chain.outcome[i] = outcome
        if x.unserved_complains[i]:  # it complains as it leaves: now (left), patience.py
            x.complained.append(i)
            first = chain.times[i]  # when the customer arrived (the first step of a journey)
            self._file(cid, k, cell, first, x, i, math.nan, -1, left)
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _abandon(self, cid: int, k: int, cell: int, arrival: float, deadline: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, arrival, deadline, ABANDONED, ref)

    def _balk(self, cid: int, k: int, cell: int, now: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, now, now, BALKED, ref)

    def _finish(self) -> None:
        self._close_desk()
        self.complaints.finish()

    # -- loyalty -----------------------------------------------------------------------
    def _book_batch(self, columns: list[np.ndarray], x: Judging) -> None:
        """Book a finished batch's outcomes (word of mouth) and returns, each on its judgement day.

        A customer is judged when its service starts or when it leaves; complainers are
        booked when their complaint is handled (:meth:`_book_outcomes`).
        """
        col = dict(zip(RECORD_FIELDS + QUALITY_FIELDS, columns, strict=True))
        served = col["team"] >= 0
        judged = np.where(served, col["start"], col["arrival"] + np.nan_to_num(col["wait"]))
        day = np.floor((judged - self.open_minute) / 1440.0).astype(np.int64)
        free = col["complained"] == 0
        k, category = col["klass"].astype(np.int64), col["category"].astype(np.int64)
        n_classes = len(self.scenario.customer_classes)
        first, last = int(day.min()), int(day.max())  # a batch is never empty
        flat = ((day[free] - first) * n_classes + k[free]) * 4 + category[free]
        counts = np.bincount(flat, minlength=(last - first + 1) * n_classes * 4).reshape(-1, n_classes, 4)
        for d in range(first, last + 1):
            self._outcomes(d)[...] += counts[d - first]
        back = np.flatnonzero(col["returns"] == 1)
        if len(back):
            team = col["team"][back].astype(np.int64)
            self._schedule_returns(k[back], x, back, team, col["perceived_responsiveness"][back], day[back])

    def _outcomes(self, day: int) -> np.ndarray:
        counts = self.outcomes.get(day)
        if counts is None:
            counts = self.outcomes[day] = np.zeros((len(self.scenario.customer_classes), 4))
        return counts

    def _book_outcomes(self, booked: list[tuple]) -> None:
        """Count complaints' outcomes for word of mouth and book the returns they decided.

        ``booked``: ``(class, judging, index, outcome, team, perceived, returns)`` of
        complaints whose handling started today (unhandled ones: at the end).
        """
        counts = self._outcomes(self.day)
        by_judging: dict[int, list[tuple]] = defaultdict(list)
        for k, x, i, outcome, t, perceived, returns in booked:
            counts[k, outcome] += 1
            if returns:
                by_judging[id(x)].append((k, x, i, t, perceived))
        day = np.array([self.day])
        for rows in by_judging.values():
            k, xs, i, t, perceived = zip(*rows, strict=True)
            self._schedule_returns(np.array(k), xs[0], np.array(i), np.array(t), np.array(perceived), day)

    def _schedule_returns(
        self, k: np.ndarray, x: Judging, index: np.ndarray, team: np.ndarray, perceived: np.ndarray, day: np.ndarray
    ) -> None:
        """Book the return visits of customers ``index`` of a judging, judged on ``day``.

        Expectations move toward what was perceived (team -1: only the wait was).
        """
        draws = x.draws
        expected = draws.expected[index]
        perceived_all = expected.copy()
        perceived_all[:, _RESPONSIVENESS] = perceived
        served = team >= 0
        if served.any():
            gaps = of_team(x.experience.gaps[index[served]], team[served])
            perceived_all[np.ix_(np.flatnonzero(served), _OTHERS)] += gaps
        adapted = quality.adapted_expectations(expected, perceived_all, self.adaptation)
        when = day + np.maximum(1, np.ceil(draws.return_days[index])).astype(np.int64)
        u_time = draws.u_return_time[index]
        for c in np.unique(k).tolist():
            rows = k == c
            self.demand.schedule_returns(c, when[rows], u_time[rows], adapted[rows])

    def _day_started(self, day: int, now: float) -> None:
        if day == 0:
            return
        self.complaints.book(now)  # yesterday's complaints count for word of mouth
        # Yesterday's outcomes (and any of earlier days booked late: customers still inside
        # at an opening, in a round-the-clock operation, count when they are recorded).
        due = [d for d in self.outcomes if d < day]
        if due and self.live_loyalty:
            counts = sum(self.outcomes.pop(d) for d in due)
            for k in range(len(counts)):
                previous = self.demand.classes[k].multiplier
                factor = quality.demand_multiplier(previous, counts[k], self.word_of_mouth, self.reference)
                self.demand.update_word_of_mouth(k, factor)
        self.day = day
