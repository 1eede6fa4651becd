"""Gradient checks: reverse mode, forward mode and the closed form against central finite differences,
optionally Hessian-vector products too, and autograd's own check_grads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from autograd import grad, hessian_tensor_product, make_jvp
from autograd.test_util import check_grads

from .errors import finite, finite_list

# Central differences err by about eps² |f'''| (truncation) plus 1e-16 |f| / eps (round-off):
# eps = 1e-6 keeps both near 1e-10 for losses of order 1 to 100 (see --sweep-eps).
DEFAULT_EPS = 1e-6
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-6
SWEEP = tuple(10.0**-k for k in range(1, 13))
METHODS = ("reverse", "forward", "closed form")


@dataclass(frozen=True)
class CoordinateCheck:
    """One coordinate of the gradient (or of H v) at one point, computed every way."""

    kind: str  # "gradient" or "hvp"
    point: int  # 0 is w = 0; 1.. are the random points
    index: int
    name: str
    values: dict  # method -> value; the methods of METHODS that were computed
    numeric: float  # central finite difference
    abs_error: float  # max |method - numeric|
    rel_error: float  # abs_error / max(|numeric|, |reverse|)
    passed: bool

    @property
    def reverse(self) -> float:
        return self.values["reverse"]

    def describe(self) -> str:
        """Which method missed, where, with both values."""
        worst = max(self.values, key=lambda m: abs(self.values[m] - self.numeric))
        what = "gradient" if self.kind == "gradient" else "Hessian-vector product"
        return (f"{what} at point {self.point}, {self.name}: {worst} gives {self.values[worst]:.12g}, "
                f"the finite difference {self.numeric:.12g} (relative error {self.rel_error:.2g})")


@dataclass(frozen=True, eq=False)
class GradcheckResult:
    """Every coordinate checked, the eps sweep, and what autograd's check_grads said."""

    points: tuple[np.ndarray, ...]
    rows: tuple[CoordinateCheck, ...]
    check_grads_failures: tuple[str, ...]
    sweep: tuple[tuple[float, float], ...]  # (eps, max |finite difference - reverse|)
    eps: float
    rtol: float
    atol: float
    seed: int
    order: int

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.rows) and not self.check_grads_failures

    @property
    def max_rel_error(self) -> float:
        return max((row.rel_error for row in self.rows), default=0.0)

    @property
    def max_abs_error(self) -> float:
        return max((row.abs_error for row in self.rows), default=0.0)

    @property
    def best_eps(self) -> float | None:
        return min(self.sweep, key=lambda pair: pair[1])[0] if self.sweep else None

    def failures(self) -> list[str]:
        return [row.describe() for row in self.rows if not row.passed] + list(self.check_grads_failures)

    def as_dict(self) -> dict:
        """The verdict and every row as plain data."""
        return {
            "passed": self.passed, "max_rel_error": finite(self.max_rel_error),
            "max_abs_error": finite(self.max_abs_error), "eps": self.eps, "rtol": self.rtol,
            "atol": self.atol, "seed": self.seed, "order": self.order,
            "points": [finite_list(w) for w in self.points],
            "rows": [{"kind": r.kind, "point": r.point, "feature": r.name,
                      **{m.replace(" ", "_"): finite(v) for m, v in r.values.items()},
                      "numeric": finite(r.numeric), "abs_error": finite(r.abs_error),
                      "rel_error": finite(r.rel_error), "passed": r.passed} for r in self.rows],
            "check_grads_failures": list(self.check_grads_failures), "failures": self.failures(),
            "sweep": [{"eps": e, "max_abs_error": finite(err)} for e, err in self.sweep],
            "best_eps": self.best_eps,
        }


def central_difference(f: Callable, w: np.ndarray, eps: float, direction: np.ndarray | None = None):
    """(f(w + eps e) - f(w - eps e)) / (2 eps) along each coordinate e_j (d,), or along one direction."""
    if direction is not None:
        return (np.asarray(f(w + eps * direction)) - np.asarray(f(w - eps * direction))) / (2 * eps)
    out = np.empty_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = eps
        out[j] = (f(w + step) - f(w - step)) / (2 * eps)
    return out


def forward_gradient(f: Callable, w: np.ndarray) -> np.ndarray:
    """The gradient by forward mode: one Jacobian-vector product per coordinate (d,)."""
    jvp = make_jvp(f)(w)
    return np.array([jvp(e)[1] for e in np.eye(w.size)])


def relative_error(error: float, a: float, b: float) -> float:
    """error / max(|a|, |b|), and 0 when both are 0 and so is the error."""
    scale = max(abs(a), abs(b))
    return error / scale if scale > 0 else (0.0 if error == 0 else np.inf)


def check_points(d: int, n_random: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """w = 0 and n_random standard normal points, drawn from rng."""
    return (np.zeros(d),) + tuple(rng.standard_normal(d) for _ in range(n_random))


def run_check_grads(loss: Callable, w: np.ndarray, seed: int, order: int) -> str | None:
    """autograd's check_grads (rev and fwd) at w; None if it passes, else its message."""
    np.random.seed(seed)  # check_grads draws its random directions from numpy's global generator
    try:
        check_grads(loss, modes=["rev", "fwd"], order=order)(w)
    except AssertionError as e:
        return str(e).strip().replace("\n", " ") or "mismatched shape or dtype"
    return None


def coordinate_rows(kind, k, names, values: dict, numeric, rtol, atol) -> list[CoordinateCheck]:
    rows = []
    for j, name in enumerate(names):
        vals = {m: float(v[j]) for m, v in values.items()}
        b = float(numeric[j])
        error = max(abs(v - b) for v in vals.values())
        passed = all(abs(v - b) <= atol + rtol * abs(b) for v in vals.values())
        rows.append(CoordinateCheck(kind, k, j, name, vals, b, error,
                                    relative_error(error, b, vals["reverse"]), bool(passed)))
    return rows


def gradcheck(loss: Callable, names: tuple[str, ...], n_random: int = 3, seed: int = 0,
              eps: float = DEFAULT_EPS, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
              order: int = 1, closed_form: Callable | None = None, closed_form_hvp: Callable | None = None,
              gradient: Callable | None = None, hvp: Callable | None = None, sweep: bool = False):
    """Check loss's gradient (and with order 2 its Hessian-vector products) at w = 0 and seeded points.

    gradient and hvp replace autograd's reverse mode (to test the checker); closed_form(w) and
    closed_form_hvp(w, v) add the hand-derived forms to the comparison.
    """
    rng = np.random.default_rng(seed)
    reverse = gradient or grad(loss)
    reverse_hvp = hvp or hessian_tensor_product(loss)
    points = check_points(len(names), n_random, rng)
    rows, failures = [], []
    for k, w in enumerate(points):
        values = {"reverse": reverse(w), "forward": forward_gradient(loss, w)}
        if closed_form is not None:
            values["closed form"] = closed_form(w)
        rows += coordinate_rows("gradient", k, names, values, central_difference(loss, w, eps), rtol, atol)
        if order >= 2:
            v = rng.standard_normal(len(names))
            products = {"reverse": reverse_hvp(w, v), "forward": make_jvp(grad(loss))(w)(v)[1]}
            if closed_form_hvp is not None:
                products["closed form"] = closed_form_hvp(w, v)
            numeric = central_difference(reverse, w, eps, direction=v)
            rows += coordinate_rows("hvp", k, names, products, numeric, rtol, atol)
        message = run_check_grads(loss, w, seed + k, order)
        if message is not None:
            failures.append(f"autograd's check_grads at point {k}: {message}")
    where = points[1] if len(points) > 1 else points[0]
    errors = tuple((e, float(np.max(np.abs(central_difference(loss, where, e) - reverse(where)))))
                   for e in SWEEP) if sweep else ()
    return GradcheckResult(points, tuple(rows), tuple(failures), errors, eps, rtol, atol, seed, order)
