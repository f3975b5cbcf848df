"""Distribution specifications and their samplers; named random streams.

A distribution in a scenario file is a small mapping such as
``{dist: lognormal, mean: 6, cv: 0.8}``. Each spec is a frozen pydantic model that
knows its mean (for the analytic layer) and draws NumPy batches from a
``numpy.random.Generator`` passed in by the caller (never a module-level RNG).

Random streams are derived from one integer seed by ``numpy.random.SeedSequence``
keyed by replication, a stable hash of the customer class name and a purpose, so the
same seed gives the same customers whatever the staffing, the number of classes or
the process that runs the replication (common random numbers).
"""

from __future__ import annotations

import math
import zlib
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simsvc.bounds import MAX_MINUTES, Between

__all__ = [
    "DISTRIBUTION_NAMES",
    "Deterministic",
    "DistributionSpec",
    "Empirical",
    "Erlang",
    "Exponential",
    "Gamma",
    "Lognormal",
    "Triangular",
    "Uniform",
    "stream",
]

Minutes = float
"""A duration in minutes."""

_PositiveMinutes = Annotated[float, Between(0, MAX_MINUTES, low_open=True)]
_Duration = Annotated[float, Between(0, MAX_MINUTES)]
_Cv = Annotated[float, Between(0.01, 100, why="below 0.01 use a deterministic distribution")]


class _Spec(BaseModel):
    # ``mean_`` (the Python name of ``mean``) is accepted too, so ``model_dump()`` loads back; a
    # spec is checked again wherever it is used (a copy made without validation cannot slip in).
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, revalidate_instances="always", allow_inf_nan=False
    )

    @property
    def mean(self) -> Minutes:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        """Draw ``n`` values (minutes) as a float64 array."""
        raise NotImplementedError

    def survival(self, x: float) -> float:  # pragma: no cover
        """``P(X > x)``, exactly (the loyalty model needs the share of returns still due)."""
        raise NotImplementedError


class Exponential(_Spec):
    """Memoryless durations: the M in M/M/c."""

    dist: Literal["exponential"]
    mean_: _PositiveMinutes = Field(alias="mean")

    @property
    def mean(self) -> Minutes:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_, n)

    def survival(self, x: float) -> float:
        return 1.0 if x < 0 else math.exp(-x / self.mean_)


class Deterministic(_Spec):
    """A fixed duration (hand-computable test cases, scripted services)."""

    dist: Literal["deterministic"]
    value: _Duration

    @property
    def mean(self) -> Minutes:
        return self.value

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)

    def survival(self, x: float) -> float:
        return 1.0 if x < self.value else 0.0


class Uniform(_Spec):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: _Duration
    high: _Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high (={self.high}) must be >= low (={self.low})")
        return self

    @property
    def mean(self) -> Minutes:
        return (self.low + self.high) / 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def survival(self, x: float) -> float:
        if x < self.low:
            return 1.0
        if x >= self.high:
            return 0.0
        return (self.high - x) / (self.high - self.low)


class Triangular(_Spec):
    """Triangular on ``[low, high]`` with the given mode: a common elicited estimate."""

    dist: Literal["triangular"]
    low: _Duration
    mode: _Duration
    high: _Duration

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(f"need low <= mode <= high and low < high (got {self.low}, {self.mode}, {self.high})")
        return self

    @property
    def mean(self) -> Minutes:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    def survival(self, x: float) -> float:
        a, c, b = self.low, self.mode, self.high
        if x <= a:
            return 1.0
        if x >= b:
            return 0.0
        if x <= c:
            return 1.0 - (x - a) ** 2 / ((b - a) * (c - a))
        return (b - x) ** 2 / ((b - a) * (b - c))


class Lognormal(_Spec):
    """Lognormal given by its mean and coefficient of variation (typical of service times)."""

    dist: Literal["lognormal"]
    mean_: _PositiveMinutes = Field(alias="mean")
    cv: _Cv

    @property
    def mean(self) -> Minutes:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean_) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)

    def survival(self, x: float) -> float:
        if x <= 0:
            return 1.0
        sigma2 = math.log1p(self.cv**2)
        mu = math.log(self.mean_) - sigma2 / 2
        return 0.5 * math.erfc((math.log(x) - mu) / math.sqrt(2 * sigma2))


class Gamma(_Spec):
    """Gamma given by its mean and coefficient of variation."""

    dist: Literal["gamma"]
    mean_: _PositiveMinutes = Field(alias="mean")
    cv: _Cv

    @property
    def mean(self) -> Minutes:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, n)

    def survival(self, x: float) -> float:
        shape = 1 / self.cv**2
        return _gamma_survival(shape, self.mean_ / shape, x)


class Erlang(_Spec):
    """Erlang-k: the sum of ``k`` exponential phases, with the given overall mean."""

    dist: Literal["erlang"]
    mean_: _PositiveMinutes = Field(alias="mean")
    k: Annotated[int, Between(1, 1000, why="beyond, it is all but deterministic")]

    @property
    def mean(self) -> Minutes:
        return self.mean_

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(self.k, self.mean_ / self.k, n)

    def survival(self, x: float) -> float:
        return _gamma_survival(self.k, self.mean_ / self.k, x)


class Empirical(_Spec):
    """Resampling (with replacement) of observed durations, e.g. from a system log."""

    dist: Literal["empirical"]
    samples: Annotated[tuple[_Duration, ...], Field(min_length=1)]

    @property
    def mean(self) -> Minutes:
        return float(np.mean(self.samples))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(np.asarray(self.samples, dtype=float), n)

    def survival(self, x: float) -> float:
        return float(np.mean(np.asarray(self.samples) > x))


def _gamma_survival(shape: float, scale: float, x: float) -> float:
    """``P(X > x)`` of a gamma distribution (the regularised upper incomplete gamma function)."""
    if x <= 0:
        return 1.0
    from scipy.special import gammaincc  # lazily: nothing heavy at import time

    return float(gammaincc(shape, x / scale))


DistributionSpec = Annotated[
    Union[Exponential, Deterministic, Uniform, Triangular, Lognormal, Gamma, Erlang, Empirical],
    Field(discriminator="dist"),
]
"""Any supported distribution, chosen by its ``dist`` field."""

DISTRIBUTION_NAMES: frozenset[str] = frozenset(
    cls.model_fields["dist"].annotation.__args__[0]
    for cls in (Exponential, Deterministic, Uniform, Triangular, Lognormal, Gamma, Erlang, Empirical)
)

Purpose = Literal[
    "arrivals", "service", "patience", "routing", "quality", "returns", "loyalty", "channel", "overnight"
]
_PURPOSES: dict[str, int] = {
    "arrivals": 0, "service": 1, "patience": 2, "routing": 3, "quality": 4, "returns": 5, "loyalty": 6,
    "channel": 7, "overnight": 8,
}  # fmt: skip


def stream(seed: int, replication: int, name: str, purpose: Purpose) -> np.random.Generator:
    """Return the random stream for one purpose of one named entity in one replication.

    The key uses a CRC-32 of ``name`` rather than a position, so adding a class or
    reordering teams leaves every other class's customers unchanged.
    """
    key = (replication, zlib.crc32(name.encode("utf-8")), _PURPOSES[purpose])
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
