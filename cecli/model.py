"""The logistic model and its losses, written as the formulas read.

p = sigmoid(X @ w) is the probability that an example's label is 1.
Two sigmoids are offered:

* ``tanh``:     0.5 * (tanh(z) + 1), the seed program's choice. It equals the
  logistic function at 2z, so its weights are half the usual logits.
* ``logistic``: 1 / (1 + exp(-z)), the textbook sigmoid.

The seed's loss, the negative log-likelihood of the labels, is
-sum(log(p*t + (1-p)*(1-t))); the cross-entropy is -sum(t log p + (1-t) log(1-p)).
For 0/1 labels they are the same number. Training uses the same loss written
from the logit a (p = logistic(a)): t*softplus(-a) + (1-t)*softplus(a), which
never rounds p to 0 or 1 before taking the log.
"""

from __future__ import annotations

import autograd.numpy as np
import numpy as onp

SIGMOIDS = ("tanh", "logistic")
REDUCTIONS = ("sum", "mean")

# The logit a with p = logistic(a), per unit of z = X @ w: tanh's sigmoid is logistic(2z).
LOGIT_SCALE = {"tanh": 2.0, "logistic": 1.0}


def tanh_sigmoid(z):
    """The seed's sigmoid 0.5*(tanh(z)+1), equal to logistic(2z)."""
    return 0.5 * (np.tanh(z) + 1)


def logistic_sigmoid(z):
    """The standard logistic function 1/(1+exp(-z))."""
    return 1 / (1 + np.exp(-z))


SIGMOID_FUNCTIONS = {"tanh": tanh_sigmoid, "logistic": logistic_sigmoid}


def predictions(w, X, sigmoid="tanh"):
    """Probability that each label is 1: (n,) from X (n, d) and w (d,)."""
    return SIGMOID_FUNCTIONS[sigmoid](np.dot(X, w))


def logits(w, X, sigmoid="tanh"):
    """The logit a of each example, p = logistic(a): (n,)."""
    return LOGIT_SCALE[sigmoid] * np.dot(X, w)


def label_probabilities(p, t):
    """Probability the model gives to each observed label: p if t = 1, 1-p if t = 0."""
    return p * t + (1 - p) * (1 - t)


def nll_terms(p, t):
    """The seed's per-example negative log-likelihood, -log(label probability)."""
    return -np.log(label_probabilities(p, t))


def cross_entropy_terms(p, t):
    """Per-example binary cross-entropy, -(t log p + (1-t) log(1-p))."""
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def softplus(x):
    """log(1 + exp(x)), finite for every finite x."""
    return np.logaddexp(0.0, x)


def stable_terms(a, t):
    """Per-example loss from logits: t*softplus(-a) + (1-t)*softplus(a), i.e. -log p^t (1-p)^(1-t)."""
    return t * softplus(-a) + (1 - t) * softplus(a)


def logistic_of_logit(a):
    """logistic(a) as exp(-softplus(-a)): no overflow, and relative accuracy even for tiny values."""
    return np.exp(-softplus(-a))


def nll_score_gradient(z, t, scale):
    """d/dz of Σ stable_terms(scale z, t) = scale * (logistic(a) - t), a = scale z: (n,); autograd-traceable.

    logistic(a) - t is written (1-t) logistic(a) - t logistic(-a): for a 0/1 label one term is
    exactly 0, so no digits cancel when p is near t.
    """
    a = scale * z
    return scale * ((1 - t) * logistic_of_logit(a) - t * logistic_of_logit(-a))


def reduce(total, n, reduction):
    """A summed loss, or its mean over n examples."""
    return total / n if reduction == "mean" else total


def loss(w, X, t, sigmoid="tanh", reduction="sum"):
    """The negative log-likelihood of the labels t (n,) under weights w (d,), from the logits.

    Written op by op for autograd; training computes the same in one pass (fused.LogisticNLL).
    """
    return reduce(np.sum(stable_terms(logits(w, X, sigmoid), t)), len(t), reduction)


def closed_form_gradient(w, X, t, sigmoid="tanh", reduction="sum"):
    """The gradient written by hand: scale * Xᵀ (p - t), i.e. 2 Xᵀ(p - t) for tanh: (d,)."""
    residual = nll_score_gradient(onp.dot(X, w), t, LOGIT_SCALE[sigmoid])
    return reduce(onp.dot(residual, X), len(t), reduction)


def closed_form_hvp(w, v, X, t, sigmoid="tanh", reduction="sum"):
    """The Hessian times v by hand: scale² Xᵀ diag(p (1-p)) X v: (d,)."""
    scale = LOGIT_SCALE[sigmoid]
    a = scale * onp.dot(X, w)
    curvature = scale * scale * logistic_of_logit(a) * logistic_of_logit(-a)
    return reduce(onp.dot(curvature * onp.dot(X, v), X), len(t), reduction)


def seed_loss(w, X, t, sigmoid="tanh", reduction="sum"):
    """The same loss in the seed's form, -sum(log(p*t + (1-p)*(1-t))): exact only away from saturation."""
    return reduce(np.sum(nll_terms(predictions(w, X, sigmoid), t)), len(t), reduction)


def accuracy(w, X, t, sigmoid="tanh"):
    """Fraction of examples whose label is the more probable one (p >= 1/2 means 1)."""
    return accuracy_of_scores(np.dot(X, w), t)


def accuracy_of_scores(z, t) -> float:
    """accuracy() from the scores z = X w: p >= 1/2 exactly when z >= 0, for both sigmoids."""
    return float(onp.mean((z >= 0) == (t >= 0.5)))


def separates(w, X, t) -> bool:
    """True when w puts every example strictly on its label's side: then the data are separable,
    scaling w up lowers the loss towards 0, and the maximum-likelihood estimate does not exist."""
    return separated_by(np.dot(X, w), t)


def separated_by(z, t) -> bool:
    """separates() from the scores z = X w."""
    return bool(onp.all((2 * t - 1) * z > 0))
