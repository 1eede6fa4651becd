"""The formulas: sigmoids, the NLL / cross-entropy identity, the stable form."""

import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cecli import model

finite_z = st.floats(-15, 15)


@given(finite_z)
def test_tanh_sigmoid_is_the_logistic_function_at_2z(z):
    # equal up to rounding: 0.5*(tanh(z)+1) loses relative digits as tanh(z) nears -1
    assert model.tanh_sigmoid(z) == pytest.approx(model.logistic_sigmoid(2 * z), abs=5e-16)


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(1e-12, 1 - 1e-12)),
       st.data())
def test_nll_equals_cross_entropy_for_binary_targets(p, draw):
    t = np.array(draw.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=p.size, max_size=p.size)))
    assert np.array_equal(model.nll_terms(p, t), model.cross_entropy_terms(p, t))


@given(st.lists(st.floats(-2, 2), min_size=1, max_size=20), st.sampled_from(model.SIGMOIDS), st.data())
def test_stable_loss_equals_the_seed_form_away_from_saturation(z, sigmoid, draw):
    X = np.array(z)[:, None]
    t = np.array(draw.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(z), max_size=len(z))))
    w = np.array([1.0])
    assert model.loss(w, X, t, sigmoid) == pytest.approx(model.seed_loss(w, X, t, sigmoid), rel=1e-12)


def test_mean_reduction_divides_by_n():
    X, t, w = np.ones((4, 2)), np.array([0.0, 1, 1, 0]), np.array([0.3, -0.1])
    assert model.loss(w, X, t, reduction="mean") == pytest.approx(model.loss(w, X, t) / 4, rel=1e-15)


def test_loss_at_zero_is_n_ln_2():
    X, t = np.arange(10.0).reshape(5, 2), np.array([0.0, 1, 1, 0, 1])
    for sigmoid in model.SIGMOIDS:
        assert model.loss(np.zeros(2), X, t, sigmoid) == pytest.approx(5 * np.log(2), rel=1e-15)


def test_accuracy_counts_p_at_least_one_half_as_label_1():
    X, t = np.array([[1.0], [-1.0], [0.0]]), np.array([1.0, 1.0, 1.0])
    assert model.accuracy(np.array([1.0]), X, t) == pytest.approx(2 / 3)


def test_predictions_are_sigmoid_of_x_dot_w():
    X, w = np.array([[0.5, -1.0]]), np.array([2.0, 1.0])
    assert model.predictions(w, X, "logistic")[0] == pytest.approx(0.5)
    assert model.predictions(w, X, "tanh")[0] == pytest.approx(0.5 * (anp.tanh(0.0) + 1))
