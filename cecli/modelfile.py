"""Saved models: written atomically, read back for predict, evaluate, replay and compare-losses."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from .data import read_text
from .errors import ConfigError, DataError
from .standardize import Standardization


def read_weights(path: str, names: tuple[str, ...], document: dict | None = None) -> np.ndarray:
    """The weights (d,) in a JSON file with a "weights" list, matched to the data's feature names."""
    if document is None:
        try:
            document = json.loads(read_text(path))
        except json.JSONDecodeError as e:
            raise DataError(f"not valid JSON ({e.msg})", path, e.lineno) from None
    weights = document.get("weights") if isinstance(document, dict) else None
    if not isinstance(weights, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in weights):
        raise DataError("expected a JSON object with \"weights\": a list of finite numbers "
                        "(as `cecli train --json` writes)", path)
    saved_names = document.get("names")
    if saved_names is not None and document.get("format") == FORMAT and document.get("intercept") is not None:
        saved_names = [*saved_names, "(intercept)"]
    if saved_names is not None and tuple(saved_names) != tuple(names):
        raise DataError(f"weights are for features {', '.join(map(str, saved_names))}, "
                        f"but the data has {', '.join(names)}", path)
    if len(weights) != len(names):
        raise DataError(f"{len(weights)} weights, but the data has {len(names)} features", path)
    return np.array(weights, dtype=np.float64)


FORMAT = "cecli-model/1"


@dataclass(frozen=True, eq=False)
class SavedModel:
    """A trained model read back: what predict, evaluate and replay need."""

    path: str
    weights: np.ndarray  # (d,), plus the intercept last when there is one
    names: tuple[str, ...]  # feature names, without the intercept
    intercept: bool
    sigmoid: str
    target_name: str | None
    transform: Standardization | None
    options: dict  # the resolved Config, as saved
    data: str | None  # the training data's path, None for the built-in set
    data_sha256: str
    losses: tuple[float, ...]
    interrupted: bool

    def design(self, X: np.ndarray) -> np.ndarray:
        """X (n, d) as the model was trained on it: standardized as saved, with the intercept column."""
        if self.transform is not None:
            X = self.transform.apply(X)
        return np.column_stack([X, np.ones(len(X))]) if self.intercept else X

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """p, the probability that each row's label is 1: (n,)."""
        from . import model

        return model.predictions(self.weights, self.design(X), self.sigmoid)

    def logits(self, X: np.ndarray) -> np.ndarray:
        """a, with p = logistic(a), for each row: (n,)."""
        from . import model

        return model.logits(self.weights, self.design(X), self.sigmoid)


def sha256_of(path: str | None) -> str:
    """SHA-256 of the data file's bytes; of its CSV form for the built-in set."""
    if path is None:
        from .data import format_csv, toy

        return hashlib.sha256(format_csv(toy()).encode()).hexdigest()
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict:
    from importlib.metadata import version

    from . import __version__

    return {"cecli": __version__, "numpy": np.__version__, "autograd": version("autograd")}


def model_record(result, names: tuple[str, ...], target_name, config, transform, data_path, sha: str) -> dict:
    """Everything needed to predict with and to reproduce a training run, as plain JSON data."""
    return {
        "format": FORMAT, "weights": [float(w) for w in result.weights], "names": list(names),
        "intercept": float(result.weights[-1]) if config.intercept else None,
        "target": target_name, "sigmoid": config.sigmoid,
        "standardization": transform.as_dict() if transform else None,
        "options": dataclasses.asdict(config), "data": os.path.abspath(data_path) if data_path else None,
        "data_sha256": sha, "losses": list(result.losses), "initial_loss": result.initial_loss,
        "stopped": result.stopped, "interrupted": result.stopped == "interrupted", "versions": versions(),
    }


def write_atomically(path: str, text: str, protect: str | None = None) -> None:
    """Write text to path through a temporary file and a rename: never a half-written file."""
    if protect is not None and os.path.exists(path) and os.path.samefile(path, protect):
        raise ConfigError(f"--save {path} is the data file; choose another name")
    folder = os.path.dirname(os.path.abspath(path))
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".cecli-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise DataError(f"cannot write here ({e.strerror})", path) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a saved model is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def save_model(path: str, record: dict, protect: str | None = None) -> None:
    write_atomically(path, json.dumps(record, indent=2, allow_nan=False) + "\n", protect)


def load_model(path: str) -> SavedModel:
    """A model saved by `cecli train --save`, checked for the fields predict needs."""
    try:
        record = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise DataError(f"not valid JSON ({e.msg})", path, e.lineno) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise DataError(f"not a cecli model (expected \"format\": \"{FORMAT}\", as `cecli train --save` "
                        "writes)", path)
    names = tuple(record["names"])
    intercept = record["intercept"] is not None
    weights = read_weights(path, names + (("(intercept)",) if intercept else ()), record)
    scaling = record.get("standardization")
    transform = Standardization(tuple(scaling["names"]), np.array(scaling["means"], dtype=np.float64),
                                np.array(scaling["stds"], dtype=np.float64)) if scaling else None
    return SavedModel(path, weights, names, intercept, record["sigmoid"], record.get("target"), transform,
                      record["options"], record.get("data"), record["data_sha256"], tuple(record["losses"]),
                      bool(record.get("interrupted")))
