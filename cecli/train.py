"""Plain full-batch gradient descent, w <- w - lr * grad(loss)(w), as in the seed."""

from __future__ import annotations

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
    gradient_norm: float  # |grad| at the final weights

    @property
    def trained_loss(self) -> float:
        return self.losses[-1] if self.losses else self.initial_loss

    @property
    def steps(self) -> int:
        return len(self.losses)


# callback(step, weights, loss) runs after each step; it may not change anything.
StepCallback = Callable[[int, np.ndarray, float], None]


def gradient_descent(loss: Callable, w0: np.ndarray, lr: float, steps: int,
                     callback: StepCallback | None = None) -> TrainResult:
    """Run `steps` steps of w <- w - lr * grad(loss)(w) from w0."""
    loss_and_gradient = value_and_grad(loss)
    w = np.array(w0, dtype=np.float64)
    value, g = loss_and_gradient(w)
    initial, losses = float(value), []
    for step in range(1, steps + 1):
        w = w - lr * g
        value, g = loss_and_gradient(w)  # the loss comes with the gradient at no extra cost
        losses.append(float(value))
        if callback is not None:
            callback(step, w, float(value))
    return TrainResult(w, initial, tuple(losses), float(np.linalg.norm(g)))


def training_loss(data: Dataset, config: Config) -> Callable:
    """The loss of the weights alone, on this data with this config's sigmoid and reduction."""
    def loss(w):
        return model.loss(w, data.X, data.t, config.sigmoid, config.reduction)
    return loss


def train(data: Dataset, config: Config, callback: StepCallback | None = None) -> TrainResult:
    """Train the logistic model on data from w = 0, as configured."""
    return gradient_descent(training_loss(data, config), np.zeros(data.d), config.lr, config.steps, callback)
