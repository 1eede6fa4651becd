"""Plain full-batch gradient descent, w <- w - lr * grad(loss)(w), as in the seed."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from autograd import value_and_grad

from . import model
from .config import Config
from .data import Dataset


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What a run produced: weights (d,), the loss before and after every step."""

    weights: np.ndarray
    initial_loss: float
    losses: tuple[float, ...]  # losses[i] is the loss after step i + 1
    gradient_norm: float  # |grad| at the final weights (nan after a non-finite step)
    diverged_at: int | None = None  # first step whose loss was non-finite or above the initial loss

    @property
    def trained_loss(self) -> float:
        return self.losses[-1] if self.losses else self.initial_loss

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def became_non_finite(self) -> bool:
        """Stopped at a step whose loss or gradient was inf or nan (that loss is not in losses)."""
        return self.diverged and self.diverged_at == self.steps + 1

    @property
    def steps(self) -> int:
        return len(self.losses)


# callback(step, weights, loss) runs after each step; it may not change anything.
StepCallback = Callable[[int, np.ndarray, float], None]


def gradient_descent(loss: Callable, w0: np.ndarray, lr: float, steps: int,
                     callback: StepCallback | None = None) -> TrainResult:
    """Run `steps` steps of w <- w - lr * grad(loss)(w) from w0; stop at non-finite weights, loss or gradient."""
    loss_and_gradient = value_and_grad(loss)
    w = np.array(w0, dtype=np.float64)
    value, g = loss_and_gradient(w)
    initial, losses = float(value), []
    for step in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # caught on the next line, and reported
            w_next = w - lr * g
        if not np.all(np.isfinite(w_next)):
            return TrainResult(w, initial, tuple(losses), math.nan, diverged_at=step)
        value, g = loss_and_gradient(w_next)  # the loss comes with the gradient at no extra cost
        if not (math.isfinite(value) and np.all(np.isfinite(g))):
            # keep the last finite weights and losses: nan and inf are never reported as results
            return TrainResult(w, initial, tuple(losses), math.nan, diverged_at=step)
        w = w_next
        losses.append(float(value))
        if callback is not None:
            callback(step, w, float(value))
    return TrainResult(w, initial, tuple(losses), float(np.linalg.norm(g)), rose_above(initial, losses))


def rose_above(initial: float, losses: list[float]) -> int | None:
    """If the run ended above its initial loss, the first step whose loss did; else None."""
    if not losses or losses[-1] <= initial:
        return None
    return next(step for step, value in enumerate(losses, start=1) if value > initial)


def training_loss(data: Dataset, config: Config) -> Callable:
    """The loss of the weights alone, on this data with this config's sigmoid and reduction."""
    def loss(w):
        return model.loss(w, data.X, data.t, config.sigmoid, config.reduction)
    return loss


def train(data: Dataset, config: Config, callback: StepCallback | None = None) -> TrainResult:
    """Train the logistic model on data from w = 0, as configured."""
    return gradient_descent(training_loss(data, config), np.zeros(data.d), config.lr, config.steps, callback)
