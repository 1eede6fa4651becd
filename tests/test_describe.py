"""The dataset summary behind `cecli inspect` and train's warnings."""

import numpy as np
import pytest

from cecli import data, describe

TOY = data.toy()


def dataset(X, t):
    X = np.asarray(X, dtype=np.float64)
    return data.Dataset(X, np.asarray(t, dtype=np.float64), tuple(f"x{j + 1}" for j in range(X.shape[1])))


def test_toy_summary():
    s = describe.summarize(TOY)
    assert s.n == 4 and s.positives == 3 and s.duplicated_rows == 0 and s.warnings() == []
    assert np.allclose(s.mean, TOY.X.mean(axis=0)) and np.allclose(s.std, TOY.X.std(axis=0))
    assert s.eigenvalue == pytest.approx(np.linalg.eigvalsh(TOY.X.T @ TOY.X).max(), rel=1e-12)


def test_stable_lr_is_2_over_the_curvature_bound():
    s = describe.summarize(TOY)
    L = np.linalg.eigvalsh(TOY.X.T @ TOY.X).max()
    assert s.stable_lr("tanh", "sum") == pytest.approx(2 / L, rel=1e-12)
    assert s.stable_lr("logistic", "sum") == pytest.approx(8 / L, rel=1e-12)
    assert s.stable_lr("tanh", "mean") == pytest.approx(2 * 4 / L, rel=1e-12)


def test_power_iteration_matches_eigvalsh_on_random_data():
    X = np.random.default_rng(1).standard_normal((200, 7))
    assert describe.largest_eigenvalue(X) == pytest.approx(np.linalg.eigvalsh(X.T @ X).max(), rel=1e-9)


def test_gradient_descent_below_the_bound_descends_and_above_it_diverges():
    from cecli.config import Config
    from cecli.train import train

    bound = describe.summarize(TOY).stable_lr("tanh", "sum")
    assert train(TOY, Config(lr=0.9 * bound, steps=50)).trained_loss < 2.78
    X = np.array([[1.0], [2.0]])  # quadratic-like near w = 0: lr far above 2/L overshoots
    assert describe.stable_lr(describe.largest_eigenvalue(X), 2, "tanh", "sum") == pytest.approx(0.4)


def test_warnings_for_one_class_constant_columns_and_duplicates():
    s = describe.summarize(dataset([[1, 2], [1, 3], [1, 3]], [1, 1, 1]))
    notes = s.warnings()
    assert len(notes) == 3
    assert "all 3 targets are 1" in notes[0]
    assert "'x1' is constant" in notes[1]
    assert "1 row repeats" in notes[2]


def test_negative_zero_is_a_duplicate_of_zero():
    assert describe.duplicated_rows(np.array([[0.0], [-0.0]]), np.array([1.0, 1.0])) == 1


def test_as_dict_has_the_stable_lr_for_the_asked_model():
    out = describe.summarize(TOY).as_dict("logistic", "mean")
    assert out["stable_lr"] == pytest.approx(describe.summarize(TOY).stable_lr("logistic", "mean"))
    assert [f["name"] for f in out["features"]] == ["x1", "x2", "x3"]
