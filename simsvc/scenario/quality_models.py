"""Scenario blocks of the service-quality model: expectations to costs.

See ``shared/domain/SERVICE_QUALITY.md`` and the README. Every coefficient is a field
with a documented default; scores are on the 1-7 SERVQUAL Likert scale, times in
minutes, probabilities in [0, 1].
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from simsvc.bounds import MAX_MINUTES, MAX_MONEY, Between
from simsvc.distributions import DistributionSpec, Exponential
from simsvc.scenario.base import Frozen, Staffed

__all__ = [
    "DIMENSIONS",
    "CATEGORIES",
    "Complaints",
    "ComplaintTeam",
    "Costs",
    "Expectations",
    "Loyalty",
    "OutcomeShares",
    "Outcomes",
    "Probability",
    "QualityModel",
    "ReturnProbabilities",
    "Score",
    "Scores",
    "Weights",
]

DIMENSIONS = ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
"""The five SERVQUAL dimensions, in the order used in arrays."""
CATEGORIES = ("delighted", "satisfied", "dissatisfied")

Score = Annotated[float, Between(1, 7)]
"""A SERVQUAL score on the 1-7 Likert scale."""
Probability = Annotated[float, Between(0, 1)]
"""A probability or a share."""
Points = Annotated[float, Between(0, 6)]
"""A non-negative number of points on the 1-7 scale (a spread, a bonus): at most its width."""
Gap = Annotated[float, Between(-6, 6, why="a weighted gap on the 1-7 scale lies in [-6, 6]")]
"""A weighted gap between perception and expectation."""
Minutes = Annotated[float, Between(0, MAX_MINUTES)]
PositiveMinutes = Annotated[float, Between(0, MAX_MINUTES, low_open=True)]
Money = Annotated[float, Between(0, MAX_MONEY)]


class Scores(Frozen):
    """A score per SERVQUAL dimension (1-7)."""

    reliability: Score = 6.0
    responsiveness: Score = 5.5
    assurance: Score = 5.5
    empathy: Score = 5.0
    tangibles: Score = 5.0

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, d) for d in DIMENSIONS)


class Weights(Frozen):
    """Importance of each dimension to a class; they must sum to 1."""

    reliability: Probability = 0.30
    responsiveness: Probability = 0.25
    assurance: Probability = 0.20
    empathy: Probability = 0.15
    tangibles: Probability = 0.10

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = sum(self.as_tuple())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"weights must sum to 1 (they sum to {total:g})")
        return self

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, d) for d in DIMENSIONS)


class Expectations(Frozen):
    """What a class expects: scores per dimension, their weights, a zone of tolerance.

    A wait up to ``desired_wait`` feels perfect; from twice the ``adequate_wait`` on,
    responsiveness is perceived as the worst.
    """

    mean: Scores = Scores()
    sd: Points = Field(0.7, description="Spread of expectations between customers (points, 0 to 6).")
    weights: Weights = Weights()
    desired_wait: Minutes = 1.0
    adequate_wait: PositiveMinutes = 6.0

    @model_validator(mode="after")
    def _zone(self) -> Expectations:
        if self.adequate_wait <= self.desired_wait:
            raise ValueError(
                f"adequate_wait (={self.adequate_wait:g}) must exceed desired_wait (={self.desired_wait:g})"
            )
        return self


class QualityModel(Frozen):
    """How service is perceived and judged.

    The defaults are calibrated (``tests/test_quality_behaviour.py::test_calibration_defaults``)
    so that a typically staffed operation (``scenarios/bank_branch.yaml``, 95 % served within
    5 minutes) leaves about a quarter of customers dissatisfied, as source 003 reports:
    a customer is dissatisfied when the weighted gap is negative (service fell short of
    expectations) and delighted when it exceeds them by 0.6 points or more.
    """

    enabled: bool = True
    promise_level: Probability = Field(0.0, description="0 = modest promises, 1 = bold marketing.")
    promise_effect: Points = Field(1.0, description="Points added to every expectation at promise 1 (0 to 6).")
    promise_wait_effect: Probability = Field(0.5, description="adequate_wait shrinks by this share at promise 1.")
    promise_demand_effect: Annotated[float, Between(0, 10)] = Field(
        0.2, description="New demand grows by this share at promise 1 (0 to 10)."
    )
    perception_noise: Points = Field(0.6, description="Service-to-service variability (sd, points, 0 to 6).")
    reliable_score: Score = Field(6.0, description="Reliability perceived when nothing went wrong.")
    failure_score: Score = Field(2.0, description="Reliability perceived after a service failure.")
    rework_probability: Probability = Field(
        0.0, description="Share of failures needing a second service (its service time again)."
    )
    tangibles: Score = Field(5.0, description="The site's facilities as customers perceive them.")
    responsiveness_curve: Literal["linear", "logistic"] = "linear"
    satisfaction_slope: Annotated[float, Between(0.01, 100)] = Field(
        2.0, description="Logistic slope of score vs gap (0.01 to 100)."
    )
    delighted_above: Gap = Field(0.6, description="Weighted gap at or above which a customer is delighted (-6 to 6).")
    dissatisfied_below: Gap = Field(0.0, description="Weighted gap below which a customer is dissatisfied (-6 to 6).")

    @property
    def promise_demand_multiplier(self) -> float:
        """Factor on new-customer demand from the promise level (bold promises attract customers)."""
        return 1.0 + self.promise_demand_effect * self.promise_level

    @model_validator(mode="after")
    def _thresholds(self) -> QualityModel:
        if self.dissatisfied_below >= self.delighted_above:
            raise ValueError("dissatisfied_below must be below delighted_above")
        if self.failure_score > self.reliable_score:
            raise ValueError("failure_score must not exceed reliable_score")
        return self


class ComplaintTeam(Staffed):
    """A back-office team handling complaints, on its own shifts (any hours of the day)."""


class Complaints(Frozen):
    """Voice, the complaint queue and service recovery."""

    teams: tuple[ComplaintTeam, ...] = Field((), description="Who handles complaints; none: all unresolved.")
    voice_probability: Probability = Field(0.3, description="Share of dissatisfied customers who complain.")
    handling_time: DistributionSpec = Exponential(dist="exponential", mean=20.0)
    recovery_decay_minutes: PositiveMinutes = Field(
        2880.0, description="Recovery success falls as exp(-time to resolution / this)."
    )
    paradox: Points = Field(0.0, description="Gap bonus after a successful recovery (recovery paradox; 0 to 6).")
    sla_minutes: PositiveMinutes = Field(1440.0, description="Resolution-time target.")
    cost_per_complaint: Money = Field(0.0, description="Material cost of handling (vouchers, post).")


_Effect = Annotated[float, Between(-10, 10, why="a change of demand per unit share of customers")]


class Outcomes(Frozen):
    """A value per loyalty outcome (``unresolved``: a complaint that was not recovered), -10 to 10."""

    delighted: _Effect
    satisfied: _Effect
    dissatisfied: _Effect
    unresolved: _Effect

    def as_tuple(self) -> tuple[float, ...]:
        return (self.delighted, self.satisfied, self.dissatisfied, self.unresolved)


class _OutcomeProbabilities(Outcomes):
    """A number in [0, 1] per loyalty outcome."""

    delighted: Probability
    satisfied: Probability
    dissatisfied: Probability
    unresolved: Probability


class ReturnProbabilities(_OutcomeProbabilities):
    """Probability of coming back per outcome."""


class OutcomeShares(_OutcomeProbabilities):
    """Shares of customers per loyalty outcome; they sum to 1."""

    @model_validator(mode="after")
    def _sum_to_one(self) -> OutcomeShares:
        total = sum(self.as_tuple())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1 (they sum to {total:g})")
        return self


class Loyalty(Frozen):
    """Return visits and word of mouth: opt-in (a scenario without ``loyalty`` has neither).

    **How loyalty relates to the declared demand.** A planner's forecast (``arrivals``)
    already contains returning customers. It is read as the *total* demand, new and
    returning customers together, when customers leave with the ``reference`` outcome
    mix. Of that total, the share ``R = sum(reference * return_probability)`` are returning
    customers at the reference (:func:`simsvc.quality.return_share`). So new customers
    arrive at ``(1 - R)`` times the declared rate, times the word-of-mouth factor;
    customers who came before the horizon return at ``R * P(delay > day)`` times it
    (:func:`simsvc.sim.demand` draws both from one Poisson stream); and customers served
    within the horizon come back as themselves, with adapted expectations. When the
    outcomes equal the reference, the expected arrivals equal the declared demand on
    every day; a better mix raises demand above it, a worse one lowers it (the KPI
    ``demand_change``). Word of mouth moves tomorrow's new demand by
    ``sum(word_of_mouth * (share - reference))``: nothing at the reference.
    """

    return_probability: ReturnProbabilities = ReturnProbabilities(
        delighted=0.6, satisfied=0.3, dissatisfied=0.1, unresolved=0.02
    )
    return_after_days: DistributionSpec = Field(
        Exponential(dist="exponential", mean=7.0),
        description="Days until a returning customer comes back (at least the next day).",
    )
    adaptation: Probability = Field(0.3, description="Weight of the last perception in next expectations.")
    word_of_mouth: Outcomes = Field(
        Outcomes(delighted=0.08, satisfied=0.0, dissatisfied=-0.08, unresolved=-0.3),
        description="Change of tomorrow's new demand per unit share of today's customers with this outcome, "
        "measured from the reference share.",
    )
    reference: OutcomeShares = Field(
        OutcomeShares(delighted=0.25, satisfied=0.50, dissatisfied=0.20, unresolved=0.05),
        description="Outcome mix at which the declared demand holds (new and returning customers together); "
        "the default is the quarter of customers dissatisfied that source 003 reports.",
    )


class Costs(Frozen):
    """Money: training amortisation and the value of a lost customer."""

    training_amortization_days: Annotated[float, Between(1, 100_000)] = Field(
        250.0, description="Working days over which one-off training costs are spread (1 to 100,000)."
    )
    lost_customer_value: Money = Field(
        0.0,
        description="Value of a customer who does not come back (KPI lost_customer_value; not an operating cost).",
    )
