"""Gradient checks: autograd's gradient against central finite differences, and autograd's check_grads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from autograd import grad
from autograd.test_util import check_grads

from .errors import finite, finite_list

# Central differences err by about eps^2 * |f'''| (truncation) plus 1e-16 * |f| / eps (round-off);
# eps = 1e-6 keeps both near 1e-10 for losses of order 1 to 100.
DEFAULT_EPS = 1e-6
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-6


@dataclass(frozen=True)
class CoordinateCheck:
    """One coordinate of the gradient at one point, computed two ways."""

    point: int  # 0 is w = 0; 1.. are the random points
    index: int
    name: str
    autograd: float
    numeric: float
    abs_error: float
    rel_error: float
    passed: bool


@dataclass(frozen=True, eq=False)
class GradcheckResult:
    """Every coordinate checked, and what autograd's own check_grads said."""

    points: tuple[np.ndarray, ...]
    rows: tuple[CoordinateCheck, ...]
    check_grads_failures: tuple[str, ...]  # one message per point where check_grads failed
    eps: float
    rtol: float
    atol: float
    seed: int

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows) and not self.check_grads_failures

    @property
    def max_rel_error(self) -> float:
        return max((row.rel_error for row in self.rows), default=0.0)

    @property
    def max_abs_error(self) -> float:
        return max((row.abs_error for row in self.rows), default=0.0)

    def as_dict(self) -> dict:
        """The verdict and every row as plain data."""
        return {
            "passed": self.passed, "max_rel_error": finite(self.max_rel_error),
            "max_abs_error": finite(self.max_abs_error), "eps": self.eps, "rtol": self.rtol,
            "atol": self.atol, "seed": self.seed, "points": [finite_list(w) for w in self.points],
            "rows": [{"point": r.point, "feature": r.name, "autograd": finite(r.autograd),
                      "numeric": finite(r.numeric), "abs_error": finite(r.abs_error),
                      "rel_error": finite(r.rel_error), "passed": r.passed} for r in self.rows],
            "check_grads_failures": list(self.check_grads_failures),
        }


def central_difference(f: Callable, w: np.ndarray, eps: float) -> np.ndarray:
    """(f(w + eps e_j) - f(w - eps e_j)) / (2 eps) for each coordinate j: (d,)."""
    out = np.empty_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = eps
        out[j] = (f(w + step) - f(w - step)) / (2 * eps)
    return out


def relative_error(a: float, b: float) -> float:
    """|a - b| / max(|a|, |b|), and 0 when both are 0."""
    scale = max(abs(a), abs(b))
    return abs(a - b) / scale if scale > 0 else 0.0


def check_points(d: int, n_random: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """w = 0 and n_random standard normal points, drawn from rng."""
    return (np.zeros(d),) + tuple(rng.standard_normal(d) for _ in range(n_random))


def run_check_grads(loss: Callable, w: np.ndarray, seed: int) -> str | None:
    """autograd's check_grads (rev and fwd, order 2) at w; None if it passes, else its message."""
    # check_grads draws its random directions from the global numpy generator: seed it.
    np.random.seed(seed)
    try:
        check_grads(loss, modes=["rev", "fwd"], order=2)(w)
    except AssertionError as e:
        return str(e).strip() or "check_grads failed (mismatched shape or dtype)"
    return None


def gradcheck(loss: Callable, names: tuple[str, ...], n_random: int = 3, seed: int = 0,
              eps: float = DEFAULT_EPS, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
              gradient: Callable | None = None) -> GradcheckResult:
    """Check gradient (autograd's by default) of loss at w = 0 and n_random seeded points."""
    gradient = gradient or grad(loss)
    points = check_points(len(names), n_random, np.random.default_rng(seed))
    rows, failures = [], []
    for k, w in enumerate(points):
        analytic, numeric = gradient(w), central_difference(loss, w, eps)
        for j, name in enumerate(names):
            a, b = float(analytic[j]), float(numeric[j])
            error = abs(a - b)
            rows.append(CoordinateCheck(k, j, name, a, b, error, relative_error(a, b),
                                        bool(error <= atol + rtol * abs(b))))
        message = run_check_grads(loss, w, seed + k)
        if message is not None:
            failures.append(f"point {k}: {message}")
    return GradcheckResult(points, tuple(rows), tuple(failures), eps, rtol, atol, seed)
