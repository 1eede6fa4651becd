"""Datasets: the built-in toy set, and strict CSV / YAML loading.

Every way a file can be wrong ends in a DataError naming the file, the line and
the column; nothing is guessed or coerced silently.
"""

from __future__ import annotations

import csv
import io
import math
import os
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .errors import DataError

TARGET_NAMES = ("target", "label", "y")  # looked for, in this order, when --target is not given
TRUE_FALSE = {"true": 1.0, "false": 0.0}
CSV_SUFFIXES = (".csv",)
YAML_SUFFIXES = (".yaml", ".yml")
ARRAY_SUFFIXES = (".npy", ".npz")
BUILTIN = "built-in toy set"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs X (n, d) float64, targets t (n,) float64, feature names (d,)."""

    X: np.ndarray
    t: np.ndarray
    names: tuple[str, ...]
    target_name: str = "target"
    source: str = BUILTIN

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]


def toy() -> Dataset:
    """The seed program's 4 x 3 toy set."""
    X = np.array([[0.52, 1.12, 0.77],
                  [0.88, -1.08, 0.15],
                  [0.52, 0.06, -1.30],
                  [0.74, -2.49, 1.39]])
    t = np.array([True, True, False, True], dtype=np.float64)
    return Dataset(X, t, ("x1", "x2", "x3"))


def load(path: str | None, target: str | None = None, soft_labels: bool = False, labels: bool = True) -> Dataset:
    """The dataset at path (CSV or YAML by suffix), or the toy set when path is None.

    With labels=False the targets are optional (for predictions): a CSV target column is used
    only if it is named (--target, or target/label/y), and t is None when there is none.
    """
    if path is None:
        return toy()
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in CSV_SUFFIXES + YAML_SUFFIXES + ARRAY_SUFFIXES:
        supported = ", ".join(CSV_SUFFIXES + YAML_SUFFIXES + ARRAY_SUFFIXES)
        raise DataError(f"unsupported file type {suffix or '(none)'!r}; cecli reads {supported}", path)
    if suffix in ARRAY_SUFFIXES:
        from .bulk import load_array

        X, t, names = load_array(path)
        return Dataset(X, check_targets(t, None, path, "t", soft_labels), names, "target", path)
    if suffix in CSV_SUFFIXES:
        fast = load_big_csv(path, target, soft_labels, labels)
        if fast is not None:
            return fast
    text = read_text(path)
    if suffix in CSV_SUFFIXES:
        return parse_csv(text, path, target, soft_labels, labels)
    from .yamldata import parse_yaml  # pyyaml is imported only for YAML files

    if target is not None and labels:
        raise DataError("--target applies to CSV files; a YAML file names its targets", path)
    return parse_yaml(text, path, soft_labels, labels)


def load_big_csv(path: str, target, soft_labels: bool, labels: bool) -> Dataset | None:
    """A big CSV file through the fast parsers (bulk.py); None when it is small or needs the careful parser."""
    from . import bulk

    if not bulk.is_big(path):
        return None
    with open(path, "rb") as f:
        first = f.readline()
    try:
        names = [name.strip() for name in next(csv.reader([first.decode("utf-8-sig")]))]
        _check_names(names, path)
    except (UnicodeDecodeError, csv.Error, StopIteration, DataError):
        return None  # the careful parser says what is wrong
    j = target_column(names, target, path) if labels else named_target(names, target)
    parsed = bulk.fast_csv(path, len(names), j)
    if parsed is None:
        return None
    X, t = parsed
    features = tuple(name for k, name in enumerate(names) if k != j)
    if t is None:
        return Dataset(X, None, features, None, path)
    allowed = (t >= 0) & (t <= 1) if soft_labels else (t == 0) | (t == 1)
    if not allowed.all():
        return None  # the careful parser names the line of the first bad target
    return Dataset(X, t, features, names[j], path)


@contextmanager
def readable(path: str):
    """Turns the ways opening a file fails into a DataError naming the file."""
    try:
        yield
    except FileNotFoundError:
        raise DataError("no such file", path) from None
    except IsADirectoryError:
        raise DataError("is a directory, not a data file", path) from None
    except PermissionError:
        raise DataError("permission denied", path) from None


def read_text(path: str) -> str:
    """The file's text, decoded as UTF-8 (a byte-order mark is dropped)."""
    try:
        with readable(path), open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise DataError(f"cannot be read ({e.strerror})", path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        found = f"byte 0x{raw[e.start]:02x} at offset {e.start}"
        raise DataError(f"not UTF-8 text ({found}); cecli reads UTF-8 CSV and YAML", path, line) from None


def parse_number(cell: str, path, line, column) -> float:
    """A finite float from a cell's text, or a DataError saying why not."""
    text = cell.strip()
    if not text:
        raise DataError("empty cell; every cell needs a number", path, line, column)
    try:
        if "_" in text:  # float() would read "1_000" as 1000
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise DataError(f"{text!r} is not a number", path, line, column) from None
    if not math.isfinite(value):
        raise DataError(f"{text!r} is not a finite number (NaN and infinity cannot be trained on)",
                        path, line, column)
    return value


def parse_label(cell, path, line, column) -> float:
    """A target cell as a number: true/false (any case) read as 1/0."""
    if isinstance(cell, bool):
        return float(cell)
    if isinstance(cell, str) and cell.strip().lower() in TRUE_FALSE:
        return TRUE_FALSE[cell.strip().lower()]
    return parse_number(str(cell), path, line, column)


def check_targets(t: np.ndarray, lines: list | None, path, column, soft_labels: bool = False) -> np.ndarray:
    """t if every target is 0 or 1 (in [0, 1] with soft_labels), else a DataError at the first bad one.

    lines[i] is the line of target i in a text file; None for arrays, whose errors name the row.
    """
    allowed = (t >= 0) & (t <= 1) if soft_labels else (t == 0) | (t == 1)
    if allowed.all():
        return t
    i = int(np.argmin(allowed))
    found = np.unique(t)
    shown = ", ".join(f"{v:g}" for v in found[:10]) + (", ..." if found.size > 10 else "")
    kind = "0 or 1 (also written true/false)" if not soft_labels else "in [0, 1]"
    soft = " is a soft label;" if not soft_labels and 0 < t[i] < 1 else ""
    where = "" if lines is not None else f" (row {i + 1})"
    raise DataError(f"target {t[i]:g}{soft}{where} must be {kind}; the targets take the values {shown}",
                    path, lines[i] if lines is not None else None, column)


def parse_csv(text: str, path: str, target: str | None = None, soft_labels: bool = False,
              labels: bool = True) -> Dataset:
    """A dataset from CSV text: a header of names, then one example per line."""
    rows = [(n, row) for n, row in _csv_rows(text, path) if any(cell.strip() for cell in row)]
    if not rows:
        raise DataError("empty file; expected a header row of column names", path)
    _, header = rows[0]
    names = [name.strip() for name in header]
    _check_names(names, path)
    if len(rows) == 1:
        raise DataError("header only; no examples follow it", path, rows[0][0] + 1)
    j = target_column(names, target, path) if labels else named_target(names, target)
    X, t = [], []
    for line, row in rows[1:]:
        if len(row) != len(names):
            raise DataError(f"{len(row)} fields, but the header has {len(names)}", path, line)
        if j is not None:
            t.append(parse_label(row[j], path, line, names[j]))
        X.append([parse_number(cell, path, line, name)
                  for k, (cell, name) in enumerate(zip(row, names, strict=True)) if k != j])
    features = tuple(name for k, name in enumerate(names) if k != j)
    X = np.array(X, dtype=np.float64).reshape(len(X), len(features))
    if j is None:
        return Dataset(X, None, features, None, path)
    lines = [line for line, _ in rows[1:]]
    return Dataset(X, check_targets(np.array(t, dtype=np.float64), lines, path, names[j], soft_labels),
                   features, names[j], path)


def _csv_rows(text: str, path: str):
    """(line number, fields) for each record; the line is where the record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, skipinitialspace=True)
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as e:
        raise DataError(f"malformed CSV ({e})", path, reader.line_num) from None


def _check_names(names: list[str], path: str) -> None:
    for k, name in enumerate(names):
        if not name:
            raise DataError(f"column {k + 1} of the header has no name", path, 1)
        if names.index(name) != k:
            raise DataError(f"column name {name!r} appears twice in the header", path, 1)
    if len(names) < 2:
        raise DataError("a dataset needs at least one feature column and a target column", path, 1)


def named_target(names: list[str], target: str | None) -> int | None:
    """Index of a target column named target (or target/label/y), if the file has one."""
    lowered = [name.lower() for name in names]
    for candidate in (target,) if target is not None else TARGET_NAMES:
        if candidate is not None and candidate.lower() in lowered:
            return lowered.index(candidate.lower())
    return None


def target_column(names: list[str], target: str | None, path: str) -> int:
    """Index of the target: --target, else target/label/y, else the last column."""
    if target is not None:
        if target not in names:
            raise DataError(f"no column named {target!r} for --target; columns are {', '.join(names)}", path)
        return names.index(target)
    lowered = [name.lower() for name in names]
    for candidate in TARGET_NAMES:
        if candidate in lowered:
            return lowered.index(candidate)
    return len(names) - 1


def format_csv(data: Dataset) -> str:
    """The dataset as CSV text that load() reads back to the same arrays (repr round-trips floats)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*data.names, data.target_name])
    for x, t in zip(data.X.tolist(), data.t.tolist(), strict=True):
        writer.writerow([*map(repr, x), repr(t)])
    return buffer.getvalue()
