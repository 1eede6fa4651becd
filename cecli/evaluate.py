"""Predictions of a saved model on new rows, and how good they are."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import model
from .compare import entropy
from .data import Dataset
from .errors import DataError


def aligned(data: Dataset, names: tuple[str, ...]) -> np.ndarray:
    """data's feature columns in the order of names; a DataError listing the difference if they differ."""
    missing = [n for n in names if n not in data.names]
    extra = [n for n in data.names if n not in names]
    if missing or extra:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"unexpected {', '.join(extra)}"] if extra else [])
        raise DataError(f"columns do not match the model's features ({', '.join(names)}): {'; '.join(parts)}",
                        data.source)
    return np.ascontiguousarray(data.X[:, [data.names.index(n) for n in names]])


@dataclass(frozen=True)
class Evaluation:
    """Loss, accuracy, precision, recall and the confusion matrix on labelled rows."""

    n: int
    loss: float  # summed NLL, from logits
    baseline: float  # summed NLL of the best constant model, n H(mean t)
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.n

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan

    def as_dict(self) -> dict:
        def clean(x):
            return None if math.isnan(x) else x

        return {"rows": self.n, "loss_sum": self.loss, "loss_mean": self.loss / self.n,
                "baseline_sum": self.baseline, "baseline_mean": self.baseline / self.n,
                "accuracy": self.accuracy, "precision": clean(self.precision), "recall": clean(self.recall),
                "confusion": {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn}}


def evaluate(logits: np.ndarray, t: np.ndarray) -> Evaluation:
    """Scores of the logits a (n,) against 0/1 targets t (n,); label 1 predicted where a >= 0."""
    predicted, actual = logits >= 0, t == 1
    return Evaluation(len(t), float(np.sum(model.stable_terms(logits, t))), len(t) * entropy(float(t.mean())),
                      int(np.sum(predicted & actual)), int(np.sum(predicted & ~actual)),
                      int(np.sum(~predicted & ~actual)), int(np.sum(~predicted & actual)))
