"""Large data: the fast CSV path reads exactly what the careful one does, NumPy files, duplicates."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT

from cecli import bulk, data, describe
from cecli.errors import DataError


@pytest.fixture(params=["pandas", "numpy.loadtxt"])
def parser(request, monkeypatch):
    """Run a test with each fast parser: pandas when installed, and numpy.loadtxt."""
    import importlib.util

    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pandas" else real(name, *a))
    return request.param


def big_csv(tmp_path, rows=60_000, corrupt=None, name="big.csv"):
    """A CSV file over the 1 MiB fast-path threshold; corrupt(lines) may change its lines."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((rows, 3)) * 1e3
    t = (rng.random(rows) < 0.5).astype(int)
    lines = ["a,b,c,target"] + [f"{x[0]!r},{x[1]!r},{x[2]!r},{tt}" for x, tt in zip(X.tolist(), t, strict=True)]
    if corrupt:
        corrupt(lines)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert bulk.is_big(str(path))
    return str(path), X, t


def test_fast_path_reads_exactly_what_the_careful_parser_reads(tmp_path, parser):
    path, X, t = big_csv(tmp_path)
    fast = data.load(path)
    careful = data.parse_csv(data.read_text(path), path)
    assert np.array_equal(fast.X, careful.X) and np.array_equal(fast.t, careful.t)
    assert np.array_equal(fast.X, X) and fast.names == ("a", "b", "c") and fast.X.flags.c_contiguous


def test_fast_path_with_the_target_in_the_middle(tmp_path, parser):
    def move_target(lines):
        for i, line in enumerate(lines):
            a, b, c, target = line.split(",")
            lines[i] = ",".join([a, target, b, c])

    path, X, t = big_csv(tmp_path, corrupt=move_target)
    ds = data.load(path)
    assert ds.names == ("a", "b", "c") and np.array_equal(ds.X, X) and np.array_equal(ds.t, t)


@pytest.mark.parametrize("change, expected_line, message", [
    (lambda lines: lines.__setitem__(40_000, "1.0,nan,2.0,1"), 40_001, "not a finite number"),
    (lambda lines: lines.__setitem__(50_000, "1.0,2.0,1"), 50_001, "3 fields, but the header has 4"),
    (lambda lines: lines.__setitem__(30_000, "1.0,2.0,3.0,7"), 30_001, "target 7 must be 0 or 1"),
    (lambda lines: lines.__setitem__(20_000, "1.0,x,3.0,1"), 20_001, "'x' is not a number"),
    (lambda lines: lines.__setitem__(10_000, "1.0,,3.0,1"), 10_001, "empty cell"),
])
def test_a_problem_deep_in_a_big_file_is_found_with_its_line(tmp_path, parser, change, expected_line, message):
    path, _, _ = big_csv(tmp_path, corrupt=change)
    with pytest.raises(DataError) as caught:
        data.load(path)
    assert caught.value.line == expected_line and message in caught.value.message


def test_what_the_fast_parsers_balk_at_the_careful_one_accepts(tmp_path, parser):
    def spell_targets(lines):
        for i in range(1, len(lines)):
            head, _, target = lines[i].rpartition(",")
            lines[i] = f'{head},{"TRUE" if target == "1" else "false"}'
        lines[5] = '"1.5", 2.5 ,3.5,true'

    path, _, t = big_csv(tmp_path, corrupt=spell_targets)
    ds = data.load(path)
    assert ds.X[4].tolist() == [1.5, 2.5, 3.5] and ds.t[4] == 1.0 and np.array_equal(ds.t[5:], t[5:])


def test_small_files_never_import_pandas():
    code = "import sys; from cecli.data import load; load('data/toy.csv'); print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


# --- NumPy files ----------------------------------------------------------------------------

def test_npy_is_memory_mapped_with_the_target_last(tmp_path):
    array = np.column_stack([np.arange(12.0).reshape(4, 3), [1, 0, 1, 1]])
    np.save(tmp_path / "d.npy", array)
    ds = data.load(str(tmp_path / "d.npy"))
    assert isinstance(ds.X.base, np.memmap) or isinstance(ds.X, np.memmap)
    assert np.array_equal(ds.X, array[:, :3]) and ds.t.tolist() == [1, 0, 1, 1] and ds.names == ("x1", "x2", "x3")


def test_npz_with_names(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.ones((2, 2)), t=np.array([0, 1]), names=np.array(["h", "w"]))
    ds = data.load(str(tmp_path / "d.npz"))
    assert ds.names == ("h", "w") and ds.t.tolist() == [0.0, 1.0]


def test_training_on_npy_matches_csv(tmp_path, run_json):
    toy = data.toy()
    np.save(tmp_path / "toy.npy", np.column_stack([toy.X, toy.t]))
    out = run_json("train", tmp_path / "toy.npy")
    assert out["trained_loss"] == run_json("train")["trained_loss"]


@pytest.mark.parametrize("make, message", [
    (lambda p: np.save(p / "d.npy", np.arange(3.0)), "expected a 2-D array"),
    (lambda p: np.save(p / "d.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True), "not a readable"),
    (lambda p: np.save(p / "d.npy", np.array([[np.nan, 1.0]])), "NaN or infinite"),
    (lambda p: np.save(p / "d.npy", np.array([[1.0, 1.0], [1.0, 2.0]])), "target 2 (row 2) must be 0 or 1"),
    (lambda p: np.savez(p / "d.npz", X=np.ones((2, 2))), "missing array 't'"),
    (lambda p: (p / "d.npy").write_bytes(b"not numpy"), "not a readable NumPy file"),
])
def test_bad_numpy_files(tmp_path, make, message):
    make(tmp_path)
    path = next(tmp_path.glob("d.np*"))
    with pytest.raises(DataError) as caught:
        data.load(str(path))
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_duplicated_rows_by_hash_equal_the_count_by_sorting():
    rng = np.random.default_rng(2)
    X = rng.integers(0, 3, size=(5000, 3)).astype(float)
    t = rng.integers(0, 2, size=5000).astype(float)
    expected = 5000 - np.unique(np.column_stack([X, t]), axis=0).shape[0]
    assert describe.duplicated_rows(X, t) == expected > 0


def test_benchmark_quick_run():
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    for needle in ("seconds per training step", "reading a CSV file", "start-up", "peak RSS while training",
                   "quick run: no target judged"):
        assert needle in done.stdout
