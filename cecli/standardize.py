"""z-scoring: each feature minus its training mean, over its training std."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .data import Dataset
from .errors import finite_list


@dataclass(frozen=True, eq=False)
class Standardization:
    """The training data's means and stds (d,), kept so new data gets the same transform."""

    names: tuple[str, ...]
    means: np.ndarray
    stds: np.ndarray

    @property
    def constant_features(self) -> tuple[str, ...]:
        return tuple(name for name, sd in zip(self.names, self.stds, strict=True) if sd == 0)

    def apply(self, X: np.ndarray) -> np.ndarray:
        """(X - means) / stds, with a constant column left at 0 (its std is taken as 1)."""
        return (X - self.means) / np.where(self.stds == 0, 1.0, self.stds)

    def as_dict(self) -> dict:
        return {"names": list(self.names), "means": finite_list(self.means), "stds": finite_list(self.stds)}


def fit_standardization(data: Dataset) -> Standardization:
    """The standardization of this dataset's features."""
    return Standardization(data.names, data.X.mean(axis=0), data.X.std(axis=0))


def standardized(data: Dataset, transform: Standardization) -> Dataset:
    """The dataset with its features transformed."""
    return dataclasses.replace(data, X=transform.apply(data.X))
