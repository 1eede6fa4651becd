"""The training loss and its gradient in one pass over X, as a single autograd primitive.

    value     Σ_i -log p(label_i)  (or its mean), p = logistic(a), a = scale * (X w [+ b])
    gradient  scale * Xᵀ r / (n or 1),  r = logistic(a) - t

Rows are taken in blocks of a few MB, so each block of X is read from memory once and stays in
cache while both X_b w and r_b X_b are formed; every temporary is a short vector. The blocks are
shared out among the machine's cores (numpy and BLAS release the GIL), and the blocks' sums are
added in block order, so the result is the same bit for bit on any number of cores. The forward
pass computes the gradient too and keeps it for autograd's backward pass, so a training step
reads X once. Derivatives of higher order (Hessians for newton, check_grads at order 2) go
through an autograd-traceable form of the same formula.
"""

from __future__ import annotations

import os
import threading

import autograd.numpy as anp
import numpy as np
from autograd.extend import defjvp, defvjp, primitive

from .model import LOGIT_SCALE, nll_score_gradient

# Rows per block: about 2.5 MB of X, so the blocks the cores are working on stay in the last-level cache
# between X_b w and r_b X_b; at least 1024 rows and at most 16384, so each numpy call on the block's vectors
# (about 1 µs, and more when the threads take turns holding the GIL) is small against its work. (Measured
# on 2 cores, 1,000,000 x 20 and 100,000 x 200, blocks of 384 to 32768 rows.)
BLOCK_BYTES, MIN_ROWS, MAX_ROWS = 5 << 19, 1024, 16384
FEW = 256  # elements up to which the careful form is the faster: the fast one's set-up outweighs its saving


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


LANES = min(usable_cores(), 8)  # threads sharing the blocks of a big X
_pool = None  # the worker threads, a ThreadPoolExecutor made on first use
_blas = None  # threadpoolctl's controller, False without it; made on first use
_lock = threading.Lock()


def softplus_and_logistic(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(softplus(m), logistic(m)) for a vector m, both to about 1e-14 relative for every finite m."""
    softplus = np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m)))
    return softplus, np.exp(m - softplus)


def softplus_sum_and_logistic(m: np.ndarray) -> tuple[float, np.ndarray]:
    """(Σ softplus(m), logistic(m)) for a vector m: one exp and one log1p per element where m <= 709."""
    if m.size > FEW:  # fewer: the careful form alone (the toy set's 4 rows among them)
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(m)  # e^m is inf only where m > 709.78: the sum is then inf, and the careful form takes over
            total = float(np.log1p(e).sum())  # softplus(m) = log(1 + e^m), a few ulps from exact
            if np.isfinite(total):
                e /= 1.0 + e  # logistic(m) = e^m / (1 + e^m), tiny values exact
                return total, e
    softplus, logistic = softplus_and_logistic(m)
    return float(softplus.sum()), logistic


class LogisticNLL:
    """The loss of weights w on fixed data: call it with w; autograd differentiates it."""

    def __init__(self, X: np.ndarray, t: np.ndarray, sigmoid: str = "tanh", reduction: str = "sum",
                 intercept: bool = False, block: int | None = None):
        self.X, self.t, self.intercept = X, t, intercept
        self.block = block or min(MAX_ROWS, max(MIN_ROWS, BLOCK_BYTES // (8 * max(X.shape[1], 1))))
        # BLAS reads a block in place only when it is one piece of memory: a Fortran-order block, or one of a
        # column slice, goes faster copied (each thread to its own buffer) than read where it lies
        self.in_place = X.dtype == np.float64 and X.flags.c_contiguous
        self.buffers = threading.local()
        self.scale = LOGIT_SCALE[sigmoid]
        self.divisor = float(len(t)) if reduction == "mean" else 1.0
        self.binary = bool(np.all((t == 0) | (t == 1)))
        if self.binary:  # -log p(label) = softplus(m), m = -a for label 1 and a for label 0
            self.m_per_z = self.scale * (1.0 - 2.0 * t)
            self.r_per_logistic = self.m_per_z / self.divisor  # dloss/dz = r_per_logistic * logistic(m)
        self.memo = (None, None)  # (w, gradient) of the last forward pass

    def __call__(self, w):
        return fused_nll(w, self)

    def value_and_gradient(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and its gradient (len(w),), one block of rows at a time."""
        d, n = self.X.shape[1], len(self.t)
        weights, bias = (w[:d], w[d]) if self.intercept else (w, None)
        if n <= self.block:  # one block: no threads, no sums of blocks (most of a small step's cost)
            value, gradient, bias_gradient = self.block_terms(slice(0, n), weights, bias)
        else:
            blocks = shared_out(lambda start: self.block_terms(slice(start, start + self.block), weights, bias),
                                range(0, n, self.block))
            value, gradient, bias_gradient = blocks[0]
            for v, g, b in blocks[1:]:  # in block order, whichever thread computed them
                value, bias_gradient = value + v, bias_gradient + b
                gradient = gradient + g
        if self.intercept:
            gradient = np.append(gradient, bias_gradient)
        return value / self.divisor, gradient

    def block_terms(self, rows: slice, weights, bias) -> tuple[float, np.ndarray, float]:
        """(loss, Σ r_i x_i, Σ r_i) of one block of rows, r = dloss/dz per row (divided by n for a mean)."""
        Xb = self.rows(rows)
        z = Xb.dot(weights)  # .dot: a quarter of matmul's call cost on a tiny block, the same BLAS call
        if bias is not None:
            z += bias
        if self.binary:
            value, logistic = softplus_sum_and_logistic(self.m_per_z[rows] * z)
            r = self.r_per_logistic[rows] * logistic
        else:  # soft labels: t softplus(-a) + (1-t) softplus(a), derivative scale (logistic(a) - t)
            tb, a = self.t[rows], self.scale * z
            up, p = softplus_and_logistic(a)
            down, q = softplus_and_logistic(-a)
            value = float((tb * down + (1 - tb) * up).sum())
            r = ((1 - tb) * p - tb * q) * (self.scale / self.divisor)
        return value, r.dot(Xb), (float(r.sum()) if bias is not None else 0.0)

    def scores(self, w: np.ndarray) -> np.ndarray:
        """z = X w (+ b) for every row (n,), block by block."""
        d = self.X.shape[1]
        weights, bias = (w[:d], w[d]) if self.intercept else (w, 0.0)
        z = np.empty(len(self.t))
        for start in range(0, len(z), self.block):
            rows = slice(start, start + self.block)
            z[rows] = self.rows(rows) @ weights + bias
        return z

    def rows(self, rows: slice) -> np.ndarray:
        """A block of X as BLAS reads it fastest: a view, or else a C-order float64 copy in a reused buffer."""
        block = self.X[rows]
        if self.in_place:
            return block
        buffer = getattr(self.buffers, "rows", None)
        if buffer is None:  # one per thread, made once: a fresh block would map fresh pages every time
            buffer = self.buffers.rows = np.empty((self.block, self.X.shape[1]))
        out = buffer[:len(block)]
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


def shared_out(f, items: range) -> list:
    """[f(i) for i in items], contiguous runs of items handed to up to LANES threads (this one included)."""
    blas = blas_limiter()
    lanes = min(LANES, len(items)) if blas else 1
    if lanes == 1:
        return [f(i) for i in items]
    share = -(-len(items) // lanes)
    runs = [items[k * share:(k + 1) * share] for k in range(lanes)]
    with blas.limit(limits=1, user_api="blas"):  # BLAS's own threads would spin on the cores the lanes use
        pending = [pool().submit(lambda run: [f(i) for i in run], run) for run in runs[1:]]
        results = [f(i) for i in runs[0]]
        for future in pending:
            results += future.result()
    return results


def pool():
    """The worker threads, made on first use (concurrent.futures is imported only then: 6 ms)."""
    global _pool
    with _lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor

            _pool = ThreadPoolExecutor(max_workers=LANES - 1, thread_name_prefix="cecli-block")
        return _pool


def blas_limiter():
    """threadpoolctl's controller of BLAS's threads, or False when it is not installed (then one lane)."""
    global _blas
    with _lock:
        if _blas is None:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:
                _blas = False
            else:
                _blas = ThreadpoolController()
        return _blas


@primitive
def fused_nll(w, loss: LogisticNLL):
    """loss's value at w; its gradient is kept for the backward pass of the same call."""
    value, gradient = loss.value_and_gradient(w)
    loss.memo = (w, gradient)
    return value


defvjp(fused_nll, lambda ans, w, loss: lambda g: g * loss.gradient(w))
defjvp(fused_nll, lambda g, ans, w, loss: anp.dot(g, loss.gradient(w)))
