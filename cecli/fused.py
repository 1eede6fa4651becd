"""The training loss and its gradient in one pass over X, as a single autograd primitive.

    value     Σ_i -log p(label_i)  (or its mean), p = logistic(a), a = scale * (X w [+ b])
    gradient  scale * Xᵀ r,  r = logistic(a) - t

Rows are taken in blocks of BLOCK, so each block of X is read from memory once and stays in
cache while both X_b w and r_b X_b are formed, and every temporary is a short vector that numpy
reuses instead of mapping fresh pages each step. The forward pass computes the gradient too and
keeps it for autograd's backward pass, so a training step reads X once. Derivatives of higher
order (Hessians for newton, check_grads at order 2) go through an autograd-traceable form.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
from autograd.extend import defjvp, defvjp, primitive

from .model import LOGIT_SCALE, nll_score_gradient

# Rows per block: about 4 MB of X, so a block read for X_b w is still in cache for r_b X_b; at least
# 4096 rows, so that each BLAS call is long enough to pay its set-up; at most 16384, so the vector
# temporaries stay small. (Measured on 2 cores: 1,000,000 x 20 and 100,000 x 200.)
BLOCK_BYTES, MIN_ROWS, MAX_ROWS = 1 << 22, 4096, 16384


def softplus_and_logistic(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(softplus(m), logistic(m)) for a vector m, from one exp each; accurate for every finite m.

    softplus(m) = max(m, 0) + log1p(exp(-|m|)), and logistic(m) = exp(m - softplus(m)), whose
    relative error stays at rounding level even where logistic(m) is tiny.
    """
    L = np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m)))
    return L, np.exp(m - L)


class LogisticNLL:
    """The loss of weights w on fixed data: call it with w; autograd differentiates it."""

    def __init__(self, X: np.ndarray, t: np.ndarray, sigmoid: str = "tanh", reduction: str = "sum",
                 intercept: bool = False, block: int | None = None):
        self.X, self.t, self.intercept = X, t, intercept
        self.block = block or min(MAX_ROWS, max(MIN_ROWS, BLOCK_BYTES // (8 * max(X.shape[1], 1))))
        self.scale = LOGIT_SCALE[sigmoid]
        self.divisor = float(len(t)) if reduction == "mean" else 1.0
        self.binary = bool(np.all((t == 0) | (t == 1)))
        if self.binary:  # -log p(label) = softplus(m), m = -s a with s = +1 for label 1, -1 for label 0
            signs = 2.0 * t - 1.0
            self.m_per_z = -self.scale * signs  # m = m_per_z * z, z = X w (+ b)
            self.r_per_logistic = -signs * self.scale / self.divisor  # dloss/dz = r_per_logistic * logistic(m)
        self.memo = (None, None)  # (w, gradient) of the last forward pass

    def __call__(self, w):
        return fused_nll(w, self)

    def value_and_gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and its gradient (len(w),), one block of rows at a time."""
        d, n = self.X.shape[1], len(self.t)
        weights, bias = (w[:d], w[d]) if self.intercept else (w, None)
        if n <= self.block:  # one block: no loop, no accumulators (this is most of a small step's cost)
            value, gradient, bias_gradient = self.block_terms(slice(None), self.contiguous(self.X), weights, bias)
        else:
            value, gradient, bias_gradient = 0.0, np.zeros(d), 0.0
            for start in range(0, n, self.block):
                rows = slice(start, start + self.block)
                v, g, b = self.block_terms(rows, self.contiguous(self.X[rows]), weights, bias)
                value, bias_gradient = value + v, bias_gradient + b
                gradient += g
        if self.intercept:
            gradient = np.append(gradient, bias_gradient)
        return value / self.divisor, gradient

    def block_terms(self, rows: slice, Xb: np.ndarray, weights, bias) -> tuple[float, np.ndarray, float]:
        """(loss, gradient, bias gradient) of the rows of one block; the gradient already scaled."""
        z = Xb @ weights
        if bias is not None:
            z += bias
        if self.binary:  # -log p(label) = softplus(m), m = -s scale z; r = dloss/dz
            terms, logistic = softplus_and_logistic(self.m_per_z[rows] * z)
            r = self.r_per_logistic[rows] * logistic
        else:  # soft labels: t softplus(-a) + (1-t) softplus(a), derivative logistic(a) - t
            tb, a = self.t[rows], self.scale * z
            up, p = softplus_and_logistic(a)
            down, q = softplus_and_logistic(-a)
            terms, r = tb * down + (1 - tb) * up, ((1 - tb) * p - tb * q) * (self.scale / self.divisor)
        return float(terms.sum()), r @ Xb, (float(r.sum()) if bias is not None else 0.0)

    def scores(self, w: np.ndarray) -> np.ndarray:
        """z = X w (+ b) for every row (n,), block by block: no copy of a strided or memory-mapped X."""
        d = self.X.shape[1]
        weights, bias = (w[:d], w[d]) if self.intercept else (w, 0.0)
        z = np.empty(len(self.t))
        for start in range(0, len(z), self.block):
            z[start:start + self.block] = self.contiguous(self.X[start:start + self.block]) @ weights + bias
        return z

    def contiguous(self, block: np.ndarray) -> np.ndarray:
        """A block of a strided X (a column slice, a memory map) copied to one reused buffer, so that
        BLAS sees the same layout, and sums in the same order, as for an X in memory."""
        if block.flags.c_contiguous:
            return block
        if getattr(self, "_buffer", None) is None or self._buffer.shape[1] != block.shape[1]:
            self._buffer = np.empty((self.block, block.shape[1]))
        out = self._buffer[:len(block)]
        np.copyto(out, block)
        return out

    def traceable_gradient(self, w):
        """The same gradient in autograd.numpy, so that autograd can differentiate it again."""
        d = self.X.shape[1]
        z = anp.dot(self.X, w[:d]) + w[d] if self.intercept else anp.dot(self.X, w)
        r = nll_score_gradient(z, self.t, self.scale) / self.divisor
        g = anp.dot(r, self.X)
        return anp.concatenate([g, anp.sum(r)[None]]) if self.intercept else g

    def gradient(self, w):
        """The gradient at w: from the forward pass when w is the same array, traceable when w is traced."""
        if not isinstance(w, np.ndarray):
            return self.traceable_gradient(w)
        seen, gradient = self.memo
        return gradient if seen is w else self.value_and_gradient(w)[1]


@primitive
def fused_nll(w, loss: LogisticNLL):
    """loss's value at w; its gradient is kept for the backward pass of the same call."""
    value, gradient = loss.value_and_gradient(w)
    loss.memo = (w, gradient)
    return value


defvjp(fused_nll, lambda ans, w, loss: lambda g: g * loss.gradient(w))
defjvp(fused_nll, lambda g, ans, w, loss: anp.dot(g, loss.gradient(w)))
