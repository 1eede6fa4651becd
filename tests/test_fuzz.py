"""Whatever the bytes, loading returns a valid dataset or raises DataError, nothing else."""

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cecli import data, yamldata
from cecli.errors import DataError

FOLDER = Path(tempfile.mkdtemp(prefix="cecli-fuzz-"))
names = st.text(st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")), min_size=1, max_size=5)


@st.composite
def datasets(draw):
    n, d = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    X = draw(arrays(np.float64, (n, d), elements=st.floats(allow_nan=False, allow_infinity=False)))
    t = draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0])))
    feature_names = draw(st.lists(names, min_size=d, max_size=d, unique=True).filter(
        lambda ns: "target" not in ns))
    return data.Dataset(X, t, tuple(feature_names), "target")


def assert_valid(ds: data.Dataset):
    assert ds.X.dtype == np.float64 and ds.t.dtype == np.float64
    assert ds.X.ndim == 2 and ds.t.shape == (ds.X.shape[0],) and ds.X.shape[1] == len(ds.names)
    assert np.isfinite(ds.X).all() and set(ds.t.tolist()) <= {0.0, 1.0}


def load_bytes(raw: bytes, suffix: str):
    path = FOLDER / f"fuzz{suffix}"
    path.write_bytes(raw)
    try:
        assert_valid(data.load(str(path)))
    except DataError as error:
        assert str(error).startswith(str(path)) and "\n" not in str(error)


@st.composite
def corrupted(draw, text: str):
    raw = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["truncate", "insert", "replace", "delete"]))
        at = draw(st.integers(0, len(raw)))
        if action == "truncate":
            raw = raw[:at]
        elif action == "insert":
            raw[at:at] = draw(st.sampled_from([b",", b"\n", b"\"", b"\xff", b"\x00", b"nan", b"1e999",
                                               b"-", b" ", b"[", b"]", b":", b"!!python/object", b"0.5"]))
        elif action == "replace" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif action == "delete" and at < len(raw):
            del raw[at]
    return bytes(raw)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_csv_is_loaded_validly_or_refused(draw):
    ds = draw.draw(datasets())
    load_bytes(draw.draw(corrupted(data.format_csv(ds))), ".csv")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_corrupted_yaml_is_loaded_validly_or_refused(draw):
    ds = draw.draw(datasets())
    load_bytes(draw.draw(corrupted(yamldata.format_yaml(ds))), ".yaml")


@settings(max_examples=100)
@given(st.binary(max_size=200), st.sampled_from([".csv", ".yaml"]))
def test_random_bytes_are_loaded_validly_or_refused(raw, suffix):
    load_bytes(raw, suffix)


@settings(max_examples=100)
@given(datasets())
def test_csv_and_yaml_round_trip(ds):
    for text, suffix in ((data.format_csv(ds), ".csv"), (yamldata.format_yaml(ds), ".yaml")):
        path = FOLDER / f"round{suffix}"
        path.write_text(text, encoding="utf-8")
        back = data.load(str(path))
        assert np.array_equal(back.X, ds.X) and np.array_equal(back.t, ds.t)
        assert back.names == ds.names
