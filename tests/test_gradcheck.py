"""The gradient check passes on the real gradient and catches wrong ones, and says where."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, hessian_tensor_product
from autograd.extend import defjvp, defvjp, primitive

from cecli import data, gradcheck, model
from cecli.config import Config
from cecli.train import training_loss

TOY = data.toy()


def check(config: Config | None = None, **kwargs):
    """gradcheck on the toy set with the closed forms, as the CLI runs it."""
    config = config or Config()
    fixed = (config.sigmoid, config.reduction)
    kwargs.setdefault("closed_form", lambda w: model.closed_form_gradient(w, TOY.X, TOY.t, *fixed))
    kwargs.setdefault("closed_form_hvp", lambda w, v: model.closed_form_hvp(w, v, TOY.X, TOY.t, *fixed))
    return gradcheck.gradcheck(kwargs.pop("loss", training_loss(TOY, config)), TOY.names, **kwargs)


@pytest.mark.parametrize("sigmoid", ["tanh", "logistic"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_real_gradient_and_hessian_pass(sigmoid, reduction):
    result = check(Config(sigmoid=sigmoid, reduction=reduction), order=2)
    assert result.passed and result.max_abs_error < 1e-8 and not result.failures()
    assert len([r for r in result.rows if r.kind == "gradient"]) == 4 * 3
    assert len([r for r in result.rows if r.kind == "hvp"]) == 4 * 3
    for row in result.rows:  # the analytic ways agree to rounding
        assert set(row.values) == {"reverse", "forward", "closed form"}
        for value in row.values.values():
            assert value == pytest.approx(row.reverse, rel=1e-13, abs=1e-15)


def test_a_wrong_gradient_fails_and_says_where_with_both_values():
    loss = training_loss(TOY, Config())
    result = check(loss=loss, gradient=lambda w: grad(loss)(w) * 1.001)
    assert not result.passed and not any(row.passed for row in result.rows)
    assert result.max_rel_error == pytest.approx(0.001 / 1.001, rel=1e-3)
    first = result.failures()[0]
    assert first.startswith("gradient at point 0, x1: reverse gives -1.62162")
    assert "the finite difference -1.61999999992 (relative error 0.001)" in first


def test_a_wrong_closed_form_is_caught():
    result = check(closed_form=lambda w: 0.5 * model.closed_form_gradient(w, TOY.X, TOY.t))  # forgot the 2
    assert not result.passed and "closed form gives" in result.failures()[0]


def test_a_wrong_hessian_vector_product_is_caught():
    loss = training_loss(TOY, Config())
    right = hessian_tensor_product(loss)
    result = check(loss=loss, order=2, hvp=lambda w, v: right(w, v) + 1e-3 * v)
    assert not result.passed
    assert all(r.passed for r in result.rows if r.kind == "gradient")
    failing = [r for r in result.rows if not r.passed]
    assert failing and all(r.kind == "hvp" for r in failing)
    assert result.failures()[0].startswith("Hessian-vector product at point")


@primitive
def wrongly_differentiated_loss(w):
    """The toy loss, with derivatives that are off by the sign of one coordinate."""
    return training_loss(TOY, Config())(w)


def _wrong_gradient(w):
    return grad(training_loss(TOY, Config()))(w) * anp.array([1.0, -1.0, 1.0])


defvjp(wrongly_differentiated_loss, lambda ans, w: lambda g: g * _wrong_gradient(w))
defjvp(wrongly_differentiated_loss, lambda g, ans, w: anp.dot(g, _wrong_gradient(w)))


def test_a_wrong_autograd_derivative_fails_every_check():
    result = check(loss=wrongly_differentiated_loss, n_random=1)
    assert not result.passed
    assert [row.passed for row in result.rows if row.point == 0] == [True, False, True]
    assert result.check_grads_failures  # autograd's own check_grads caught it too
    assert any("check_grads at point 0" in f for f in result.failures())


def test_eps_sweep_finds_the_truncation_roundoff_balance():
    result = check(sweep=True, n_random=1)
    errors = dict(result.sweep)
    assert list(errors) == [10.0**-k for k in range(1, 13)]
    assert 1e-8 <= result.best_eps <= 1e-4
    assert errors[1e-1] > 1e3 * errors[result.best_eps] < errors[1e-12]


def test_random_points_come_from_the_seed():
    a, b = check(seed=7), check(seed=7)
    assert all(np.array_equal(x, y) for x, y in zip(a.points, b.points, strict=True))
    assert np.array_equal(a.points[0], np.zeros(3)) and not np.array_equal(a.points[1], check(seed=8).points[1])


def test_forward_gradient_matches_reverse():
    loss = training_loss(TOY, Config())
    w = np.array([0.1, -0.4, 0.3])
    np.testing.assert_allclose(gradcheck.forward_gradient(loss, w), grad(loss)(w), rtol=1e-14)


def test_central_difference_of_a_quadratic_is_exact_to_rounding():
    w = np.array([1.0, -2.0])
    assert np.allclose(gradcheck.central_difference(lambda w: float(np.sum(w**2)), w, 1e-4), 2 * w, rtol=1e-9)


def test_gradcheck_of_a_penalized_model_with_an_intercept(run_json, write):
    """The closed forms include the l2 term and the intercept, as the objective does."""
    out = run_json("gradcheck", "--config", write("c.yaml", "intercept: true\nl2: 0.5\n"), "--order", "2")
    assert out["passed"] is True
    assert {row["feature"] for row in out["rows"]} == {"x1", "x2", "x3", "(intercept)"}
    assert all(row["closed_form"] is not None for row in out["rows"])
