"""compare-losses: the ladder, underflow, per-example terms, gradients, soft labels, baselines."""

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cecli import compare, data

TOY = data.toy()


def test_ladder_at_zero_weights():
    c = compare.compare_losses(np.zeros(3), TOY.X, TOY.t)
    assert c.likelihood == 0.5**4 and c.underflow_at is None
    assert c.log_likelihood == pytest.approx(-4 * math.log(2), rel=1e-15)
    assert c.nll == c.cross_entropy == pytest.approx(c.stable, rel=1e-15)
    assert np.all(c.ulps == 0) and c.flags() == [""] * 4


def test_the_product_underflows_where_the_log_does_not():
    n = 1100
    X, t = np.ones((n, 1)), np.arange(n) % 2.0
    c = compare.compare_losses(np.zeros(1), X, t)
    assert c.likelihood == 0.0
    assert c.underflow_at == 1075  # 0.5**1074 is the smallest subnormal float64; 0.5**1075 rounds to 0
    assert c.log_likelihood == pytest.approx(-n * math.log(2), rel=1e-14)


def test_top_k_are_the_largest_loss_terms():
    c = compare.compare_losses(np.array([1.0, -1.0, 0.5]), TOY.X, TOY.t)
    top = c.top(2)
    assert list(top) == list(np.argsort(-c.stable_terms)[:2])
    assert list(c.top(None)) == [0, 1, 2, 3]


def test_gradients_of_nll_and_ce_forms_agree_for_binary_targets():
    g = compare.compare_gradients(np.array([0.3, -0.2, 0.5]), TOY.X, TOY.t)
    assert g.max_difference == 0.0
    np.testing.assert_allclose(g.nll, g.stable, rtol=1e-13)


@given(st.floats(0.01, 0.99), st.floats(-3, 3))
def test_soft_labels_part_the_forms_and_ce_is_the_stable_one(t, a):
    X, targets = np.array([[a / 2]]), np.array([t])
    c = compare.compare_losses(np.array([1.0]), X, targets)
    assert c.cross_entropy == pytest.approx(c.stable, rel=1e-9)
    # -log(pt + (1-p)(1-t)) <= CE by Jensen (log is concave); equal only for 0/1 targets or p = 1/2
    assert c.nll <= c.cross_entropy * (1 + 1e-15)
    if abs(a) > 0.1:
        assert c.nll < c.cross_entropy


def test_cross_entropy_is_smallest_at_p_equal_t_and_the_other_form_is_not():
    t = np.array([0.3])
    logits = np.linspace(-6, 6, 2401)
    ce = [compare.compare_losses(np.array([a / 2]), np.ones((1, 1)), t).cross_entropy for a in logits]
    nll = [compare.compare_losses(np.array([a / 2]), np.ones((1, 1)), t).nll for a in logits]
    best_p = 1 / (1 + math.exp(-logits[int(np.argmin(ce))]))
    assert best_p == pytest.approx(0.3, abs=2e-3)
    assert int(np.argmin(nll)) == 0  # pushes p to 0 for t < 1/2


def test_baselines_and_pseudo_r2():
    b = compare.baselines(TOY.t, 0.5)
    assert b.uniform == pytest.approx(4 * math.log(2))
    assert b.constant == pytest.approx(-4 * (0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert b.pseudo_r2 == pytest.approx(1 - 0.5 / b.constant)
    assert compare.entropy(0.0) == compare.entropy(1.0) == 0.0


def test_cli_json_carries_everything(run_json):
    out = run_json("compare-losses")
    for key in ("initial", "trained", "gradients", "baselines", "unit"):
        assert key in out
    assert out["gradients"]["max_difference"] == 0.0
    assert out["baselines"]["uniform"] == pytest.approx(4 * math.log(2))
    assert out["trained"]["examples"][0]["ulps"] == 0.0
    bits = run_json("compare-losses", "--bits")
    assert bits["unit"] == "bits" and bits["baselines"]["uniform"] == pytest.approx(4.0)


def test_cli_weights_file_from_train_json(run, run_json, write):
    trained = run("train", "--json").stdout
    out = run_json("compare-losses", "--weights", write("w.json", trained))
    assert out["given"]["weights"] == json.loads(trained)["weights"]
    assert out["given"]["stable_nll"] == pytest.approx(out["trained"]["stable_nll"], rel=1e-15)


@pytest.mark.parametrize("content, message", [
    ('{"weights": [1, 2]}', "2 weights, but the data has 3 features"),
    ('{"weights": [1, 2, 3], "names": ["a", "b", "c"]}', "weights are for features a, b, c"),
    ("[1, 2, 3]", "expected a JSON object"),
    ("{", "not valid JSON"),
])
def test_cli_bad_weights_file(run, write, content, message):
    result = run("compare-losses", "--weights", write("w.json", content))
    assert result.exit_code == 1 and message in result.stderr and "Traceback" not in result.output


def test_cli_soft_labels(run, run_json, write):
    path = write("soft.csv", "x,target\n1,0.3\n2,0.9\n-1,0.2\n")
    assert run("compare-losses", path).exit_code == 1  # soft labels need the flag
    out = run_json("compare-losses", path, "--soft-labels")
    assert out["soft_labels"] is True and out["trained"]["difference"] < 0
    assert "expected NLL" in run("compare-losses", path, "--soft-labels").stdout


def test_cli_top_k(run, write):
    rows = "\n".join(f"{i},{i % 2}" for i in range(30))
    result = run("compare-losses", write("many.csv", "x,target\n" + rows + "\n"), "--top", "3")
    assert "showing the 3 of 30 examples" in result.stdout
