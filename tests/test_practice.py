"""Training a practitioner can use: intercept, l2, init, optimizers, stopping, holdout, models."""

import json
import os

import numpy as np
import pytest

from cecli import data, model, modelfile, train
from cecli.config import Config

TOY = data.toy()


def synthetic(n=569, d=10, seed=3):
    """A breast-cancer-sized problem: standardized features, an offset, overlapping classes."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    logits = X @ rng.normal(0, 1.0, d) + 0.4
    t = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(float)
    return data.Dataset(X, t, tuple(f"f{j}" for j in range(d)))


def irls(X, t, iterations=100):
    """Maximum likelihood by iteratively reweighted least squares, in plain numpy: an independent reference."""
    w = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ w))
        H = X.T @ (X * (p * (1 - p))[:, None])
        w = w + np.linalg.solve(H, X.T @ (t - p))
    return w


def test_newton_reaches_the_maximum_likelihood_optimum_in_under_30_iterations():
    ds = synthetic()
    config = Config(optimizer="newton", intercept=True, reduction="mean", sigmoid="logistic", steps=30, tol=1e-10)
    result = train.train(ds, config)
    assert result.stopped == "converged" and result.steps < 30
    reference = irls(np.column_stack([ds.X, np.ones(ds.n)]), ds.t)
    np.testing.assert_allclose(result.weights, reference, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("optimizer, lr", [("momentum", 1.0), ("adam", 0.05), ("gd", 1.0)])
def test_every_optimizer_reaches_newtons_optimum(optimizer, lr):
    ds, base = synthetic(200, 4), Config(steps=300, reduction="mean", intercept=True)
    optimum = train.train(ds, Config(**{**base.__dict__, "optimizer": "newton", "steps": 20})).trained_loss
    result = train.train(ds, Config(**{**base.__dict__, "optimizer": optimizer, "lr": lr}))
    assert not result.diverged and result.trained_loss == pytest.approx(optimum, rel=1e-6)


def test_momentum_and_adam_follow_autograds_formulas():
    from autograd.misc.optimizers import adam, sgd

    problem = train.design(TOY, Config())
    from autograd import grad

    gradient = grad(problem.objective)
    for name, reference in (("momentum", lambda: sgd(lambda w, i: gradient(w), np.zeros(3), num_iters=20,
                                                       step_size=0.01, mass=0.9)),
                            ("adam", lambda: adam(lambda w, i: gradient(w), np.zeros(3), num_iters=20,
                                                  step_size=0.01))):
        ours = train.train(TOY, Config(optimizer=name, steps=20)).weights
        np.testing.assert_allclose(ours, reference(), rtol=1e-12)


def test_intercept_is_last_and_not_penalized():
    config = Config(intercept=True, l2=0.5)
    problem = train.design(TOY, config)
    assert problem.names[-1] == "(intercept)" and problem.X.shape == (4, 4)
    w = np.array([1.0, 2.0, 3.0, 100.0])
    assert problem.penalty(w) == pytest.approx(0.25 * (1 + 4 + 9))
    assert problem.objective(w) == pytest.approx(problem.nll(w) + problem.penalty(w))


def test_normal_init_is_seeded():
    a = train.initial_weights(5, Config(init="normal", seed=1))
    assert np.array_equal(a, train.initial_weights(5, Config(init="normal", seed=1)))
    assert not np.array_equal(a, train.initial_weights(5, Config(init="normal", seed=2)))
    assert 0 < np.abs(a).max() < 0.1


def test_tol_stops_and_says_converged(run_json):
    out = run_json("train", "--optimizer", "newton", "--l2", "1", "--tol", "1e-9", "--steps", "50")
    assert out["converged"] is True and out["stopped"] == "converged" and out["steps"] < 50
    assert out["penalty"] > 0 and out["separated"] is False


def test_holdout_split_is_seeded_and_patience_stops(run_json):
    ds = synthetic(100, 3)
    prepared = train.prepare(ds, Config(holdout=0.2, seed=4))
    assert prepared.valid.n == 20 and prepared.train.n == 80
    again = train.prepare(ds, Config(holdout=0.2, seed=4))
    assert np.array_equal(prepared.valid.X, again.valid.X)
    result = train.train(prepared.train, Config(lr=5, steps=500, reduction="mean", patience=3), valid=prepared.valid)
    assert result.stopped == "patience" and result.steps < 500
    seen = [result.initial_validation_loss, *result.validation_losses]
    assert result.steps == int(np.argmin(seen)) + 3  # 3 steps after the best, counting the start as step 0


def test_holdout_that_leaves_nothing_is_refused(run):
    result = run("train", "--holdout", "0.1")  # 10% of 4 rows rounds to none
    assert result.exit_code == 2 and "leaves no rows for validation" in result.stderr


def test_standardization_is_fitted_on_training_rows_only():
    ds = synthetic(50, 2)
    prepared = train.prepare(ds, Config(holdout=0.3, standardize=True))
    np.testing.assert_allclose(prepared.train.X.mean(axis=0), 0, atol=1e-12)
    assert np.abs(prepared.valid.X.mean(axis=0)).max() > 1e-6


def test_terminal_plot_and_validation_in_summary(run, write):
    rows = "\n".join(f"{x},{int(x > 0.3)}" for x in np.linspace(-1, 1, 40))
    path = write("d.csv", "x,target\n" + rows + "\n")
    result = run("train", path, "--holdout", "0.25", "--intercept", "--steps", "30", "--lr", "0.05")
    assert result.exit_code == 0 and "● training ○ validation" in result.stdout
    assert "validation   10 rows" in result.stdout


def test_plot_file(run, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "curve.png"
    assert run("train", "--plot", target).exit_code == 0
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_plot_without_matplotlib_says_how_to_get_it(run, monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real(name, *a))
    result = run("train", "--plot", tmp_path / "c.png")
    assert result.exit_code == 2 and "pip install 'cecli[plot]'" in result.stderr
    assert run("train", "--plot", tmp_path / "c.pdf").exit_code == 2


# --- saved models ---------------------------------------------------------------------------

@pytest.fixture
def saved(run, tmp_path):
    path = tmp_path / "toy.csv"
    path.write_text((data.format_csv(TOY)), encoding="utf-8")
    model_path = tmp_path / "model.json"
    result = run("train", path, "--save", model_path, "--intercept", "--standardize", "--steps", "20")
    assert result.exit_code == 0, result.output
    return path, model_path


def test_saved_model_has_everything_to_predict_and_reproduce(saved):
    path, model_path = saved
    record = json.loads(model_path.read_text())
    for key in ("weights", "intercept", "names", "sigmoid", "standardization", "options", "data_sha256", "losses",
                "versions"):
        assert key in record
    assert record["names"] == ["x1", "x2", "x3"] and len(record["weights"]) == 4
    assert record["data_sha256"] == modelfile.sha256_of(str(path))
    assert set(record["versions"]) == {"cecli", "numpy", "autograd"} and record["interrupted"] is False
    umask = os.umask(0)
    os.umask(umask)
    assert model_path.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not mkstemp's private one


def test_saved_model_reloads_to_the_same_predictions(run, run_json, saved):
    path, model_path = saved
    loaded = modelfile.load_model(str(model_path))
    ds = data.load(str(path))
    prepared = train.prepare(ds, Config(**loaded.options))
    expected = model.predictions(loaded.weights, train.design(prepared.train, Config(**loaded.options)).X)
    out = run_json("predict", model_path, path)
    np.testing.assert_array_equal(out["p"], expected)
    csv_lines = run("predict", model_path, path).stdout.splitlines()
    assert csv_lines[0] == "row,p,label" and float(csv_lines[1].split(",")[1]) == expected[0]


def test_predict_matches_columns_by_name_and_refuses_a_mismatch(run, run_json, saved, write):
    _, model_path = saved
    shuffled = write("s.csv", "x3,x1,x2\n0.77,0.52,1.12\n")
    plain = write("p.csv", "x1,x2,x3\n0.52,1.12,0.77\n")
    assert run_json("predict", model_path, shuffled)["p"] == run_json("predict", model_path, plain)["p"]
    result = run("predict", model_path, write("bad.csv", "x1,x2,size\n1,2,3\n"))
    assert result.exit_code == 1
    assert "missing x3; unexpected size" in result.stderr


def test_evaluate(run_json, saved):
    path, model_path = saved
    out = run_json("evaluate", model_path, path)
    assert out["rows"] == 4 and out["accuracy"] == 1.0 and out["confusion"] == {"tp": 3, "fp": 0, "tn": 1, "fn": 0}
    assert out["loss_mean"] == pytest.approx(out["loss_sum"] / 4)
    assert out["baseline_sum"] == pytest.approx(-4 * (0.75 * np.log(0.75) + 0.25 * np.log(0.25)))


def test_replay_matches_bit_for_bit_and_detects_a_changed_file(run, run_json, saved):
    path, model_path = saved
    assert run_json("replay", model_path)["identical"] is True
    path.write_text(path.read_text().replace("0.52", "0.53", 1))
    result = run("replay", model_path)
    assert result.exit_code == 1 and "changed since the model was trained" in result.stderr


def test_an_interrupted_save_leaves_the_old_file_intact(saved, monkeypatch):
    _, model_path = saved
    before = model_path.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        modelfile.save_model(str(model_path), {"weights": [1.0]})
    assert model_path.read_bytes() == before
    assert [p.name for p in model_path.parent.iterdir() if p.name.startswith(".cecli-")] == []


def test_save_never_overwrites_the_data_file(run, saved):
    path, _ = saved
    result = run("train", path, "--save", path)
    assert result.exit_code == 2 and "is the data file" in result.stderr


def test_ctrl_c_reports_the_last_step_saves_and_exits_130(run, tmp_path, monkeypatch):
    from cecli import optimizers

    def gd_until_3(lr):
        def rule(step, w, value, g):
            if step == 3:
                raise KeyboardInterrupt
            return w - lr * g
        return rule

    monkeypatch.setattr(optimizers, "gradient_descent", gd_until_3)
    model_path = tmp_path / "m.json"
    result = run("train", "--save", model_path)
    assert result.exit_code == 130
    assert "interrupted after step 2" in result.stderr and "saved to" in result.stderr
    record = json.loads(model_path.read_text())
    assert record["interrupted"] is True and len(record["losses"]) == 2


def test_replay_says_where_the_losses_part(run, saved):
    _, model_path = saved
    record = json.loads(model_path.read_text())
    record["losses"][6] = float(np.nextafter(record["losses"][6], 10.0))  # one ulp
    model_path.write_text(json.dumps(record))
    result = run("replay", model_path)
    assert result.exit_code == 1 and "losses differ from step 7" in result.stdout
