"""Training: the problem (design matrix, penalty), the holdout split, and the descent loop."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from autograd.core import make_vjp

from . import model
from .config import Config
from .data import Dataset
from .errors import ConfigError
from .fused import LogisticNLL
from .optimizers import make_rule
from .standardize import Standardization, fit_standardization, standardized

INTERCEPT = "(intercept)"


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What a run produced: the weights (d,), the loss before and after every step, and why it stopped."""

    weights: np.ndarray
    initial_loss: float
    losses: tuple[float, ...]  # losses[i] is the loss after step i + 1
    gradient_norm: float  # |grad| at the final weights (nan after a non-finite step)
    diverged_at: int | None = None  # first step whose loss was non-finite or above the initial loss
    stopped: str = "steps"  # steps, converged, patience, diverged or interrupted
    validation_losses: tuple[float, ...] = ()  # on the held-out rows, after each step
    initial_validation_loss: float | None = None

    @property
    def trained_loss(self) -> float:
        return self.losses[-1] if self.losses else self.initial_loss

    @property
    def steps(self) -> int:
        return len(self.losses)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def became_non_finite(self) -> bool:
        """Stopped at a step whose weights, loss or gradient was inf or nan (not in losses)."""
        return self.diverged and self.diverged_at == self.steps + 1


# callback(step, weights, loss, validation loss or None) runs after each step; it changes nothing.
StepCallback = Callable[[int, np.ndarray, float, "float | None"], None]


def descend(objective: Callable, w0: np.ndarray, rule, steps: int, tol: float = 0.0,
            callback: StepCallback | None = None, validation: Callable | None = None,
            patience: int = 0) -> TrainResult:
    """Apply rule up to `steps` times from w0; stop early at |grad| <= tol, at `patience` steps without
    a better validation loss, at non-finite values (divergence), or at Ctrl-C (interrupted)."""
    loss_and_gradient = value_and_gradient(objective)
    w = np.array(w0, dtype=np.float64)
    value, g = loss_and_gradient(w)
    initial, losses, checks = float(value), [], []
    initial_check = float(validation(w)) if validation else None
    best, since_best, stopped = initial_check, 0, "steps"

    def result(stopped, diverged_at=None, norm=None):
        return TrainResult(w, initial, tuple(losses), float(np.linalg.norm(g)) if norm is None else norm,
                           diverged_at, stopped, tuple(checks), initial_check)

    try:
        for step in range(1, steps + 1):
            if tol > 0 and np.linalg.norm(g) <= tol:
                return result("converged")
            with np.errstate(over="ignore", invalid="ignore"):  # caught just below, and reported
                w_next = rule(step, w, float(value), g)
            if not np.all(np.isfinite(w_next)):
                return result("diverged", step, math.nan)
            value_next, g_next = loss_and_gradient(w_next)  # the loss comes with the gradient for free
            if not (math.isfinite(value_next) and np.all(np.isfinite(g_next))):
                # keep the last finite weights and losses: nan and inf are never reported as results
                return result("diverged", step, math.nan)
            w, value, g = w_next, value_next, g_next
            losses.append(float(value))
            check = float(validation(w)) if validation else None
            if check is not None:
                checks.append(check)
                best, since_best = (check, 0) if check < best else (best, since_best + 1)
            if callback is not None:
                callback(step, w, float(value), check)
            if patience and since_best >= patience:
                return result("patience")
    except KeyboardInterrupt:
        return result("interrupted")
    if tol > 0 and np.linalg.norm(g) <= tol:
        stopped = "converged"
    rose = rose_above(initial, losses)
    return result("diverged" if rose else stopped, rose)


def value_and_gradient(objective: Callable) -> Callable:
    """w -> (objective(w), its gradient by autograd's reverse mode): autograd's value_and_grad,
    without the wrapping of the function that it redoes at every call (several µs a step)."""
    def evaluate(w):
        vjp, value = make_vjp(objective, w)
        return value, vjp(1.0)

    return evaluate


def rose_above(initial: float, losses: list[float]) -> int | None:
    """If the run ended above its initial loss, the first step whose loss did; else None."""
    if not losses or losses[-1] <= initial:
        return None
    return next(step for step, value in enumerate(losses, start=1) if value > initial)


@dataclass(frozen=True, eq=False)
class Problem:
    """The data as the model sees it, and the objective: NLL (+ the l2 penalty) of the weights."""

    data: Dataset
    config: Config

    @property
    def names(self) -> tuple[str, ...]:
        return self.data.names + ((INTERCEPT,) if self.config.intercept else ())

    @property
    def t(self) -> np.ndarray:
        return self.data.t

    @cached_property
    def X(self) -> np.ndarray:
        """The design matrix (n, d): X, with a column of ones appended when there is an intercept."""
        X = self.data.X
        return np.column_stack([X, np.ones(len(X))]) if self.config.intercept else X

    @cached_property
    def loss(self) -> LogisticNLL:
        """The NLL as one primitive; the intercept is added inside, so X is never copied."""
        c = self.config
        return LogisticNLL(self.data.X, self.data.t, c.sigmoid, c.reduction, c.intercept)

    def nll(self, w):
        return self.loss(w)

    def penalty(self, w):
        """l2/2 * |w|², the intercept left out."""
        features = w[:-1] if self.config.intercept else w
        return 0.5 * self.config.l2 * model.np.sum(features**2)

    def objective(self, w):
        return self.loss(w) + self.penalty(w) if self.config.l2 else self.loss(w)

    def penalized(self, v: np.ndarray) -> np.ndarray:
        """l2 * v with the intercept's entry zeroed: the penalty's gradient at v, and its Hessian times v."""
        out = self.config.l2 * v
        if self.config.intercept:
            out[-1] = 0.0
        return out

    def closed_form_gradient(self, w: np.ndarray) -> np.ndarray:
        """The objective's gradient by hand: scale Xᵀ(p - t) (/ n), plus the penalty's l2 w."""
        c = self.config
        return model.closed_form_gradient(w, self.X, self.t, c.sigmoid, c.reduction) + self.penalized(w)

    def closed_form_hvp(self, w: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The objective's Hessian times v by hand."""
        c = self.config
        return model.closed_form_hvp(w, v, self.X, self.t, c.sigmoid, c.reduction) + self.penalized(v)


def design(data: Dataset, config: Config) -> Problem:
    """The problem of fitting config's model to data."""
    return Problem(data, config)


@dataclass(frozen=True, eq=False)
class Prepared:
    """Training rows, held-out rows (or None), and the standardization fitted on the training rows."""

    train: Dataset
    valid: Dataset | None
    transform: Standardization | None


def prepare(data: Dataset, config: Config) -> Prepared:
    """Split off the holdout (seeded), then standardize both parts with the training rows' statistics."""
    train_rows, valid = data, None
    if config.holdout:
        order = np.random.default_rng(config.seed).permutation(data.n)
        n_valid = round(config.holdout * data.n)
        if not 1 <= n_valid < data.n:
            raise ConfigError(f"--holdout {config.holdout:g} of {data.n} rows leaves no rows for "
                              f"{'validation' if n_valid < 1 else 'training'}")
        pick = lambda rows: dataclasses.replace(data, X=data.X[np.sort(rows)], t=data.t[np.sort(rows)])  # noqa: E731
        train_rows, valid = pick(order[n_valid:]), pick(order[:n_valid])
    transform = fit_standardization(train_rows) if config.standardize else None
    if transform is not None:
        train_rows = standardized(train_rows, transform)
        valid = standardized(valid, transform) if valid is not None else None
    return Prepared(train_rows, valid, transform)


def initial_weights(d: int, config: Config) -> np.ndarray:
    """Zeros (the seed), or N(0, 0.01²) drawn from --seed."""
    if config.init == "zeros":
        return np.zeros(d)
    return 0.01 * np.random.default_rng(config.seed).standard_normal(d)


def training_loss(data: Dataset, config: Config) -> Callable:
    """The objective as a function of the weights alone: NLL (+ l2 penalty) on this data."""
    return design(data, config).objective


def fit(problem: Problem, callback: StepCallback | None = None, valid: Dataset | None = None) -> TrainResult:
    """Minimize the problem's objective as its config says; valid, if given, is scored after every step."""
    config = problem.config
    validation = design(valid, config).nll if valid is not None else None
    rule = make_rule(config.optimizer, config.lr, problem.objective)
    return descend(problem.objective, initial_weights(len(problem.names), config), rule, config.steps,
                   config.tol, callback, validation, config.patience)


def train(data: Dataset, config: Config, callback: StepCallback | None = None,
          valid: Dataset | None = None) -> TrainResult:
    """Train the logistic model on data as configured."""
    return fit(design(data, config), callback, valid)
