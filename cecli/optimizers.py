"""Update rules: each maps (step, w, loss, gradient) to the next w. The loop in train.py runs them.

The formulas follow autograd.misc.optimizers (sgd with momentum, adam); the loop is cecli's own
because it needs the loss at every step, a stopping tolerance, holdout and divergence checks,
which autograd's optimizers (callback(x, i, g), no loss, no early stop) do not offer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from autograd import hessian

Rule = Callable[[int, np.ndarray, float, np.ndarray], np.ndarray]


def gradient_descent(lr: float) -> Rule:
    """The seed's plain step: w - lr * g."""
    return lambda step, w, value, g: w - lr * g


def momentum(lr: float, mass: float = 0.9) -> Rule:
    """Heavy ball, as autograd's sgd: v <- mass v - (1 - mass) g; w <- w + lr v."""
    velocity = None

    def rule(step, w, value, g):
        nonlocal velocity
        velocity = -(1 - mass) * g if velocity is None else mass * velocity - (1 - mass) * g
        return w + lr * velocity

    return rule


def adam(lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Rule:
    """Adam (Kingma and Ba), as autograd's adam: bias-corrected first and second moments."""
    m = v = None

    def rule(step, w, value, g):
        nonlocal m, v
        m = (1 - b1) * g if m is None else (1 - b1) * g + b1 * m
        v = (1 - b2) * g**2 if v is None else (1 - b2) * g**2 + b2 * v
        m_hat, v_hat = m / (1 - b1**step), v / (1 - b2**step)
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)

    return rule


def newton(objective: Callable, shrink: float = 0.5, armijo: float = 1e-4) -> Rule:
    """Newton's method: solve H d = -g with autograd's Hessian, then backtrack until the loss drops enough."""
    hess = hessian(objective)

    def rule(step, w, value, g):
        H = hess(w)
        try:
            d = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:  # singular Hessian (e.g. separable data): least squares instead
            d = np.linalg.lstsq(H, -g, rcond=None)[0]
        if not np.dot(g, d) < 0:  # not a descent direction: fall back to the gradient
            d = -g
        # near the optimum the predicted decrease drops below the loss's rounding: count that as met
        slack = 4 * np.finfo(float).eps * abs(value)
        t = 1.0
        while t > 1e-12 and not objective(w + t * d) <= value + armijo * t * np.dot(g, d) + slack:
            t *= shrink
        return w + t * d

    return rule


def make_rule(name: str, lr: float, objective: Callable) -> Rule:
    """The update rule called name; lr is the step size of all but newton (which takes full steps)."""
    return {"gd": lambda: gradient_descent(lr), "momentum": lambda: momentum(lr),
            "adam": lambda: adam(lr), "newton": lambda: newton(objective)}[name]()
