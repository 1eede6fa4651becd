"""Weights saved by cecli (train --json output, saved models) read back for reuse."""

from __future__ import annotations

import json
import math

import numpy as np

from .data import read_text
from .errors import DataError


def read_weights(path: str, names: tuple[str, ...]) -> np.ndarray:
    """The weights (d,) in a JSON file with a "weights" list, matched to the data's feature names."""
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
    if saved_names is not None and tuple(saved_names) != tuple(names):
        raise DataError(f"weights are for features {', '.join(map(str, saved_names))}, "
                        f"but the data has {', '.join(names)}", path)
    if len(weights) != len(names):
        raise DataError(f"{len(weights)} weights, but the data has {len(names)} features", path)
    return np.array(weights, dtype=np.float64)
