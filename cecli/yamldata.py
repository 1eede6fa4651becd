"""YAML datasets: a mapping with inputs (rows), targets and optional names.

Read with pyyaml's safe loader (the C one when present, several times faster),
so tags such as !!python/object are refused and nothing in a file runs. Nodes
are kept alongside values so that every error can name its line.
"""

from __future__ import annotations

import numpy as np
import yaml

from .data import Dataset, check_targets, parse_label, parse_number
from .errors import DataError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEYS = ("inputs", "targets", "names")


def load_yaml_document(text: str, path: str):
    """(value, node) of the single document in text; a DataError with its line if it is not YAML."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        return loader.construct_document(node) if node is not None else None, node
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise DataError(f"not valid YAML ({problem})", path, mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()


def line_of(node) -> int:
    return node.start_mark.line + 1


def parse_yaml(text: str, path: str, soft_labels: bool = False, labels: bool = True) -> Dataset:
    """A dataset from YAML text."""
    document, node = load_yaml_document(text, path)
    if not isinstance(document, dict):
        found = "an empty file" if document is None else f"a {type(document).__name__}"
        raise DataError(f"expected a mapping with keys inputs and targets, found {found}", path,
                        line_of(node) if node is not None else None)
    nodes = {key.value: value for key, value in node.value}
    unknown = [key for key in document if key not in KEYS]
    if unknown:
        raise DataError(f"unknown key {unknown[0]!r}; expected {', '.join(KEYS)}", path)
    for key in ("inputs", "targets") if labels or "targets" in document else ("inputs",):
        if key not in document:
            raise DataError(f"missing key {key!r}", path)
        if not isinstance(document[key], list):
            raise DataError(f"{key!r} must be a list, found {type(document[key]).__name__}",
                            path, line_of(nodes[key]))
    inputs, targets = document["inputs"], document.get("targets")
    if not inputs:
        raise DataError("'inputs' is empty; a dataset needs examples", path, line_of(nodes["inputs"]))
    if targets is not None and len(inputs) != len(targets):
        raise DataError(f"'inputs' has {len(inputs)} rows but 'targets' has {len(targets)}",
                        path, line_of(nodes["targets"]))
    X = _parse_inputs(inputs, nodes["inputs"].value, path)
    names = _parse_names(document.get("names"), nodes.get("names"), X.shape[1], path)
    if targets is None:
        return Dataset(X, None, names, None, path)
    lines = [line_of(item) for item in nodes["targets"].value]
    t = [parse_label(value, path, line, "targets") for value, line in zip(targets, lines, strict=True)]
    return Dataset(X, check_targets(np.array(t, dtype=np.float64), lines, path, "targets", soft_labels),
                   names, "targets", path)


def _parse_inputs(inputs: list, row_nodes: list, path: str) -> np.ndarray:
    """The (n, d) float64 matrix of a list of equally long numeric rows."""
    d = len(inputs[0]) if isinstance(inputs[0], list) else None
    rows = []
    for i, (row, row_node) in enumerate(zip(inputs, row_nodes, strict=True)):
        if not isinstance(row, list):
            raise DataError(f"'inputs' row {i + 1} is not a list of numbers; 'inputs' must be "
                            "two-dimensional", path, line_of(row_node))
        if len(row) != d or d == 0:
            raise DataError(f"'inputs' row {i + 1} has {len(row)} values, but row 1 has {d}",
                            path, line_of(row_node))
        rows.append([_number(value, path, line_of(node), f"inputs[{i + 1}][{j + 1}]")
                     for j, (value, node) in enumerate(zip(row, row_node.value, strict=True))])
    return np.array(rows, dtype=np.float64).reshape(len(rows), d)


def _number(value, path, line, column) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DataError(f"{value!r} is not a number", path, line, column)
    return parse_number(str(value), path, line, column)


def _parse_names(names, node, d: int, path: str) -> tuple[str, ...]:
    if names is None:
        return tuple(f"x{j + 1}" for j in range(d))
    if not isinstance(names, list) or len(names) != d or not all(isinstance(n, str) and n for n in names):
        raise DataError(f"'names' must be a list of {d} non-empty strings, one per input column",
                        path, line_of(node))
    if len(set(names)) != d:
        raise DataError("'names' has a name twice", path, line_of(node))
    return tuple(names)


def format_yaml(data: Dataset) -> str:
    """The dataset as YAML text that parse_yaml reads back to the same arrays."""
    document = {"names": list(data.names), "inputs": data.X.tolist(), "targets": data.t.tolist()}
    return yaml.safe_dump(document, default_flow_style=None, sort_keys=False)
