"""The SimPy model with the service-quality layer: judgement, complaints, recovery, loyalty.

Each customer is judged when its experience is complete: a served customer when service
starts (its wait and server are then known, and its service time was drawn in advance),
an abandoning or balking customer when it leaves. The judgement uses the pure functions
of :mod:`simsvc.quality` through pre-computed per-team terms (:mod:`simsvc.sim.experience`),
so only the responsiveness perception is computed per customer here, and only for the
customers whose judgement changes the rest of the run (who may complain, or all with live
loyalty); the others are judged with their batch, in NumPy.

A dissatisfied served customer complains when its service ends; an abandoning one when
its abandonment is detected (at the next event of its queue), with the filing time set to
the moment it left. Complaints are handled by the complaint desk's teams, on their own
shifts, and decided in batches (:mod:`simsvc.sim.complaints`); their outcomes and the
customers' returns are booked when their handling starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.complaint_desk import ComplaintDesk
from simsvc.sim.complaints import COMPLAINT_FIELDS, Complaints
from simsvc.sim.demand import Batch, Demand
from simsvc.sim.engine import ABANDONED, BALKED, RECORD_FIELDS, Engine, _ArrivalChain, _Team
from simsvc.sim.experience import GAP_DIMENSIONS, experience, of_team

__all__ = ["COMPLAINT_FIELDS", "QUALITY_FIELDS", "QualityEngine"]

QUALITY_FIELDS = ("gap", "category", "complained", "returns", "perceived_responsiveness")
"""Columns a customer's record gains with the quality model (its judgement)."""
_RESPONSIVENESS = quality.DIMENSIONS.index("responsiveness")
_OTHERS = [quality.DIMENSIONS.index(d) for d in GAP_DIMENSIONS]
_WAIT, _TEAM = RECORD_FIELDS.index("wait"), RECORD_FIELDS.index("team")


class _Judging:
    """A batch's experience, and the decisions its customers took during the run.

    Lists serve the per-customer hot path, arrays the rest. Only the decisions that change
    the rest of the run (complaining; coming back, when returns and word of mouth feed
    back into demand) are taken per customer; the judgements of the whole batch are
    computed in NumPy by :meth:`columns` once all of its customers have been served or
    have left, with the same functions of :mod:`simsvc.quality`.
    """

    __slots__ = (
        "abandon", "base_of", "complained", "draws", "experience", "klass", "may_complain", "need", "returns",
        "u_return", "unserved_complains",
    )  # fmt: skip

    def __init__(self, engine: QualityEngine, batch: Batch):
        assert batch.draws is not None
        x = experience(engine.scenario, batch.klass, batch.need, batch.draws)
        self.experience, self.draws, self.klass = x, batch.draws, batch.klass
        live = engine.live_loyalty
        # Flat (customer i, team t at i * teams + t), no per-customer containers; lists for
        # what the run reads for most customers, arrays for what it reads for a few (a list
        # costs a float object per customer).
        self.need = x.need.ravel().tolist()
        # base_of(i * teams + t): a Python float (a NumPy scalar would make every operation
        # on the gap slow); a list when every customer is judged during the run.
        self.base_of = x.base.ravel().tolist().__getitem__ if live else x.base.ravel().item
        self.u_return = batch.draws.u_return.tolist() if live else batch.draws.u_return
        self.abandon = x.abandon_gap
        self.complained: list[int] = []  # who complained (few: a list of them, not a flag each)
        self.returns = [0] * len(batch) if live else []  # decided during the run only then
        # Whether a customer served by each team may complain: never (0) unless it voices
        # complaints and its gap at the worst responsiveness (1) is below the dissatisfied
        # line; after any wait (1) if its gap is below it even at the best (7, the
        # perception of any wait up to the desired one); else (2) after a wait beyond the
        # desired one, where the judgement decides. The perception is between 1 and 7, the
        # weight >= 0 and rounding monotone, so no complainer is missed, and without live
        # loyalty the others (most customers) need no judgement during the run. Gaps as the
        # engine's. Bytes: small integers read without a float object each.
        voice = (batch.draws.u_voice < engine.p_voice)[:, None]
        w = engine.w_resp_a[batch.klass][:, None]
        may = voice & (x.base + w * 1.0 < engine.lo)
        surely = x.base + w * 7.0 < engine.lo
        self.may_complain = np.where(may, np.where(surely, 1, 2), 0).astype(np.uint8).ravel().tobytes()
        # Whether a customer who leaves unserved complains (dissatisfied, and says so).
        dissatisfied = quality.category(x.abandon_gap, engine.hi, engine.lo) == quality.DISSATISFIED
        self.unserved_complains = (dissatisfied & voice[:, 0]).tobytes()

    def columns(self, engine: QualityEngine, wait: np.ndarray, team: np.ndarray) -> list[np.ndarray]:
        """The judgement columns of the finished batch, in :data:`QUALITY_FIELDS` order.

        ``wait`` and ``team`` are the batch's record columns (``team`` -1: not served).
        """
        x, k = self.experience, self.klass
        team = team.astype(np.int64)
        served = team >= 0
        perceived = np.where(
            served,
            quality.perceived_responsiveness(
                np.where(served, wait, 0.0), engine.desired_a[k], engine.worst_a[k] / 2.0, engine.curve
            ),
            1.0,  # who leaves unserved perceives the worst responsiveness
        )
        base = of_team(x.base, team)
        gap = np.where(served, base + engine.w_resp_a[k] * perceived, x.abandon_gap)
        complained = np.zeros(len(k), dtype=bool)
        complained[self.complained] = True
        category = np.where(complained, quality.DISSATISFIED, quality.category(gap, engine.hi, engine.lo))
        if engine.live_loyalty:
            returns = np.array(self.returns, dtype=np.float64)
        else:  # decided here: the run did not need it (complainers decide when handled)
            returns = (~complained & (self.draws.u_return < engine.p_return_a[category])).astype(np.float64)
        return [gap, category.astype(np.float64), complained.astype(np.float64), returns, perceived]


class QualityEngine(Engine):
    """:class:`~simsvc.sim.engine.Engine` plus expectations, complaints and loyalty."""

    def __init__(
        self,
        scenario: Scenario,
        demand: Demand,
        sink: Callable[[list[np.ndarray], Any], None],
        max_customers: int,
        complaint_sink: Callable[[np.ndarray], None],
    ):
        super().__init__(scenario, demand, sink, max_customers)
        self.n_teams = len(scenario.teams)
        q, comp, loyal = scenario.quality, scenario.complaints, scenario.loyalty
        classes = scenario.customer_classes
        self.w_resp = [c.expectations.weights.responsiveness for c in classes]
        self.desired = [c.expectations.desired_wait for c in classes]
        promise = (q.promise_level, q.promise_wait_effect)
        self.worst = [2 * quality.adequate_wait_after_promise(c.expectations.adequate_wait, *promise) for c in classes]
        self.logistic = q.responsiveness_curve == "logistic"
        # 7 up to the desired wait, falling linearly to 1 at the worst wait (a promise can
        # shrink the zone of tolerance to nothing: then any longer wait is the worst).
        self.slope = [
            6.0 / (worst - desired) if worst > desired else math.inf
            for desired, worst in zip(self.desired, self.worst, strict=True)
        ]
        self.hi, self.lo = q.delighted_above, q.dissatisfied_below
        self.p_voice = comp.voice_probability
        self.decay, self.paradox = comp.recovery_decay_minutes, comp.paradox
        self.p_return = loyal.return_probability.as_tuple()
        self.adaptation, self.word_of_mouth = loyal.adaptation, loyal.word_of_mouth.as_tuple()
        self.multi_day = scenario.horizon.days > 1
        # Returns and word of mouth change the rest of the run only over several days and
        # when they are not all zero; otherwise they are decided after the fact.
        self.live_loyalty = self.multi_day and (any(self.p_return) or any(self.word_of_mouth))
        self.desired_a, self.worst_a = np.array(self.desired), np.array(self.worst)
        self.w_resp_a, self.p_return_a = np.array(self.w_resp), np.array(self.p_return)
        self.curve = q.responsiveness_curve
        self.day = 0
        self.outcomes = [[0, 0, 0, 0] for _ in classes]
        desk = ComplaintDesk(scenario, len(self.teams), self.n_cells, self.warmup_end)
        self.complaints = Complaints(scenario, desk, complaint_sink, self._book_outcome, self.live_loyalty)
        self._start = self._fast_start()  # type: ignore[method-assign]

    def prepare(self, batch: Batch) -> _Judging:
        return _Judging(self, batch)

    def needs(self, batch: Batch, extra: _Judging) -> list[float]:
        """With one team, the needs with rework: read as the customers arrive, not again."""
        return extra.need if self.n_teams == 1 else super().needs(batch, extra)

    def _columns(self, chain: _ArrivalChain) -> list[np.ndarray]:
        columns = super()._columns(chain)
        return columns + chain.extra.columns(self, columns[_WAIT], columns[_TEAM])

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

    def _fast_start(self) -> Callable[..., None]:
        """Build :meth:`Engine._start` for this engine as a closure over its constants.

        Serving a customer is the hot path; local names are several times faster than
        attribute look-ups there (the benchmark's quality-layer cost target). With one
        team and no live loyalty (most scenarios) a shorter variant does without the
        team offsets and the live test: each bytecode there is paid once per customer.
        """
        env, timeout, record = self.env, self.env.timeout, self._record
        n_teams, desired, slope, w_resp = self.n_teams, self.desired, self.slope, self.w_resp
        single = n_teams == 1  # then the engine passes the need with rework (needs)
        hi, lo, p_return, outcomes = self.hi, self.lo, self.p_return, self.outcomes
        logistic, responsiveness, live = self.logistic, self._responsiveness, self.live_loyalty
        comes_back, complaints = self._comes_back, self.complaints
        file_complaint, book = complaints.file, complaints.book_before_customer

        def judge(team, cid, k, cell, arrival, now, wait, duration, x, i, at) -> None:
            """Judge a customer whose judgement changes the rest of the run; start its service."""
            t = team.index
            d = desired[k]
            if wait <= d:
                perceived = 7.0
            elif logistic:
                perceived = responsiveness(k, wait)
            else:
                perceived = 7.0 - slope[k] * (wait - d)  # slope inf: -inf, then 1
                if perceived < 1.0:
                    perceived = 1.0
            gap = x.base_of(at) + w_resp[k] * perceived
            if gap < lo and x.may_complain[at]:  # dissatisfied, and says so
                x.complained.append(i)
                # Filed when its service ends (the completion's time: SimPy's now + delay).
                filed = env.now + duration
                file_complaint(now, filed, cid, k, cell, arrival, x, i, gap, t, perceived)
            elif live:  # the outcome is final (as in _loyalty)
                book(now)  # complaints whose handling has started come first
                cat = 0 if gap >= hi else (2 if gap < lo else 1)  # DELIGHTED, SATISFIED, DISSATISFIED
                outcomes[k][cat] += 1
                if x.u_return[i] < p_return[cat]:
                    x.returns[i] = comes_back(k, x, i, t, perceived, now + duration)
            timeout(duration).callbacks.append(team.done)

        def start(team, cid, k, cell, arrival, now, need, ref) -> None:
            chain, i = ref
            x = chain.extra
            t = team.index
            team.account(now)
            team.busy += 1
            at = i * n_teams + t
            duration = (need if single else x.need[at]) / team.speed  # one team: the need has rework
            wait = now - arrival
            chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, t
            may = x.may_complain[at]
            if live or (may and (may == 1 or wait > desired[k])):  # the judgement changes the rest of the run
                judge(team, cid, k, cell, arrival, now, wait, duration, x, i, at)
            else:  # judged after the fact, with its batch (_Judging.columns)
                timeout(duration).callbacks.append(team.done)
            chain.left -= 1
            if not chain.left:
                record(chain)

        def start_one_team(team, cid, k, cell, arrival, now, need, ref) -> None:
            """:func:`start` with one team and no live loyalty (the usual case; the need has rework)."""
            chain, i = ref
            team.account(now)
            team.busy += 1
            duration = need / team.speed
            wait = now - arrival
            chain.wait[i], chain.start[i], chain.end[i], chain.team[i] = wait, now, now + duration, team.index
            may = chain.extra.may_complain[i]
            if may and (may == 1 or wait > desired[k]):
                judge(team, cid, k, cell, arrival, now, wait, duration, chain.extra, i, i)
            else:
                timeout(duration).callbacks.append(team.done)
            chain.left -= 1
            if not chain.left:
                record(chain)

        return start_one_team if single and not live else start

    def _leave_unserved(self, cid: int, k: int, cell: int, arrival: float, left: float, outcome: int, ref: Any):
        chain, i = ref
        x: _Judging = chain.extra
        if outcome == ABANDONED:
            chain.wait[i] = left - arrival
        chain.outcome[i] = outcome
        if x.unserved_complains[i]:
            x.complained.append(i)
            now = self.env.now
            self.complaints.file(now, left, cid, k, cell, arrival, x, i, x.abandon.item(i), -1, 1.0)
        elif self.live_loyalty:
            self.complaints.book_before_customer(self.env.now)  # complaints whose handling has started come first
            x.returns[i] = self._loyalty(k, x, i, self._category(x.abandon.item(i)), -1, 1.0, left)
        chain.left -= 1
        if not chain.left:
            self._record(chain)

    def _abandon(self, cid: int, k: int, cell: int, arrival: float, deadline: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, arrival, deadline, ABANDONED, ref)

    def _balk(self, cid: int, k: int, cell: int, now: float, ref: Any) -> None:
        self._leave_unserved(cid, k, cell, now, now, BALKED, ref)

    def _finish(self) -> None:
        self.complaints.finish()

    def time_accounts(self) -> list[_Team]:
        return self.teams + self.complaints.desk.teams

    # -- loyalty -----------------------------------------------------------------------
    def _loyalty(self, k: int, x: _Judging, i: int, outcome: int, t: int, perceived: float, now: float) -> int:
        """Count the outcome for word of mouth; decide and book a return visit (1: it comes back)."""
        returns = 1 if x.u_return[i] < self.p_return[outcome] else 0
        self._book_outcome(k, x, i, outcome, t, perceived, now, returns)
        return returns

    def _book_outcome(
        self, k: int, x: _Judging, i: int, outcome: int, t: int, perceived: float, now: float, returns: int
    ) -> None:
        """Count a complaint's outcome for word of mouth; book the return it decided."""
        self.outcomes[k][outcome] += 1
        if returns:
            self._comes_back(k, x, i, t, perceived, now)

    def _comes_back(self, k: int, x: _Judging, i: int, t: int, perceived: float, now: float) -> int:
        """Book the return visit of a customer who will come back; return 1."""
        if self.multi_day and now < math.inf:
            # Expectations move toward what was perceived (team -1: only the wait was).
            expected = x.draws.expected[i]
            perceived_all = expected.copy()
            perceived_all[_RESPONSIVENESS] = perceived
            if t >= 0:
                perceived_all[_OTHERS] += x.experience.gaps[i, t]
            adapted = quality.adapted_expectations(expected, perceived_all, self.adaptation)
            day = self.day + max(1, math.ceil(x.draws.return_days[i]))
            self.demand.schedule_return(k, day, float(x.draws.u_return_time[i]), adapted, now)
        return 1

    def _day_started(self, day: int) -> None:
        if day == 0:
            return
        self.complaints.book(self.env.now)  # yesterday's complaints count for word of mouth
        for k, counts in enumerate(self.outcomes):
            factor = quality.demand_multiplier(self.demand.classes[k].multiplier, counts, self.word_of_mouth)
            self.demand.update_word_of_mouth(k, factor)
        for counts in self.outcomes:  # in place: the fast start path holds these lists
            counts[:] = [0, 0, 0, 0]
        self.day = day
