"""Large data: NumPy arrays, and a fast path for big CSV files.

A big CSV file is parsed by pandas' C parser when pandas is installed (pip install 'cecli[fast]'),
else by numpy.loadtxt, block by block into one preallocated array, so memory stays near the size
of X. Anything either parser balks at, or any value cecli would refuse (NaN, inf, a target that is
not 0/1), sends the file to the careful parser in data.py, which accepts it exactly as written or
names the line and column of the problem. Small files go straight to the careful parser and never
import pandas.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from .errors import DataError

FAST_FROM_BYTES = 1 << 20  # files from 1 MiB on try the fast path first
ROWS_PER_CHUNK = 1 << 17


def most_rows(path: str, n_columns: int) -> int:
    """An upper bound on the rows of a CSV file: each takes at least 2 bytes a column ("0," ... "0\\n")."""
    return os.path.getsize(path) // (2 * n_columns) + 1


def chunks(path: str):
    """Numeric blocks (rows, columns) of the CSV body, from pandas or numpy.loadtxt."""
    if importlib.util.find_spec("pandas") is not None:
        import pandas as pd

        # no dtype given: pandas' own type inference is its fastest path; text in a column makes it
        # an object column, which is refused here and left to the careful parser
        with pd.read_csv(path, header=0, engine="c", chunksize=ROWS_PER_CHUNK, na_filter=False,
                         skip_blank_lines=True, encoding="utf-8") as reader:
            for frame in reader:
                if not all(dtype.kind in "iuf" for dtype in frame.dtypes):
                    raise ValueError("a column that is not numeric")
                yield frame.to_numpy(dtype=np.float64)
    else:
        yield np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2, comments=None,
                         encoding="utf-8")


def fast_csv(path: str, n_columns: int, j: int | None):
    """(X, t) of a CSV body with n_columns per row and the target in column j, or None to go careful."""
    # Allocate for the most rows the file could hold: pages never written are never touched, so they
    # cost address space, not memory; the arrays are cut to size at the end without a copy.
    n = most_rows(path, n_columns)
    X, t, filled = np.empty((n, n_columns - (j is not None))), np.empty(n), 0
    k = n_columns if j is None else j  # features are columns [0, k) and (k, n_columns): slices copy fast
    blocks = chunks(path)
    try:
        for block in blocks:
            if block.ndim != 2 or block.shape[1] != n_columns or filled + len(block) > n:
                return None
            if not np.isfinite(block).all():  # checked while the block is in cache
                return None
            rows = slice(filled, filled + len(block))
            X[rows, :k] = block[:, :k]
            X[rows, k:] = block[:, k + 1:]
            if j is not None:
                t[rows] = block[:, j]
            filled += len(block)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    except Exception as e:  # pandas' ParserError and kin: anything odd goes to the careful parser
        if type(e).__module__.startswith("pandas"):
            return None
        raise
    finally:
        blocks.close()  # closes the file now, not whenever the generator is collected
    if filled == 0:
        return None
    X.resize((filled, X.shape[1]), refcheck=False)  # realloc: shrinks in place
    t.resize(filled, refcheck=False)
    return X, (t if j is not None else None)


def all_finite(A: np.ndarray) -> bool:
    """No NaN or inf anywhere, checked in blocks (no temporary the size of A)."""
    return all(np.isfinite(A[i:i + ROWS_PER_CHUNK]).all() for i in range(0, len(A), ROWS_PER_CHUNK))


def load_array(path: str):
    """(X, t, names) from .npy (2-D, last column the target; memory-mapped) or .npz (arrays X and t)."""
    from .data import readable

    try:
        with readable(path):
            X, t, names = _open_array(path)
    except (ValueError, OSError, EOFError) as e:
        raise DataError(f"not a readable NumPy file ({e})", path) from None
    return _checked(X, t, names, path)


def _open_array(path: str):
    """(X, t, names or None) as stored, before any check of their values."""
    if path.lower().endswith(".npy"):
        array = np.load(path, mmap_mode="r", allow_pickle=False)
        if array.ndim != 2 or array.shape[1] < 2:
            raise DataError(f"expected a 2-D array with features and a last target column, found shape "
                            f"{array.shape}", path)
        return array[:, :-1], np.array(array[:, -1], dtype=np.float64), None
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in ("X", "t") if key not in archive.files]
        if missing:
            raise DataError(f"missing array {missing[0]!r}; an .npz file holds X (n, d) and t (n,), "
                            f"found {', '.join(archive.files) or 'none'}", path)
        names = tuple(str(n) for n in archive["names"]) if "names" in archive.files else None
        return archive["X"], np.asarray(archive["t"], dtype=np.float64), names


def _checked(X: np.ndarray, t: np.ndarray, names, path: str):
    """X as float64 (n, d) and t (n,), finite, with a name per column."""
    if X.ndim != 2 or t.shape != (X.shape[0],) or X.shape[0] == 0:
        raise DataError(f"X must be (n, d) and t (n,) with n > 0, found {X.shape} and {t.shape}", path)
    if X.dtype.kind not in "fiub":
        raise DataError(f"X holds {X.dtype}, not numbers", path)
    if X.dtype != np.float64:
        X = X.astype(np.float64)
    if not all_finite(X) or not all_finite(t):
        raise DataError("NaN or infinite values (cecli trains on finite numbers only)", path)
    names = names or tuple(f"x{k + 1}" for k in range(X.shape[1]))
    if len(names) != X.shape[1]:
        raise DataError(f"{len(names)} names for {X.shape[1]} columns", path)
    return X, t, names


def is_big(path: str) -> bool:
    try:
        return os.path.getsize(path) >= FAST_FROM_BYTES
    except OSError:
        return False
