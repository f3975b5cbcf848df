"""Input analysis of a contact log: service-time families by maximum likelihood, patience under censoring.

Service times are fitted in each family simsvc can simulate that suits a positive duration
(exponential, Erlang-k, gamma, lognormal; see :mod:`simsvc.distributions`) by maximum
likelihood with :mod:`scipy.stats`, ranked by AIC, with the Kolmogorov–Smirnov statistic as a
goodness-of-fit check and confidence intervals from the observed information (delta method on
log mean and log cv).

Patience is censored: a caller answered after waiting ``w`` would have waited at least ``w``.
The exponential MLE is then *abandonments / total time waited* (every caller's wait counts as
exposure); the naive mean of the observed abandonment times is biased low, because only the
impatient are seen to hang up. The Kaplan–Meier curve (statsmodels) shows the survival of
patience without assuming a family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FamilyFit", "PatienceFit", "fit_patience", "fit_service_times", "fragments", "kaplan_meier"]


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted by maximum likelihood.

    Attributes:
        spec: the distribution in the scenario file format (``{"dist": ..., "mean": ..., ...}``).
        log_likelihood, aic: at the MLE (AIC = 2 parameters - 2 log-likelihood).
        ks_statistic, ks_pvalue: Kolmogorov–Smirnov distance of the sample from the fit; the
            p-value is conservative, the parameters being estimated from the same sample.
        ci: ``{parameter: (low, high)}`` at ``confidence`` for ``mean`` and ``cv`` (not ``k``).
        n: the durations fitted.
    """

    spec: dict[str, Any]
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float
    ci: dict[str, tuple[float, float]]
    n: int

    @property
    def family(self) -> str:
        return str(self.spec["dist"])

    def frozen(self) -> Any:
        """The fitted distribution as a frozen :mod:`scipy.stats` object (for Q-Q plots)."""
        return _frozen(self.family, self.spec["mean"], self.spec.get("cv"), self.spec.get("k"))


def _frozen(family: str, mean: float, cv: float | None = None, k: int | None = None) -> Any:
    """The scipy distribution of a simsvc spec given by mean and cv (or Erlang k)."""
    from scipy import stats

    if family == "exponential":
        return stats.expon(scale=mean)
    if family == "erlang":
        return stats.gamma(k, scale=mean / k)
    if family == "gamma":
        return stats.gamma(1 / cv**2, scale=mean * cv**2)
    if family == "lognormal":
        sigma2 = math.log1p(cv**2)
        return stats.lognorm(math.sqrt(sigma2), scale=mean * math.exp(-sigma2 / 2))
    raise ValueError(f"no fit for family {family!r}")


def _loglik(x: np.ndarray, family: str, log_mean: float, log_cv: float = 0.0, k: int | None = None) -> float:
    return float(np.sum(_frozen(family, math.exp(log_mean), math.exp(log_cv), k).logpdf(x)))


def _hessian(f: Any, theta: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of ``f`` at ``theta`` (for the observed information)."""
    n = len(theta)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            e_i, e_j = np.eye(n)[i] * step, np.eye(n)[j] * step
            out[i, j] = out[j, i] = (
                f(theta + e_i + e_j) - f(theta + e_i - e_j) - f(theta - e_i + e_j) + f(theta - e_i - e_j)
            ) / (4 * step * step)
    return out


def _fit_one(x: np.ndarray, family: str, confidence: float) -> FamilyFit:
    from scipy import stats

    mean, k = float(np.mean(x)), None
    if family == "exponential":
        theta = np.array([math.log(mean)])
    elif family in ("gamma", "erlang"):
        shape, _, scale = stats.gamma.fit(x, floc=0)
        if family == "erlang":
            # For a fixed k the MLE of the mean is the sample mean; k is the better of the integers around the shape.
            k = max(
                {max(1, math.floor(shape)), max(1, math.ceil(shape))},
                key=lambda m: _loglik(x, "erlang", math.log(mean), k=m),
            )
            theta = np.array([math.log(mean)])
        else:
            theta = np.array([math.log(shape * scale), -0.5 * math.log(shape)])
    else:
        logs = np.log(x)
        mu, sigma = float(np.mean(logs)), float(np.std(logs))
        theta = np.array([mu + sigma**2 / 2, 0.5 * math.log(math.expm1(sigma**2))])

    def loglik(t: np.ndarray) -> float:
        return _loglik(x, family, t[0], t[1] if len(t) > 1 else 0.0, k)

    ll = loglik(theta)
    cov = np.linalg.inv(-_hessian(loglik, theta))
    z = _z(confidence)
    half = z * np.sqrt(np.diag(cov))
    names = ["mean", "cv"][: len(theta)]
    ci = {p: (math.exp(theta[i] - half[i]), math.exp(theta[i] + half[i])) for i, p in enumerate(names)}
    spec: dict[str, Any] = {"dist": family, "mean": _round(math.exp(theta[0]))}
    if family in ("gamma", "lognormal"):
        spec["cv"] = _round(math.exp(theta[1]))
    if k is not None:
        spec["k"] = int(k)
    fitted = _frozen(family, math.exp(theta[0]), math.exp(theta[1]) if len(theta) > 1 else None, k)
    ks = stats.kstest(x, fitted.cdf)
    n_params = len(theta) + (1 if family == "erlang" else 0)
    return FamilyFit(spec, ll, 2 * n_params - 2 * ll, float(ks.statistic), float(ks.pvalue), ci, len(x))


def _z(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2))


def _round(value: float) -> float:
    """Four significant digits: what a scenario file needs, without spurious precision."""
    return float(f"{value:.4g}")


FAMILIES = ("exponential", "erlang", "gamma", "lognormal")
"""The simsvc families fitted to service times (uniform, triangular and deterministic do not suit logs)."""


def fit_service_times(durations: np.ndarray, confidence: float = 0.95) -> list[FamilyFit]:
    """Fit every family of :data:`FAMILIES` to positive durations (minutes); best AIC first.

    Raises:
        ValueError: fewer than 10 positive durations.
    """
    x = np.asarray(durations, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if len(x) < 10:
        raise ValueError(f"need at least 10 positive handling times to fit, got {len(x)}")
    return sorted((_fit_one(x, f, confidence) for f in FAMILIES), key=lambda f: f.aic)


@dataclass(frozen=True)
class PatienceFit:
    """Patience from waits and abandonments, with the censoring of answered calls.

    Attributes:
        mean: exponential MLE with censoring (total time waited / abandonments), minutes.
        ci: its confidence interval (normal on log mean, standard error 1 / sqrt(abandonments)).
        naive_mean: mean of the observed abandonment times (biased low; for comparison).
        abandonments, calls, exposure: the counts and total minutes waited behind the estimate.
        families: ``(spec, AIC)`` of exponential, gamma and lognormal patience fitted with the
            same censoring (gamma and lognormal by :mod:`scipy.stats` on ``CensoredData``), best
            AIC first; a check of the exponential assumption of Erlang A.
    """

    mean: float
    ci: tuple[float, float]
    naive_mean: float
    abandonments: int
    calls: int
    exposure: float
    families: tuple[tuple[dict[str, Any], float], ...] = ()

    @property
    def spec(self) -> dict[str, Any]:
        """The ``patience`` block: the exponential MLE, unless another family's AIC is lower by more than 2.

        Within 2 AIC points the simpler model is as well supported (Burnham and Anderson), and
        exponential patience is what Erlang A assumes.
        """
        aic = {spec["dist"]: value for spec, value in self.families}
        if self.families and self.families[0][1] < aic["exponential"] - 2:
            return dict(self.families[0][0])
        return {"dist": "exponential", "mean": _round(self.mean)}


def fit_patience(wait: np.ndarray, abandoned: np.ndarray, confidence: float = 0.95) -> PatienceFit:
    """Exponential patience from every call's wait and whether it was abandoned (censored MLE).

    Raises:
        ValueError: no call was abandoned (patience cannot be estimated, only bounded below).
    """
    wait, abandoned = np.asarray(wait, dtype=float), np.asarray(abandoned, dtype=bool)
    events, exposure = int(abandoned.sum()), float(wait.sum())
    if events == 0:
        raise ValueError("no call was abandoned: patience has no estimate (every caller waited it out)")
    mean = exposure / events
    half = _z(confidence) / math.sqrt(events)
    ci = (mean * math.exp(-half), mean * math.exp(half))
    families = _censored_families(wait, abandoned)
    return PatienceFit(mean, ci, float(wait[abandoned].mean()), events, len(wait), exposure, families)


def _censored_families(wait: np.ndarray, abandoned: np.ndarray) -> tuple[tuple[dict[str, Any], float], ...]:
    """Exponential, gamma and lognormal patience by censored MLE, with their AIC, best first.

    Zero waits are left out of every family alike: an answered call that did not wait says
    nothing about patience, and an abandonment at 0 (a rounded time) has no gamma or lognormal
    density. Fewer than 20 abandonments: the exponential only.
    """
    from scipy import stats

    events, censored = wait[abandoned & (wait > 0)], wait[~abandoned & (wait > 0)]
    if len(events) == 0:
        return ()

    def aic(family: str, mean: float, cv: float | None, n_params: int) -> float:
        dist = _frozen(family, mean, cv)
        return 2 * n_params - 2 * float(dist.logpdf(events).sum() + dist.logsf(censored).sum())

    exp_mean = float((events.sum() + censored.sum()) / len(events))
    out = [({"dist": "exponential", "mean": _round(exp_mean)}, aic("exponential", exp_mean, None, 1))]
    if len(events) >= 20:
        data = stats.CensoredData(uncensored=events, right=censored)
        with np.errstate(all="ignore"):
            shape, _, scale = stats.gamma.fit(data, floc=0)
            sigma, _, median = stats.lognorm.fit(data, floc=0)
        for family, mean, cv in (
            ("gamma", shape * scale, 1 / math.sqrt(shape)),
            ("lognormal", median * math.exp(sigma**2 / 2), math.sqrt(math.expm1(sigma**2))),
        ):
            if math.isfinite(mean) and math.isfinite(cv) and mean > 0 and cv > 0:
                out.append(({"dist": family, "mean": _round(mean), "cv": _round(cv)}, aic(family, mean, cv, 2)))
    return tuple(sorted(out, key=lambda f: f[1]))


def kaplan_meier(wait: np.ndarray, abandoned: np.ndarray, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier survival of patience (statsmodels ``SurvfuncRight``) at each abandonment time.

    Returns:
        Columns ``time`` (minutes), ``survival`` and its pointwise interval ``low``, ``high``
        (Greenwood's standard error on the log-log scale, which keeps the bounds in [0, 1]).
    """
    import pandas as pd
    from statsmodels.duration.survfunc import SurvfuncRight

    km = SurvfuncRight(np.asarray(wait, dtype=float), np.asarray(abandoned, dtype=int))
    surv, se = np.asarray(km.surv_prob), np.asarray(km.surv_prob_se)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _z(confidence) * se / (surv * np.abs(np.log(surv)))
    low, high = surv ** np.exp(half), surv ** np.exp(-half)
    return pd.DataFrame({"time": km.surv_times, "survival": surv, "low": low, "high": high})


def fragments(service: FamilyFit, patience: PatienceFit | None) -> dict[str, Any]:
    """The ``service_time`` and ``patience`` blocks of a customer class, as the file format has them."""
    out: dict[str, Any] = {"service_time": dict(service.spec)}
    if patience is not None:
        out["patience"] = patience.spec
    return out
