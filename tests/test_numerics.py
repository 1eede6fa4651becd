"""The stable loss where the seed's form breaks, divergence, the learning-rate bound, standardization."""

from decimal import Decimal, getcontext

import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cecli import compare, data, fused, model, standardize
from cecli.config import Config
from cecli.train import train

getcontext().prec = 60


def exact_softplus(x: float) -> float:
    """log(1 + exp(x)) to 60 digits."""
    return float((1 + Decimal(x).exp()).ln())


def exact_residual(a: float, label: float) -> float:
    """logistic(a) - label to 60 digits, rounded once."""
    return float(1 / (1 + (-Decimal(a)).exp()) - Decimal(label))


@pytest.mark.parametrize("a", [20.0, -20.0, 40.0, -40.0, 1000.0, -1000.0, 0.5])
@pytest.mark.parametrize("label", [0.0, 1.0])
@pytest.mark.parametrize("sigmoid", model.SIGMOIDS)
def test_stable_loss_and_gradient_are_exact_at_saturation(a, label, sigmoid):
    scale = model.LOGIT_SCALE[sigmoid]
    X, t, w = np.array([[a / scale]]), np.array([label]), np.array([1.0])
    expected = exact_softplus(-a) if label == 1 else exact_softplus(a)
    assert model.loss(w, X, t, sigmoid) == pytest.approx(expected, rel=1e-12)
    gradient = grad(model.loss)(w, X, t, sigmoid)
    expected_gradient = exact_residual(a, label) * a  # d/dw of the loss of a = scale * x * w, at w = 1
    assert np.isfinite(gradient).all()
    assert gradient[0] == pytest.approx(expected_gradient, rel=1e-12, abs=1e-300)


def test_the_seed_form_breaks_where_the_stable_one_does_not():
    X, t, w = np.array([[20.0]]), np.array([0.0]), np.array([1.0])  # tanh: p rounds to 1.0 at z = 20
    with np.errstate(divide="ignore"):
        assert model.seed_loss(w, X, t) == np.inf
    assert model.loss(w, X, t) == pytest.approx(40.0, rel=1e-12)


def test_features_near_1e300_stay_finite():
    X = np.array([[1e300, -3e299], [-2e300, 1e299]])
    t = np.array([1.0, 0.0])
    for w in (np.array([1e-300, 1e-300]), np.array([1.0, -1.0])):
        value, gradient = model.loss(w, X, t), grad(model.loss)(w, X, t)
        assert np.isfinite(value) and np.isfinite(gradient).all()
    assert model.loss(np.array([1.0, -1.0]), X, t) == 0.0  # both labels right with certainty
    # wrong with certainty: the loss is the logit itself, 2 * 1.3e300
    assert model.loss(np.array([-1.0, 1.0]), X, t) == pytest.approx(2 * 1.3e300 + 2 * 2.1e300, rel=1e-12)


@settings(max_examples=50)
@given(arrays(np.float64, (6, 3), elements=st.floats(-30, 30)), st.sampled_from(model.SIGMOIDS),
       st.sampled_from(model.REDUCTIONS), arrays(np.float64, 3, elements=st.floats(-3, 3)), st.booleans(),
       st.sampled_from([np.array([0.0, 1, 1, 0, 1, 0]), np.array([0.1, 1, 0.5, 0, 0.7, 0.2])]))
def test_fused_loss_equals_the_op_by_op_form(X, sigmoid, reduction, w, intercept, t):
    """The fast path (one pass, one primitive) against model.loss, to 1e-12: values and gradients."""
    design = np.column_stack([X, np.ones(6)]) if intercept else X
    w = np.append(w, 0.4) if intercept else w
    fast = fused.LogisticNLL(X, t, sigmoid, reduction, intercept, block=4)  # 2 blocks: the block loop runs
    assert fast(w) == pytest.approx(model.loss(w, design, t, sigmoid, reduction), rel=1e-12, abs=1e-300)
    # a gradient coordinate is a sum of per-example terms that may cancel: compare on their scale
    np.testing.assert_allclose(grad(fast)(w), grad(model.loss)(w, design, t, sigmoid, reduction), rtol=1e-12,
                               atol=1e-12 * (np.abs(design).sum() + 1e-300))


@pytest.mark.parametrize("sigmoid", model.SIGMOIDS)
@pytest.mark.parametrize("reduction", model.REDUCTIONS)
@pytest.mark.parametrize("intercept", [False, True])
def test_fused_loss_on_blocks_of_many_rows_equals_the_op_by_op_form(sigmoid, reduction, intercept):
    """Blocks long enough for the exp-and-log1p form, logits from -60 to 60, against model.loss to 1e-12."""
    rng = np.random.default_rng(11)
    X = rng.normal(scale=4.0, size=(3000, 5))
    t = (rng.random(3000) < 0.5).astype(float)
    w = rng.normal(size=6 if intercept else 5)
    design = np.column_stack([X, np.ones(3000)]) if intercept else X
    fast = fused.LogisticNLL(X, t, sigmoid, reduction, intercept, block=1024)  # 3 blocks, the last one short
    assert fast(w) == pytest.approx(model.loss(w, design, t, sigmoid, reduction), rel=1e-12)
    np.testing.assert_allclose(grad(fast)(w), grad(model.loss)(w, design, t, sigmoid, reduction), rtol=1e-12,
                               atol=1e-12 * np.abs(design).sum() / (3000 if reduction == "mean" else 1))


def test_fused_loss_is_the_same_for_every_layout_of_x(tmp_path):
    """C order, Fortran order, a column slice of a wider table and a memory map: the same sums, bit for bit."""
    rng = np.random.default_rng(7)
    table = rng.normal(size=(700, 5))
    t, w = (rng.random(700) < 0.5).astype(float), rng.normal(size=3)
    np.save(tmp_path / "table.npy", table)
    layouts = {"C": np.ascontiguousarray(table[:, 1:4]), "F": np.asfortranarray(table[:, 1:4]),
               "column slice": table[:, 1:4], "memory map": np.load(tmp_path / "table.npy", mmap_mode="r")[:, 1:4]}
    expected_value, expected_gradient = model.loss(w, layouts["C"], t), grad(model.loss)(w, layouts["C"], t)
    for name, X in layouts.items():
        value, gradient = fused.LogisticNLL(X, t, block=300).value_and_gradient(w)  # 2 long blocks, 1 short
        assert value == pytest.approx(expected_value, rel=1e-12), name
        np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-12, err_msg=name)


def test_the_blocks_shared_among_threads_give_the_same_bits_as_one_thread(monkeypatch):
    rng = np.random.default_rng(3)
    X, t, w = rng.normal(size=(1000, 4)), (rng.random(1000) < 0.5).astype(float), rng.normal(size=4)
    monkeypatch.setattr(fused, "LANES", 1)
    alone = fused.LogisticNLL(X, t, intercept=True, block=300).value_and_gradient(np.append(w, 0.3))
    monkeypatch.setattr(fused, "LANES", 3)
    shared = fused.LogisticNLL(X, t, intercept=True, block=300).value_and_gradient(np.append(w, 0.3))
    assert fused._pool is not None  # the threads did run (threadpoolctl comes with the test extra)
    assert alone[0] == shared[0] and np.array_equal(alone[1], shared[1])


# the careful form alone (few elements); exp and log1p of e^m; e^m overflowing, so the careful form takes over
@pytest.mark.parametrize("size, largest", [(3, 700.0), (fused.FEW + 1, 700.0), (fused.FEW + 1, 1000.0)])
def test_softplus_sum_and_logistic_to_1e_14(size, largest):
    rng = np.random.default_rng(size)
    m = np.concatenate([[0.0, -0.0, 1e-300, -1e-20, 36.0, -36.0, largest, -700.0],
                        rng.normal(scale=rng.choice([1e-6, 1.0, 10.0, 100.0]), size=size)])[:max(size, 8)]
    total, logistic = fused.softplus_sum_and_logistic(m)
    getcontext().prec = 700  # enough digits that 1 + exp(-700) keeps its tail
    try:
        softplus = [(1 + Decimal(float(x)).exp()).ln() for x in m]
        assert total == pytest.approx(float(sum(softplus)), rel=1e-14)
        for x, p in zip(m, logistic, strict=True):
            assert p == pytest.approx(float(1 / (1 + (-Decimal(float(x))).exp())), rel=1e-14), x
    finally:
        getcontext().prec = 60


@pytest.mark.parametrize("size", [3, fused.FEW + 1])
def test_softplus_sum_of_well_classified_rows_keeps_every_tiny_term(size):
    """Every row far on its label's side: each term is about e^m, far below 1 ulp of 1, and all of them count."""
    m = -np.random.default_rng(size).uniform(20.0, 700.0, size=size)
    total, _ = fused.softplus_sum_and_logistic(m)
    getcontext().prec = 700
    try:
        assert total == pytest.approx(float(sum((1 + Decimal(float(x)).exp()).ln() for x in m)), rel=1e-14)
    finally:
        getcontext().prec = 60


def test_fused_hessian_equals_the_op_by_op_hessian():
    from autograd import hessian

    toy = data.toy()
    w = np.array([0.3, -0.2, 0.5])
    fast = fused.LogisticNLL(toy.X, toy.t)
    np.testing.assert_allclose(hessian(fast)(w), hessian(model.loss)(w, toy.X, toy.t), rtol=1e-12)


def test_fused_loss_is_exact_at_saturation():
    for a in (20.0, -20.0, 40.0, -40.0, 1000.0, -1000.0):
        for label in (0.0, 1.0):
            expected = exact_softplus(-a) if label == 1 else exact_softplus(a)
            fast = fused.LogisticNLL(np.array([[a / 2]]), np.array([label]))
            assert fast(np.array([1.0])) == pytest.approx(expected, rel=1e-12, abs=1e-300)
            assert grad(fast)(np.array([1.0]))[0] == pytest.approx(exact_residual(a, label) * a, rel=1e-12,
                                                                   abs=1e-300)


# --- divergence -----------------------------------------------------------------------------

TWO = data.Dataset(np.array([[1.0], [2.0]]), np.array([1.0, 0.0]), ("x",))


def test_a_run_that_ends_above_its_start_is_divergent():
    result = train(TWO, Config(lr=10, steps=5))
    assert result.diverged and result.diverged_at == 1


def test_a_non_finite_loss_stops_training_and_keeps_finite_losses():
    huge = data.Dataset(np.array([[1e300], [-1e300]]), np.array([1.0, 0.0]), ("x",))
    result = train(huge, Config(lr=1e10, steps=5))
    assert result.diverged and result.became_non_finite and result.diverged_at == result.steps + 1
    assert np.isfinite(result.weights).all() and all(np.isfinite(result.losses))


def test_descent_below_the_bound_does_not_diverge():
    assert not train(TWO, Config(lr=0.39, steps=200)).diverged


def test_cli_divergence_exits_1_with_step_lr_bound_and_fixes(run, write):
    path = write("two.csv", "x,target\n1,1\n2,0\n")
    result = run("train", path, "--lr", "10", "--steps", "5")
    assert result.exit_code == 1 and "Traceback" not in result.output
    message = result.stderr.strip().splitlines()[-1]
    for needle in ("diverged", "step 1", "--lr 10", "2/L = 0.4", "--reduction mean", "--standardize"):
        assert needle in message
    assert "Warning: --lr 10 is 25x the stable bound" in result.stderr
    assert "Trained loss" not in result.stdout and "nan" not in result.stdout


def test_cli_divergence_json(run, write):
    path = write("huge.csv", "x,target\n1e300,1\n-1e300,0\n")
    result = run("train", path, "--lr", "1e10", "--json")
    assert result.exit_code == 1
    import json

    out = json.loads(result.stdout)
    assert out["diverged"] is True and out["diverged_at"] == 1 and out["trained_loss"] is None
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout


def test_no_warning_below_the_bound(run):
    assert "Warning" not in run("train").stderr


# --- standardization and separation ---------------------------------------------------------

def test_standardization_round_trip(run_json, write):
    path = write("s.csv", "a,b,c,target\n1,10,5,1\n2,30,5,0\n3,20,5,1\n6,40,5,0\n")
    ds = data.load(path)
    out = run_json("train", path, "--standardize", "--steps", "3")
    record = out["standardization"]
    transform = standardize.Standardization(tuple(record["names"]), np.array(record["means"]),
                                            np.array(record["stds"]))
    Z = transform.apply(ds.X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1, rtol=1e-14)
    assert (Z[:, 2] == 0).all() and transform.constant_features == ("c",)
    # the same transform, then the same training, gives the same weights
    again = train(standardize.standardized(ds, transform), Config(steps=3))
    np.testing.assert_array_equal(again.weights, np.array(out["weights"]))


def test_standardize_warns_about_a_constant_column(run, write):
    path = write("s.csv", "a,c,target\n1,5,1\n2,5,0\n")
    assert "feature 'c' is constant (0): it has no effect" in run("train", path, "--standardize").stderr


def test_separable_data_is_said_to_be_separable(run, run_json, write):
    assert run_json("train")["separated"] is True
    assert "maximum-likelihood estimate does not exist" in run("train").stdout
    overlapping = write("o.csv", "x,target\n1,1\n1,0\n2,1\n")
    assert run_json("train", overlapping)["separated"] is False


def test_compare_losses_flags_the_seed_forms_where_they_fail():
    X, t = np.array([[20.0], [1.0], [-30.0]]), np.array([0.0, 1.0, 0.0])
    c = compare.compare_losses(np.array([1.0]), X, t)
    flags = c.flags()
    assert "NLL inf" in flags[0] and flags[1] == "" and "CE nan" in flags[2]
    assert np.isfinite(c.stable) and not c.equal_in_float64


def test_compare_losses_cli_says_where_float64_breaks(run, run_json, write):
    path = write("s.csv", "x,target\n1,1\n2,0\n-30,0\n9,1\n-9,1\n")
    result = run("compare-losses", path, "--steps", "1", "--lr", "1")
    assert result.exit_code == 0 and "Equal on paper, not in float64" in result.stdout
    out = run_json("compare-losses", path, "--steps", "1", "--lr", "1")
    assert out["trained"]["flagged"] == 5 and out["trained"]["nll"] is None
    assert out["trained"]["stable_nll"] == pytest.approx(638.0)
