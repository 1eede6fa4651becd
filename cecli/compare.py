"""The chain likelihood -> log-likelihood -> NLL -> cross-entropy, evaluated on real numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model
from .errors import finite, finite_list


@dataclass(frozen=True, eq=False)
class LossComparison:
    """Every form of the loss at one weight vector, in total and per example (n,)."""

    weights: np.ndarray
    targets: np.ndarray
    p: np.ndarray  # probability of label 1
    likelihood_terms: np.ndarray  # p^t (1-p)^(1-t), the probability of the observed label
    nll_terms: np.ndarray  # the seed's -log(p*t + (1-p)*(1-t))
    ce_terms: np.ndarray  # -(t log p + (1-t) log(1-p))
    stable_terms: np.ndarray  # the same from logits, as training computes it

    @property
    def likelihood(self) -> float:
        """Product of the per-example terms: independence makes the joint probability a product."""
        return float(np.prod(self.likelihood_terms))

    @property
    def log_likelihood(self) -> float:
        """Sum of log terms; log is increasing, so maximizing it maximizes the likelihood."""
        with np.errstate(divide="ignore"):
            return float(np.sum(np.log(self.likelihood_terms)))

    @property
    def nll(self) -> float:
        return float(np.sum(self.nll_terms))

    @property
    def cross_entropy(self) -> float:
        return float(np.sum(self.ce_terms))

    @property
    def stable(self) -> float:
        return float(np.sum(self.stable_terms))

    def flags(self, rtol: float = 1e-12) -> list[str]:
        """Per example, where the seed's naive forms fail: inf, nan, or digits lost against the stable form."""
        out = []
        for nll, ce, exact in zip(self.nll_terms, self.ce_terms, self.stable_terms, strict=True):
            problems = []
            for name, term in (("NLL", nll), ("CE", ce)):
                if not np.isfinite(term):
                    problems.append(f"{name} {term}")
                elif abs(term - exact) > rtol * abs(exact):
                    problems.append(f"{name} inexact")
            out.append(", ".join(problems))
        return out

    @property
    def equal_in_float64(self) -> bool:
        """NLL and CE totals are the same finite number."""
        return bool(np.isfinite(self.nll) and self.nll == self.cross_entropy)

    @property
    def difference(self) -> float:
        """NLL minus cross-entropy: 0 for 0/1 targets."""
        return self.nll - self.cross_entropy


    def as_dict(self) -> dict:
        """Totals and per-example terms as plain data, non-finite values as None."""
        return {
            "weights": finite_list(self.weights), "likelihood": finite(self.likelihood),
            "log_likelihood": finite(self.log_likelihood), "nll": finite(self.nll),
            "cross_entropy": finite(self.cross_entropy), "stable_nll": finite(self.stable),
            "difference": finite(self.difference), "flagged": sum(bool(f) for f in self.flags()),
            "examples": [{"target": float(t), "p": finite(p), "likelihood": finite(lik), "nll": finite(nll),
                          "cross_entropy": finite(ce), "stable_nll": finite(exact), "flag": flag or None}
                         for t, p, lik, nll, ce, exact, flag in zip(
                             self.targets, self.p, self.likelihood_terms, self.nll_terms, self.ce_terms,
                             self.stable_terms, self.flags(), strict=True)],
        }


def compare_losses(w: np.ndarray, X: np.ndarray, t: np.ndarray, sigmoid: str = "tanh") -> LossComparison:
    """Every form of the loss of weights w (d,) on X (n, d), t (n,)."""
    # The seed's naive forms may meet log(0) and 0*log(0) at saturation; that is shown, not hidden.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = model.predictions(w, X, sigmoid)
        return LossComparison(
            weights=np.asarray(w, dtype=np.float64),
            targets=t,
            p=p,
            likelihood_terms=model.label_probabilities(p, t),
            nll_terms=model.nll_terms(p, t),
            ce_terms=model.cross_entropy_terms(p, t),
            stable_terms=model.stable_terms(model.logits(w, X, sigmoid), t),
        )
