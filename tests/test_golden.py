"""The seed program's two printed numbers, from every way of giving cecli the toy set."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from conftest import ROOT, SEED_INITIAL, SEED_TRAINED

from cecli import data
from cecli.config import Config
from cecli.train import train

TOY_PATHS = [None, str(ROOT / "data" / "toy.csv"), str(ROOT / "data" / "toy.yaml")]


def seed_program():
    """The seed's loop as it is written, on the built-in arrays: (initial, trained)."""
    toy = data.toy()
    inputs, targets = toy.X, toy.t.astype(bool)

    def training_loss(weights):
        preds = 0.5 * (anp.tanh(anp.dot(inputs, weights)) + 1)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -anp.sum(anp.log(label_probabilities))

    weights = np.array([0.0, 0.0, 0.0])
    initial = training_loss(weights)
    for _ in range(100):
        weights -= grad(training_loss)(weights) * 0.01
    return initial, training_loss(weights)


def test_seed_program_prints_the_golden_numbers():
    assert seed_program() == (SEED_INITIAL, SEED_TRAINED)


@pytest.mark.parametrize("path", TOY_PATHS)
def test_train_reproduces_the_seed(path):
    result = train(data.load(path), Config())
    assert result.initial_loss == pytest.approx(SEED_INITIAL, rel=1e-12)
    assert result.trained_loss == pytest.approx(SEED_TRAINED, rel=1e-12)
    assert result.steps == 100


@pytest.mark.parametrize("path", TOY_PATHS)
def test_cli_train_reproduces_the_seed(run, run_json, path):
    args = [path] if path else []
    out = run_json("train", *args)
    assert out["initial_loss"] == pytest.approx(SEED_INITIAL, rel=1e-12)
    assert out["trained_loss"] == pytest.approx(SEED_TRAINED, rel=1e-12)
    assert len(out["losses"]) == out["steps"] == 100
    text = run("train", *args).stdout
    assert "Initial loss: 2.772588722239781" in text
    trained = float(text.split("Trained loss:")[1].split()[0])
    assert trained == pytest.approx(SEED_TRAINED, rel=1e-12)


def test_seed_config_file_reproduces_the_seed(run_json):
    out = run_json("train", "--config", ROOT / "configs" / "seed.yaml")
    assert out["trained_loss"] == pytest.approx(SEED_TRAINED, rel=1e-12)


def test_builtin_csv_and_yaml_hold_the_same_arrays():
    sets = [data.load(p) for p in TOY_PATHS]
    for other in sets[1:]:
        assert np.array_equal(other.X, sets[0].X) and np.array_equal(other.t, sets[0].t)
        assert other.names == sets[0].names
        assert other.X.dtype == other.t.dtype == np.float64
        assert other.X.shape == (4, 3) and other.t.shape == (4,)


def test_trajectory_matches_the_seed_step_by_step():
    toy = data.toy()
    result = train(toy, Config(steps=5))
    w = np.zeros(3)

    def seed_loss(weights):
        preds = 0.5 * (anp.tanh(anp.dot(toy.X, weights)) + 1)
        return -anp.sum(anp.log(preds * toy.t + (1 - preds) * (1 - toy.t)))

    for loss_after_step in result.losses:
        w = w - grad(seed_loss)(w) * 0.01
        assert loss_after_step == pytest.approx(seed_loss(w), rel=1e-14)
