"""How the engine judges customers: the pure functions of :mod:`simsvc.quality`, a batch at a time.

A customer's judgement is complete when its service starts (its wait and server are then
known) or when it leaves unserved. The only judgement the run needs at that moment is whether
the customer complains (its complaint enters the desk); everything else is computed with the
batch once all of its customers are done (:meth:`Judging.columns`).

That one decision needs no formula in the hot path either. A served customer's gap falls as its
wait grows (:func:`simsvc.quality.perceived_responsiveness` never rises with the wait), so a
customer who voices complaints complains exactly when its wait exceeds a *tolerance*: the
longest wait at which its gap is not yet below the dissatisfied line. The tolerance of each
customer and team is found when the batch is created, by bisection on the bits of the wait with
the same functions (exact to the last bit, in a few vectorised steps), so the engine compares
one number, and its decisions are those of the pure functions by construction
(``tests/test_judgement_matches_quality.py`` checks them customer by customer).
"""

from __future__ import annotations

import numpy as np

from simsvc import quality
from simsvc.scenario.models import Scenario
from simsvc.sim.demand import Batch
from simsvc.sim.experience import experience, of_team

__all__ = ["Judge", "Judging"]

_NEAR = np.array([-1e-12, -1e-15, 0.0, 1e-15, 1e-12])  # regula falsi: its guess and points each side, relative
# (on the linear curve the guess is within a few ulps: the bracket of 1e-15 leaves bisection 4 steps, not 14)
_CLOSE = 1 << 16  # bracket width, in ulps, from which bisection takes over


class Judge:
    """A scenario's judgement rules, per class (the functions of :mod:`simsvc.quality` with its numbers)."""

    def __init__(self, scenario: Scenario):
        q, comp, loyal = scenario.quality, scenario.complaints, scenario.loyalty
        classes = scenario.customer_classes
        promise = (q.promise_level, q.promise_wait_effect)
        self.scenario = scenario
        self.desired = np.array([c.expectations.desired_wait for c in classes])
        self.adequate = np.array(
            [quality.adequate_wait_after_promise(c.expectations.adequate_wait, *promise) for c in classes]
        )
        self.weight = np.array([c.expectations.weights.responsiveness for c in classes])
        self.curve = q.responsiveness_curve
        self.hi, self.lo = q.delighted_above, q.dissatisfied_below
        self.p_voice = comp.voice_probability
        self.p_return = np.array(loyal.return_probability.as_tuple()) if loyal else np.zeros(4)

    def perceived(self, wait: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Perceived responsiveness after ``wait`` of customers of classes ``k``."""
        return quality.perceived_responsiveness(wait, self._of(self.desired, k), self._of(self.adequate, k), self.curve)

    def served_gap(self, base: np.ndarray, k: np.ndarray, perceived: np.ndarray) -> np.ndarray:
        """A served customer's weighted gap: its other dimensions' (``base``) plus responsiveness's."""
        return base + self._of(self.weight, k) * perceived

    @staticmethod
    def _of(values: np.ndarray, k: np.ndarray) -> np.ndarray:
        """Each customer's entry of a per-class array; with one class its one value (broadcast, no gather)."""
        return values[0] if len(values) == 1 else values[k]

    def tolerance(self, base: np.ndarray, k: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """The longest wait after which each customer's gap is not below the dissatisfied line.

        ``base``, ``k`` and ``wanted`` are flat (one entry per customer and team). Customers
        who are dissatisfied after no wait get -inf, those never dissatisfied +inf, those not
        ``wanted`` (who never complain) NaN.
        """
        lo = self.lo
        never = self.served_gap(base, k, np.ones_like(base)) >= lo  # not even after the worst wait
        always = self.served_gap(base, k, np.full_like(base, 7.0)) < lo  # even after no wait
        tol = np.where(never, np.inf, -np.inf)
        tol[~wanted] = np.nan
        (rows,) = np.nonzero(wanted & ~never & ~always)
        if not len(rows):
            return tol
        tol[rows] = self._boundary(base[rows], k[rows])
        return tol

    def _boundary(self, base: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The largest wait at which each customer is not dissatisfied (it is just after it).

        Regula falsi narrows the bracket (on the linear curve one step lands within a few
        ulps), checking its guess and two points each side (1e-15 and 1e-12 away, relative);
        bisection on the bits of the wait (non-negative doubles order as their bits) then
        finds the boundary exactly, whatever bracket it starts from. Every
        point is judged with :meth:`perceived` and :meth:`served_gap`, so the boundary is that
        of the pure functions whatever the curve.
        """
        lo, base2 = self.lo, base[:, None]
        k2 = k[:, None]

        def gap(wait: np.ndarray) -> np.ndarray:
            return self.served_gap(base2, k2, self.perceived(wait, k2))

        # Not dissatisfied at ``low`` (the desired wait: perceived 7); dissatisfied at ``high``
        # (beyond both the desired and the worst wait: perceived 1).
        low = self.desired[k]
        high = np.maximum(np.nextafter(low, np.inf), 2.0 * self.adequate[k])
        for _ in range(4):
            g = gap(np.stack([low, high], axis=1)) - lo
            guess = low + (high - low) * (g[:, 0] / (g[:, 0] - g[:, 1]))
            points = np.clip(guess[:, None] * (1.0 + _NEAR), low[:, None], high[:, None])
            dissatisfied = gap(points) < lo
            low = np.maximum(low, np.where(dissatisfied, -np.inf, points).max(axis=1))
            high = np.minimum(high, np.where(dissatisfied, points, np.inf).min(axis=1))
            if (high.view(np.int64) - low.view(np.int64)).max() < _CLOSE:
                break
        low_bits, high_bits = low.view(np.int64), high.view(np.int64)
        while True:
            open_ = high_bits - low_bits > 1
            if not open_.any():
                return low_bits.view(np.float64)
            mid = low_bits + (high_bits - low_bits) // 2
            dissatisfied = gap(mid.view(np.float64)[:, None])[:, 0] < lo
            high_bits = np.where(dissatisfied, mid, high_bits)
            low_bits = np.where(dissatisfied, low_bits, mid)


class Judging:
    """A batch's experience, and the decisions its customers took during the run.

    Lists and bytes serve the per-customer hot path, arrays the rest. Flat per customer ``i``
    and team ``t`` at ``i * teams + t``. Complaining is the one decision taken per customer
    (:mod:`simsvc.sim.complaint_desk`); the batch's judgements are computed by
    :meth:`columns` once all of its customers have been served or have left.
    """

    __slots__ = (
        "abandon", "complained", "draws", "experience", "judge", "klass", "may_complain", "need", "returning",
        "tolerance", "unserved_complains",
    )  # fmt: skip

    def __init__(self, judge: Judge, batch: Batch):
        assert batch.draws is not None
        x = experience(judge.scenario, batch.klass, batch.need, batch.draws)
        self.judge, self.experience, self.draws = judge, x, batch.draws
        self.klass, self.returning = batch.klass, batch.returning
        self.need = x.need.ravel().tolist()  # service needs with rework, per customer and team
        self.abandon = x.abandon_gap
        self.complained: list[int] = []  # who complained (few: a list of them, not a flag each)
        # A served customer complains when its wait exceeds its tolerance (with the team that
        # serves it) and it voices complaints: 0 never, 1 after any wait, 2 after its tolerance
        # (``tolerance``, read for those only). Bytes: small integers without a float object each.
        voice = batch.draws.u_voice < judge.p_voice
        teams = x.base.shape[1]
        k = np.repeat(batch.klass, teams)
        tolerance = judge.tolerance(x.base.ravel(), k, np.repeat(voice, teams))
        may = tolerance < np.inf  # NaN: does not voice complaints
        self.may_complain = np.where(may, np.where(tolerance == -np.inf, 1, 2), 0).astype(np.uint8).tobytes()
        self.tolerance = tolerance
        # Whether a customer who leaves unserved complains (dissatisfied, and says so).
        dissatisfied = quality.category(x.abandon_gap, judge.hi, judge.lo) == quality.DISSATISFIED
        self.unserved_complains = (dissatisfied & voice).tobytes()

    def judged(self, i: np.ndarray, team: np.ndarray, wait: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gap and perceived responsiveness of customers ``i`` (``team`` -1: left unserved, perceived 1)."""
        judge, k = self.judge, self.klass[i]
        served = team >= 0
        perceived = np.where(served, judge.perceived(np.where(served, wait, 0.0), k), 1.0)
        base = of_team(self.experience.base[i], team)
        gap = np.where(served, judge.served_gap(base, k, perceived), self.abandon[i])
        return gap, perceived

    def columns(self, wait: np.ndarray, team: np.ndarray, loyal: bool) -> list[np.ndarray]:
        """The judgement columns of the finished batch, in :data:`QUALITY_FIELDS` order.

        ``wait`` and ``team`` are the batch's record columns (``team`` -1: not served).
        """
        judge, k = self.judge, self.klass
        team = team.astype(np.int64)
        gap, perceived = self.judged(np.arange(len(k)), team, wait)
        complained = np.zeros(len(k), dtype=bool)
        complained[self.complained] = True
        category = np.where(complained, quality.DISSATISFIED, quality.category(gap, judge.hi, judge.lo))
        if not loyal:
            returns = np.full(len(k), np.nan)  # not modelled
        else:  # complainers decide when their complaint is handled
            returns = (~complained & (self.draws.u_return < judge.p_return[category])).astype(np.float64)
        return [
            gap, category.astype(np.float64), complained.astype(np.float64), returns, perceived,
            self.returning.astype(np.float64),
        ]  # fmt: skip
