"""The gradient check passes on the real gradient and catches wrong ones."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from autograd.extend import defjvp, defvjp, primitive

from cecli import data, gradcheck
from cecli.config import Config
from cecli.train import training_loss

TOY = data.toy()


@pytest.mark.parametrize("sigmoid", ["tanh", "logistic"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_real_gradient_passes(sigmoid, reduction):
    result = gradcheck.gradcheck(training_loss(TOY, Config(sigmoid=sigmoid, reduction=reduction)), TOY.names)
    assert result.passed
    assert result.max_rel_error < 1e-8
    assert len(result.rows) == 4 * 3 and not result.check_grads_failures


def test_a_wrong_gradient_fails_the_coordinate_check():
    loss = training_loss(TOY, Config())
    wrong = lambda w: grad(loss)(w) * 1.001  # noqa: E731
    result = gradcheck.gradcheck(loss, TOY.names, gradient=wrong)
    assert not result.passed
    assert not any(row.passed for row in result.rows)
    assert result.max_rel_error == pytest.approx(0.001 / 1.001, rel=1e-3)


@primitive
def wrongly_differentiated_loss(w):
    """The toy loss, with a vector-Jacobian product that is off by the sign of one coordinate."""
    return training_loss(TOY, Config())(w)


def _wrong_gradient(w):
    return grad(training_loss(TOY, Config()))(w) * anp.array([1.0, -1.0, 1.0])


defvjp(wrongly_differentiated_loss, lambda ans, w: lambda g: g * _wrong_gradient(w))
defjvp(wrongly_differentiated_loss, lambda g, ans, w: anp.dot(g, _wrong_gradient(w)))


def test_a_wrong_autograd_derivative_fails_both_checks():
    result = gradcheck.gradcheck(wrongly_differentiated_loss, TOY.names, n_random=1)
    assert not result.passed
    assert [row.passed for row in result.rows if row.point == 0] == [True, False, True]
    assert result.check_grads_failures  # autograd's own check_grads caught it too


def test_random_points_come_from_the_seed():
    a = gradcheck.check_points(3, 2, np.random.default_rng(7))
    b = gradcheck.check_points(3, 2, np.random.default_rng(7))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert np.array_equal(a[0], np.zeros(3))


def test_central_difference_of_a_quadratic_is_exact_to_rounding():
    f = lambda w: float(np.sum(w**2))  # noqa: E731
    w = np.array([1.0, -2.0])
    assert np.allclose(gradcheck.central_difference(f, w, 1e-4), 2 * w, rtol=1e-9)
