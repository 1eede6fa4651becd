"""Every report fits an 80-column terminal and truncates no number."""

import io

import numpy as np
import pytest
from rich.console import Console

from cecli import compare, data, describe, gradcheck, model, render
from cecli.config import Config
from cecli.train import train, training_loss

TOY = data.toy()


def rendered(renderable) -> str:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def assert_fits(text: str):
    for line in text.splitlines():
        assert len(line) <= 80, line
    assert "…" not in text, text


@pytest.mark.parametrize("config", [Config(), Config(intercept=True, l2=0.1, holdout=0.25, optimizer="newton")])
def test_train_summary_fits(config):
    from cecli.run import TrainingRun, plan
    from cecli.train import fit, prepare

    prepared = prepare(TOY, config)
    problem, bound = plan(prepared, config)
    run = TrainingRun(config, prepared, problem, bound, fit(problem, valid=prepared.valid))
    assert_fits(rendered(render.train_summary(run, run.as_dict())))


def test_inspect_report_fits():
    assert_fits(rendered(render.inspect_report(describe.summarize(TOY), "tanh", "sum")))


@pytest.mark.parametrize("order, sweep", [(1, False), (2, True)])
def test_gradcheck_report_fits_and_lines_up(order, sweep):
    result = gradcheck.gradcheck(training_loss(TOY, Config()), TOY.names, order=order, sweep=sweep,
                                 closed_form=lambda w: model.closed_form_gradient(w, TOY.X, TOY.t),
                                 closed_form_hvp=lambda w, v: model.closed_form_hvp(w, v, TOY.X, TOY.t))
    text = rendered(render.gradcheck_report(result))
    assert_fits(text)
    assert "PASSED" in text and ("← best" in text) == sweep


def test_compare_report_fits():
    weights = {"initial": np.zeros(3), "trained": train(TOY, Config()).weights}
    results = {k: compare.compare_losses(w, TOY.X, TOY.t) for k, w in weights.items()}
    text = rendered(render.compare_report(
        results, {"initial": "at w = 0", "trained": "after 100 steps"}, results["trained"],
        compare.compare_gradients(weights["trained"], TOY.X, TOY.t), compare.baselines(TOY.t, 0.389),
        TOY.names, None, 1.0, "nats", False))
    assert_fits(text)
    # equal values print identically, so they line up
    assert text.count("0.38900754315581143") >= 2
