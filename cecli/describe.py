"""What to know about a dataset before training on it: a pure summary and its warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .data import Dataset
from .errors import finite_list

# Curvature of the per-example loss in z = x.w is at most 4 * logistic'(a) <= 1 for the
# tanh sigmoid (a = 2z) and logistic'(a) <= 1/4 for the logistic one (a = z).
CURVATURE = {"tanh": 1.0, "logistic": 0.25}


BLOCK = 16384  # rows per pass block: statistics never need a temporary the size of X


def blocks(n: int):
    return (slice(start, start + BLOCK) for start in range(0, n, BLOCK))


def column_ranges(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-column min and max, block by block (a strided or memory-mapped X is never copied whole)."""
    if not X.size:
        return np.zeros(X.shape[1]), np.zeros(X.shape[1])
    parts = [(X[rows].min(axis=0), X[rows].max(axis=0)) for rows in blocks(len(X))]
    return np.min([lo for lo, _ in parts], axis=0), np.max([hi for _, hi in parts], axis=0)


def column_scales(X: np.ndarray, ranges=None) -> np.ndarray:
    """max |X_j| per column (1 for an all-zero column), so that X / scales cannot overflow when squared."""
    low, high = ranges if ranges is not None else column_ranges(X)
    scales = np.maximum(-low, high)
    return np.where(scales > 0, scales, 1.0)


def largest_eigenvalue(X: np.ndarray, tol: float = 1e-12, max_iterations: int = 1000, intercept: bool = False) -> float:
    """λ_max(DᵀD), D = X (or [X 1] with an intercept), by power iteration on the Gram matrix.

    One pass over X, in row blocks (no copy of X), and no eigendecomposition.
    """
    scale = float(column_scales(X).max())  # XᵀX = scale² YᵀY: Y = X / scale keeps 1e300 features finite
    d = X.shape[1]
    gram = np.zeros((d + intercept, d + intercept))
    with np.errstate(over="ignore"):
        for start in range(0, len(X), 65536):
            Y = X[start:start + 65536] / scale
            if intercept:
                Y = np.column_stack([Y, np.full(len(Y), 1.0 / scale)])
            gram += Y.T @ Y
        return scale * scale * _largest_eigenvalue_of_gram(gram, tol, max_iterations)


def _largest_eigenvalue_of_gram(gram: np.ndarray, tol: float, max_iterations: int) -> float:
    v = np.random.default_rng(0).standard_normal(gram.shape[0])  # fixed start: the answer is reproducible
    value = 0.0
    for _ in range(max_iterations):
        u = gram @ v
        norm = float(np.linalg.norm(u))
        if norm == 0.0:
            return 0.0
        previous, value, v = value, float(v @ u) / float(v @ v), u / norm
        if abs(value - previous) <= tol * value:
            break
    return value


def stable_lr(eigenvalue: float, n: int, sigmoid: str, reduction: str, l2: float = 0.0) -> float:
    """2/L, the learning rate below which plain gradient descent cannot diverge (inf for L = 0)."""
    L = eigenvalue * CURVATURE[sigmoid] / (n if reduction == "mean" else 1) + l2
    return 2.0 / L if L > 0 else float("inf")


@dataclass(frozen=True, eq=False)
class DataSummary:
    """Per-feature statistics (d,), target balance, and the curvature bound of X."""

    names: tuple[str, ...]
    n: int
    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    positives: int  # targets equal to 1 (soft labels count by their sum)
    duplicated_rows: int  # rows equal (features and target) to an earlier row
    X: np.ndarray = field(repr=False)  # kept for the eigenvalue, which only inspect needs

    @cached_property
    def eigenvalue(self) -> float:
        """λ_max(XᵀX): a pass over X, taken only when asked for (train computes its own bound)."""
        return largest_eigenvalue(self.X)

    @property
    def constant_features(self) -> tuple[str, ...]:
        return tuple(name for name, lo, hi in zip(self.names, self.minimum, self.maximum, strict=True)
                     if lo == hi)

    def stable_lr(self, sigmoid: str, reduction: str) -> float:
        return stable_lr(self.eigenvalue, self.n, sigmoid, reduction)

    def warnings(self) -> list[str]:
        """What is accepted but worth knowing before training."""
        notes = []
        if self.positives in (0, self.n):
            label = 1 if self.positives else 0
            notes.append(f"all {self.n} targets are {label}: with one class the weights grow without bound")
        for name in self.constant_features:
            value = self.minimum[self.names.index(name)]
            effect = "it has no effect on the model" if value == 0 else "it acts only as an intercept"
            notes.append(f"feature {name!r} is constant ({value:g}): {effect}")
        if self.duplicated_rows:
            rows = "row repeats" if self.duplicated_rows == 1 else "rows repeat"
            notes.append(f"{self.duplicated_rows} {rows} an earlier row (same features and target)")
        return notes

    def as_dict(self, sigmoid: str, reduction: str) -> dict:
        return {
            "rows": self.n, "names": list(self.names),
            "features": [{"name": name, "min": lo, "max": hi, "mean": mu, "std": sd}
                         for name, lo, hi, mu, sd in zip(self.names, finite_list(self.minimum),
                                                         finite_list(self.maximum), finite_list(self.mean),
                                                         finite_list(self.std), strict=True)],
            "positives": self.positives, "negatives": self.n - self.positives,
            "constant_features": list(self.constant_features), "duplicated_rows": self.duplicated_rows,
            "largest_eigenvalue": self.eigenvalue, "sigmoid": sigmoid, "reduction": reduction,
            "stable_lr": self.stable_lr(sigmoid, reduction), "warnings": self.warnings(),
        }


def mixed(bits: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, elementwise: every input bit moves every output bit (floats' bit
    patterns end in long runs of zeros, which a plain multiply would keep)."""
    bits = bits ^ (bits >> np.uint64(30))
    bits *= np.uint64(0xBF58476D1CE4E5B9)
    bits ^= bits >> np.uint64(27)
    bits *= np.uint64(0x94D049BB133111EB)
    return bits ^ (bits >> np.uint64(31))


def duplicated_rows(X: np.ndarray, t: np.ndarray) -> int:
    """How many rows of [X t] equal an earlier row: rows hashed block by block, then the rows whose
    hash is not unique compared exactly (so a hash collision can never miscount)."""
    multipliers = np.random.default_rng(0).integers(1, 2**63, size=X.shape[1] + 1, dtype=np.uint64)
    hashes = np.empty(len(X), dtype=np.uint64)
    for rows in blocks(len(X)):
        values = np.column_stack([X[rows], t[rows]]) + 0.0  # + 0.0 turns -0.0 into 0.0
        hashes[rows] = (mixed(values.view(np.uint64)) * (multipliers | np.uint64(1))).sum(axis=1)
    ordered = np.sort(hashes)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if repeated.size == 0:
        return 0
    candidates = np.flatnonzero(np.isin(hashes, repeated))
    rows = np.column_stack([X[candidates], t[candidates]]) + 0.0
    return int(candidates.size - np.unique(rows, axis=0).shape[0])


def column_moments(X: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std per column, in two passes of blocks over X / scales (no overflow near 1e308)."""
    n = max(len(X), 1)
    mean = sum((X[rows] / scales).sum(axis=0) for rows in blocks(len(X))) / n
    square = sum(((X[rows] / scales - mean) ** 2).sum(axis=0) for rows in blocks(len(X))) / n
    return mean * scales, np.sqrt(square) * scales


def summarize(data: Dataset) -> DataSummary:
    """Everything `cecli inspect` shows, and what `train` warns about."""
    X, (low, high) = data.X, column_ranges(data.X)
    mean, std = column_moments(X, column_scales(X, (low, high)))
    return DataSummary(data.names, data.n, low, high, mean, std,
                       int(round(float(data.t.sum()))), duplicated_rows(X, data.t), X)
