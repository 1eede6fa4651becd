"""The chain likelihood -> log-likelihood -> NLL -> cross-entropy, evaluated on real numbers.

    likelihood      Π p^t (1-p)^(1-t)        the examples are independent
    log-likelihood  Σ log p^t (1-p)^(1-t)    log is increasing: same maximizer
    NLL             -Σ log(p t + (1-p)(1-t)) a minus sign: maximizing becomes minimizing
    cross-entropy   -Σ t log p + (1-t) log(1-p)   for t in {0, 1} the same terms as the NLL
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from autograd import grad

from . import model
from .errors import finite, finite_list


@dataclass(frozen=True, eq=False)
class LossComparison:
    """Every form of the loss at one weight vector, in total and per example (n,)."""

    weights: np.ndarray
    targets: np.ndarray
    logits: np.ndarray  # a, with p = logistic(a)
    p: np.ndarray  # probability of label 1
    likelihood_terms: np.ndarray  # p^t (1-p)^(1-t)
    nll_terms: np.ndarray  # the seed's -log(p*t + (1-p)*(1-t))
    ce_terms: np.ndarray  # -(t log p + (1-t) log(1-p))
    stable_terms: np.ndarray  # the cross-entropy from logits, as training computes it

    @property
    def likelihood(self) -> float:
        """Product of the per-example terms: independence makes the joint probability a product."""
        return float(np.prod(self.likelihood_terms))

    @property
    def underflow_at(self) -> int | None:
        """1-based example at which the running product first rounds to 0.0 though no term is 0."""
        running = np.cumprod(self.likelihood_terms)
        zero = np.flatnonzero((running == 0) & (np.cumsum(self.likelihood_terms == 0) == 0))
        return int(zero[0]) + 1 if zero.size else None

    @property
    def log_likelihood(self) -> float:
        """Σ log of the terms, taken from the stable form: exact even where the product underflows."""
        return -self.stable

    @property
    def nll(self) -> float:
        return float(np.sum(self.nll_terms))

    @property
    def cross_entropy(self) -> float:
        return float(np.sum(self.ce_terms))

    @property
    def stable(self) -> float:
        return float(np.sum(self.stable_terms))

    @property
    def difference(self) -> float:
        """NLL minus cross-entropy: 0 for 0/1 targets."""
        return self.nll - self.cross_entropy

    @property
    def ulps(self) -> np.ndarray:
        """|NLL term - CE term| in units in the last place of the larger (nan where either is not finite)."""
        a, b = self.nll_terms, self.ce_terms
        with np.errstate(invalid="ignore"):
            return np.abs(a - b) / np.spacing(np.maximum(np.abs(a), np.abs(b)))

    def flags(self, rtol: float = 1e-12) -> list[str]:
        """Per example, where the seed's naive forms fail: inf, nan, or digits lost against the stable form."""
        out = []
        for nll, ce, exact, t in zip(self.nll_terms, self.ce_terms, self.stable_terms, self.targets, strict=True):
            problems = []
            # the seed's NLL form computes another quantity for soft labels: compare it only for 0/1
            for name, term, comparable in (("NLL", nll, t in (0, 1)), ("CE", ce, True)):
                if not np.isfinite(term):
                    problems.append(f"{name} {term}")
                elif comparable and abs(term - exact) > rtol * abs(exact):
                    problems.append(f"{name} inexact")
            out.append(", ".join(problems))
        return out

    @property
    def equal_in_float64(self) -> bool:
        """NLL and CE totals are the same finite number."""
        return bool(np.isfinite(self.nll) and self.nll == self.cross_entropy)

    def top(self, k: int | None) -> np.ndarray:
        """Indices of the k examples with the largest loss terms, largest first (all, in order, for None)."""
        if k is None or k >= len(self.p):
            return np.arange(len(self.p))
        return np.argsort(-self.stable_terms, kind="stable")[:k]

    def as_dict(self) -> dict:
        """Totals and per-example terms as plain data, non-finite values as None."""
        flags = self.flags()
        return {
            "weights": finite_list(self.weights), "likelihood": finite(self.likelihood),
            "underflow_at": self.underflow_at, "log_likelihood": finite(self.log_likelihood),
            "nll": finite(self.nll), "cross_entropy": finite(self.cross_entropy), "stable_nll": finite(self.stable),
            "difference": finite(self.difference), "flagged": sum(bool(f) for f in flags),
            "examples": [{"target": float(self.targets[i]), "logit": finite(self.logits[i]), "p": finite(self.p[i]),
                          "likelihood": finite(self.likelihood_terms[i]), "nll": finite(self.nll_terms[i]),
                          "cross_entropy": finite(self.ce_terms[i]), "stable_nll": finite(self.stable_terms[i]),
                          "ulps": finite(self.ulps[i]), "flag": flags[i] or None} for i in range(len(self.p))],
        }


def compare_losses(w: np.ndarray, X: np.ndarray, t: np.ndarray, sigmoid: str = "tanh") -> LossComparison:
    """Every form of the loss of weights w (d,) on X (n, d), t (n,)."""
    # The seed's naive forms may meet log(0) and 0*log(0) at saturation; that is shown, not hidden.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        p = model.predictions(w, X, sigmoid)
        a = model.logits(w, X, sigmoid)
        return LossComparison(
            weights=np.asarray(w, dtype=np.float64), targets=t, logits=a, p=p,
            likelihood_terms=p**t * (1 - p) ** (1 - t),
            nll_terms=model.nll_terms(p, t), ce_terms=model.cross_entropy_terms(p, t),
            stable_terms=model.stable_terms(a, t),
        )


@dataclass(frozen=True, eq=False)
class GradientComparison:
    """autograd's gradient (d,) of each form of the loss at one weight vector."""

    nll: np.ndarray  # of the seed's -Σ log(p t + (1-p)(1-t))
    cross_entropy: np.ndarray  # of -Σ t log p + (1-t) log(1-p)
    stable: np.ndarray  # of the loss training uses

    @property
    def max_difference(self) -> float:
        """max |∇NLL - ∇CE| (nan where a naive gradient is not finite)."""
        return float(np.max(np.abs(self.nll - self.cross_entropy)))

    def as_dict(self) -> dict:
        return {"nll": finite_list(self.nll), "cross_entropy": finite_list(self.cross_entropy),
                "stable": finite_list(self.stable), "max_difference": finite(self.max_difference)}


def compare_gradients(w, X, t, sigmoid: str = "tanh") -> GradientComparison:
    """autograd's gradients of the NLL form, the CE form and the stable form at w."""
    def ce(w):
        return model.np.sum(model.cross_entropy_terms(model.predictions(w, X, sigmoid), t))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return GradientComparison(grad(model.seed_loss)(w, X, t, sigmoid), grad(ce)(w),
                                  grad(model.loss)(w, X, t, sigmoid))


@dataclass(frozen=True)
class Baselines:
    """What the trained loss is measured against, in nats (sums over n examples)."""

    n: int
    uniform: float  # n ln 2: every p = 1/2, as at w = 0
    constant: float  # n H(mean t): the best single probability for every example
    trained: float

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo-R²: the share of the best constant model's loss that the model removes."""
        return 1 - self.trained / self.constant if self.constant > 0 else math.nan

    def as_dict(self, unit: float = 1.0) -> dict:
        return {"uniform": self.uniform / unit, "constant": self.constant / unit, "trained": self.trained / unit,
                "pseudo_r2": finite(self.pseudo_r2)}


def entropy(q: float) -> float:
    """Binary entropy H(q) in nats, with H(0) = H(1) = 0."""
    return -sum(x * math.log(x) for x in (q, 1 - q) if x > 0)


def baselines(t: np.ndarray, trained: float) -> Baselines:
    n = len(t)
    return Baselines(n, n * math.log(2), n * entropy(float(np.mean(t))), trained)
