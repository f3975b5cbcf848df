"""The SimPy model with the service-quality layer: judgement, complaints, recovery, loyalty.

Each customer is judged when its experience is complete: a served customer when service
starts (its wait and server are then known, and its service time was drawn in advance),
an abandoning or balking customer when it leaves. The judgement uses the pure functions
of :mod:`simsvc.quality` through pre-computed per-team terms (:mod:`simsvc.sim.experience`),
so only the responsiveness perception is computed per customer here.

Complaints are customers of an extra queue served by the complaint teams, on their own
shifts (no closing rule: complaints wait for the next shift, across days). A dissatisfied
served customer complains when its service ends; an abandoning one when its abandonment
is detected (at the next event of its queue), with the filing time set to the moment it
left. Recovery succeeds with probability ``recovery_success(handler level) *
exp(-time to resolution / recovery_decay_minutes)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.demand import Batch, Demand
from simsvc.sim.engine import ABANDONED, BALKED, SERVED, Engine
from simsvc.sim.experience import experience

__all__ = ["QUALITY_FIELDS", "QualityEngine"]

QUALITY_FIELDS = (
    "gap", "category", "complained", "returns", "recovered", "initial_gap",
    "gap_reliability", "gap_responsiveness", "gap_assurance", "gap_empathy", "gap_tangibles", "filed",
)  # fmt: skip
"""Extra record columns. A complaint row has class index ``classes + k`` for a customer of
class ``k``, the customer's arrival and cell, ``wait`` from filing to handling, ``filed``
the filing time, and ``gap``/``category`` after handling (``initial_gap`` before)."""
_NAN = float("nan")
_NO_GAPS = (_NAN, _NAN, _NAN, _NAN, _NAN)


class _Lists:
    """A batch's per-customer quality data as Python lists (fast scalar access)."""

    __slots__ = (
        "abandon", "base", "complaint_need", "e_resp", "expected", "gaps", "need",
        "return_days", "u_recover", "u_return", "u_return_time", "u_voice",
    )  # fmt: skip

    def __init__(self, scenario: Scenario, batch: Batch):
        assert batch.draws is not None
        x = experience(scenario, batch.klass, batch.need, batch.draws)
        d = batch.draws
        self.need, self.base, self.gaps = x.need.tolist(), x.base.tolist(), x.gaps.tolist()
        self.abandon, self.e_resp = x.abandon_gap.tolist(), x.expected_responsiveness.tolist()
        self.expected = d.expected.tolist()
        self.u_voice, self.u_recover = d.u_voice.tolist(), d.u_recover.tolist()
        self.u_return, self.u_return_time = d.u_return.tolist(), d.u_return_time.tolist()
        self.return_days, self.complaint_need = d.return_days.tolist(), d.complaint_need.tolist()


class QualityEngine(Engine):
    """:class:`~simsvc.sim.engine.Engine` plus expectations, complaints and loyalty."""

    def __init__(self, scenario: Scenario, demand: Demand, sink: Any, max_customers: int):
        super().__init__(scenario, demand, sink, max_customers)
        q, comp, loyal = scenario.quality, scenario.complaints, scenario.loyalty
        classes = scenario.customer_classes
        self.n_classes = len(classes)
        self.complaint_queue = self._add_queue(priority=0, patient=False, balk_at=None)
        for spec in comp.teams:
            self._add_team(spec, [self.complaint_queue], closing=None, frontline=False)
        self.success = [0.0] * len(scenario.teams) + [
            scenario.training(t.training_level).recovery_success for t in comp.teams
        ]
        self.w_resp = [c.expectations.weights.responsiveness for c in classes]
        self.desired = [c.expectations.desired_wait for c in classes]
        promise = (q.promise_level, q.promise_wait_effect)
        self.worst = [2 * quality.adequate_wait_after_promise(c.expectations.adequate_wait, *promise) for c in classes]
        self.logistic = q.responsiveness_curve == "logistic"
        self.hi, self.lo = q.delighted_above, q.dissatisfied_below
        self.p_voice = comp.voice_probability
        self.decay, self.paradox = comp.recovery_decay_minutes, comp.paradox
        self.p_return = loyal.return_probability.as_tuple()
        self.adaptation, self.word_of_mouth = loyal.adaptation, loyal.word_of_mouth.as_tuple()
        self.multi_day = scenario.horizon.days > 1
        self.day = 0
        self.outcomes = [[0, 0, 0, 0] for _ in classes]
        self.demand_factor = [[c.multiplier for c in demand.classes]]

    def prepare(self, batch: Batch) -> _Lists:
        return _Lists(self.scenario, batch)

    # -- judgement -------------------------------------------------------------------
    def _responsiveness(self, k: int, wait: float) -> float:
        desired, worst = self.desired[k], self.worst[k]
        if wait <= desired:
            return 7.0
        if wait >= worst:
            return 1.0
        if self.logistic:
            mid, scale = (desired + worst) / 2.0, (worst - desired) / 8.0
            return 1.0 + 6.0 / (1.0 + math.exp((wait - mid) / scale))
        return 7.0 - 6.0 * (wait - desired) / (worst - desired)

    def _category(self, gap: float) -> int:
        return quality.DELIGHTED if gap >= self.hi else (quality.DISSATISFIED if gap < self.lo else quality.SATISFIED)

    def _start(self, team, cid, k, cell, arrival, now, need, ref) -> None:
        if not team.frontline:
            self._handle_complaint(team, cid, cell, now, need, ref)
            return
        chain, i = ref
        x: _Lists = chain.extra
        t = team.index
        team.account(now)
        team.busy += 1
        duration = x.need[i][t] / team.speed
        self.env.timeout(duration).callbacks.append(team.done)
        wait = now - arrival
        perceived = self._responsiveness(k, wait)
        gap = x.base[i][t] + self.w_resp[k] * perceived
        cat = quality.DELIGHTED if gap >= self.hi else (quality.DISSATISFIED if gap < self.lo else quality.SATISFIED)
        g = x.gaps[i][t]
        gaps = (g[0], perceived - x.e_resp[i], g[1], g[2], g[3])
        complained = returns = 0
        if cat == quality.DISSATISFIED and x.u_voice[i] < self.p_voice:
            complained = 1  # files the complaint when its service ends
            filing = self.env.timeout(duration, value=(cid, k, cell, arrival, ref, gap, gaps))
            filing.callbacks.append(self._complaint_after_service)
        else:
            returns = self._loyalty(k, x, i, cat, gaps, now + duration)
        row = (cid, k, cell, arrival, wait, now, now + duration, t, SERVED)
        self._emit((*row, gap, cat, complained, returns, _NAN, gap, *gaps, _NAN))

    def _leave_unserved(self, cid: int, k: int, cell: int, arrival: float, left: float, outcome: int, ref: Any):
        chain, i = ref
        x: _Lists = chain.extra
        gap = x.abandon[i]
        cat = self._category(gap)
        gaps = (_NAN, 1.0 - x.e_resp[i], _NAN, _NAN, _NAN)
        complained = returns = 0
        if cat == quality.DISSATISFIED and x.u_voice[i] < self.p_voice:
            complained = 1
            self._file_complaint(cid, k, cell, arrival, ref, gap, gaps, filed=left)
        else:
            returns = self._loyalty(k, x, i, cat, gaps, left)
        wait = left - arrival if outcome == ABANDONED else _NAN
        row = (cid, k, cell, arrival, wait, _NAN, _NAN, -1, outcome)
        self._emit((*row, gap, cat, complained, returns, _NAN, gap, *gaps, _NAN))

    def _abandon(self, cid: int, k: int, cell: int, arrival: float, deadline: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, arrival, deadline, ABANDONED, ref)

    def _balk(self, cid: int, k: int, cell: int, now: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, now, now, BALKED, ref)

    # -- complaints --------------------------------------------------------------------
    def _complaint_after_service(self, event: simpy.Event) -> None:
        cid, k, cell, arrival, ref, gap, gaps = event.value
        self._file_complaint(cid, k, cell, arrival, ref, gap, gaps, filed=self.env.now)

    def _file_complaint(
        self, cid: int, k: int, cell: int, arrival: float, ref: Any, gap: float, gaps: tuple, filed: float
    ) -> None:
        chain, i = ref
        payload = (k, chain.extra, i, gap, gaps, filed, arrival)
        need = chain.extra.complaint_need[i]
        self.arrive(cid, self.complaint_queue, cell, self.env.now, need, math.inf, payload)

    def _handle_complaint(self, team, cid: int, cell: int, now: float, need: float, payload: tuple) -> None:
        k, x, i, gap, gaps, filed, arrival = payload
        team.account(now)
        team.busy += 1
        duration = need / team.speed
        self.env.timeout(duration).callbacks.append(team.done)
        end = now + duration
        chance = self.success[team.index] * math.exp(-(end - filed) / self.decay)
        recovered = x.u_recover[i] < chance
        final = max(gap, 0.0) + self.paradox if recovered else gap
        outcome = self._category(final) if recovered else quality.UNRESOLVED
        returns = self._loyalty(k, x, i, outcome, gaps, end)
        row = (cid, self.complaint_queue + k, cell, arrival, now - filed, now, end, team.index, SERVED)
        self._emit((*row, final, outcome, 1, returns, float(recovered), gap, *_NO_GAPS, filed))

    def _finish(self) -> None:
        """Complaints still waiting when nothing else happens are unresolved."""
        for entry in self.queues[self.complaint_queue]:
            cid, cell, (k, x, i, gap, gaps, filed, arrival) = entry[1], entry[3], entry[6]
            returns = self._loyalty(k, x, i, quality.UNRESOLVED, gaps, math.inf)
            row = (cid, self.complaint_queue + k, cell, arrival, _NAN, _NAN, _NAN, -1, ABANDONED)
            self._emit((*row, gap, quality.UNRESOLVED, 1, returns, 0.0, gap, *_NO_GAPS, filed))
        self.queues[self.complaint_queue].clear()

    # -- loyalty -----------------------------------------------------------------------
    def _loyalty(self, k: int, x: _Lists, i: int, outcome: int, gaps: tuple, now: float) -> int:
        """Count the outcome for word of mouth; decide and book a return visit."""
        self.outcomes[k][outcome] += 1
        if x.u_return[i] >= self.p_return[outcome]:
            return 0
        if self.multi_day and now < math.inf:
            expected = x.expected[i]
            adapted = [e if g != g else e + self.adaptation * g for e, g in zip(expected, gaps, strict=True)]
            day = self.day + max(1, math.ceil(x.return_days[i]))
            self.demand.schedule_return(k, day, x.u_return_time[i], np.clip(adapted, 1.0, 7.0), now)
        return 1

    def _day_started(self, day: int) -> None:
        if day == 0:
            return
        factors = []
        for k, counts in enumerate(self.outcomes):
            factor = quality.demand_multiplier(self.demand.classes[k].multiplier, counts, self.word_of_mouth)
            self.demand.update_word_of_mouth(k, factor)
            factors.append(factor)
        self.demand_factor.append(factors)
        self.outcomes = [[0, 0, 0, 0] for _ in self.outcomes]
        self.day = day
