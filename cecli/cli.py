"""The command line: options in, results out. The only module that imports click.

Heavy modules (numpy, autograd, rich) are imported inside the commands, so that
`cecli --help` stays fast.
"""

from __future__ import annotations

import functools
import json

import click
from click.core import ParameterSource

from . import __version__
from .config import CHOICES, FIELDS, Config, read_config_file, resolve
from .errors import CecliError, CheckFailed, Diverged, finite, finite_list

DEFAULTS = Config()
SIGMOID_HELP = ("tanh: the seed's 0.5*(tanh(z)+1), which is the logistic function at 2z, "
                "so its weights are half the usual logits; logistic: the standard 1/(1+exp(-z)).")


class CecliError2Click(click.ClickException):
    """A core error shown as one line, with the error's own exit status."""

    def __init__(self, error: CecliError):
        super().__init__(str(error))
        self.exit_code = int(error.exit_status)


class CecliGroup(click.Group):
    """Turns every CecliError raised by a command into a one-line message and its exit status."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CecliError as error:
            raise CecliError2Click(error) from None


@click.group(cls=CecliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cecli")
def cli():
    """Train a logistic model with autograd, and see that maximizing the likelihood,
    minimizing the negative log-likelihood (NLL) and minimizing the binary
    cross-entropy are one and the same.

    With no PATH, commands use the built-in 4 x 3 toy set of the seed program.
    """


def data_options(f):
    """PATH, --target, --sigmoid, --reduction, --config and --json, shared by every command."""
    options = [
        click.argument("path", required=False, metavar="[PATH]"),
        click.option("--target", default=None, metavar="NAME",
                     help="CSV column holding the 0/1 labels. [default: target, label or y, else the last]"),
        click.option("--sigmoid", type=click.Choice(CHOICES["sigmoid"]), default=DEFAULTS.sigmoid,
                     show_default=True, help=SIGMOID_HELP),
        click.option("--reduction", type=click.Choice(CHOICES["reduction"]), default=DEFAULTS.reduction,
                     show_default=True, help="Sum the per-example NLL (the seed), or take its mean."),
        click.option("--standardize", is_flag=True, default=DEFAULTS.standardize,
                     help="z-score each feature with the data's mean and std before training."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     metavar="FILE", help="YAML file of options; flags given here override it."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
    ]
    return functools.reduce(lambda g, option: option(g), reversed(options), f)


def descent_options(f):
    """--lr and --steps, for commands that train."""
    f = click.option("--steps", type=click.IntRange(min=0), default=DEFAULTS.steps, show_default=True,
                     help="Number of gradient-descent steps.")(f)
    return click.option("--lr", type=float, default=DEFAULTS.lr, show_default=True,
                        help="Learning rate: w <- w - lr * grad.")(f)


def resolved_config(ctx: click.Context, config_path: str | None) -> Config:
    """Config defaults, then the config file, then the flags actually given."""
    file_values = read_config_file(config_path) if config_path else {}
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    flags = {name: value for name, value in ctx.params.items()
             if name in FIELDS and ctx.get_parameter_source(name) in given}
    return resolve(file_values, flags)


def load_data(path, config: Config, err=None, soft_labels: bool = False):
    """(dataset as the model sees it, its summary, the standardization or None); warnings go to err."""
    from . import render
    from .data import load
    from .describe import summarize
    from .standardize import fit, standardized

    data = load(path, config.target, soft_labels)
    transform = fit(data) if config.standardize else None
    if transform is not None:
        data = standardized(data, transform)
    summary = summarize(data)
    for message in summary.warnings() if err is not None else ():
        render.warning(err, message)
    return data, summary, transform


def emit_json(payload: dict) -> None:
    """One JSON object on stdout; nan and inf were made null by the core (JSON has no such numbers)."""
    click.echo(json.dumps(payload, indent=2, allow_nan=False))


@cli.command(short_help="Train from w = 0; print the initial and trained loss.")
@data_options
@descent_options
@click.pass_context
def train(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json, lr, steps):
    """Train by plain gradient descent from w = 0 and print the initial and trained loss.

    The loss is the negative log-likelihood of the labels, -sum log(p*t + (1-p)*(1-t)),
    with p = sigmoid(X @ w) and no intercept, as in the seed program. With the
    defaults on the built-in data it prints the seed's numbers.
    """
    from . import model, render
    from .train import train as run

    config = resolved_config(ctx, config_path)
    out, err = render.consoles()
    data, summary, transform = load_data(path, config, err)
    bound = summary.stable_lr(config.sigmoid, config.reduction)
    if config.lr > bound:
        times = f"{config.lr / bound:.3g}x" if bound > 0 else "infinitely far above"
        render.warning(err, f"--lr {config.lr:g} is {times} the stable bound 2/L = {bound:.4g} "
                            "for this data; gradient descent may diverge")
    with render.progress(err, config.steps, enabled=err.is_terminal and not as_json) as callback:
        result = run(data, config, callback)
    report = {
        "initial_loss": result.initial_loss, "trained_loss": None if result.diverged else result.trained_loss,
        "weights": None if result.diverged else finite_list(result.weights), "names": list(data.names),
        "steps": result.steps, "lr": config.lr, "sigmoid": config.sigmoid, "reduction": config.reduction,
        "standardization": transform.as_dict() if transform else None, "data": data.source, "rows": data.n,
        "losses": list(result.losses), "diverged": result.diverged, "diverged_at": result.diverged_at,
        "stable_lr": finite(bound),
    }
    if result.diverged:
        if as_json:
            emit_json(report)
        raise Diverged(divergence_message(result, config.lr, bound))
    report |= {"accuracy": model.accuracy(result.weights, data.X, data.t, config.sigmoid),
               "gradient_norm": result.gradient_norm,
               "separated": model.separates(result.weights, data.X, data.t)}
    if as_json:
        emit_json(report)
    else:
        out.print(render.train_summary(result, data, config, report))


def divergence_message(result, lr: float, bound: float) -> str:
    """Where and how training diverged, and the fixes."""
    step = result.diverged_at
    what = (f"the loss became inf or nan at step {step}" if result.became_non_finite
            else f"the loss rose above its initial value {result.initial_loss:.6g} at step {step} "
                 f"and ended at {result.trained_loss:.6g}")
    return (f"training diverged: {what}, with --lr {lr:g}. Plain gradient descent is stable on this data "
            f"below 2/L = {bound:.4g}: use --lr below that, or --reduction mean, or --standardize")


@cli.command(short_help="Check autograd's gradient four ways: rev, fwd, closed form, FD.")
@data_options
@click.option("--points", type=click.IntRange(min=0), default=3, show_default=True,
              help="Seeded standard-normal points to check besides w = 0.")
@click.option("--seed", type=int, default=DEFAULTS.seed, show_default=True,
              help="Seed of the points, the Hessian directions and check_grads' random directions.")
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Central-difference step: truncation error grows as eps², round-off as 1e-16/eps; "
                   "1e-6 keeps both near 1e-10 (see --sweep-eps).")
@click.option("--rtol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Relative tolerance per coordinate, far above the ~1e-10 error of a right gradient "
                   "and far below that of a wrong one.")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Absolute tolerance per coordinate, for coordinates near 0.")
@click.option("--order", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2 also checks Hessian-vector products (reverse-over-reverse, forward-over-reverse, "
                   "closed form) and runs check_grads to second order.")
@click.option("--sweep-eps", is_flag=True, help="Show the finite-difference error for eps from 1e-1 to 1e-12.")
@click.pass_context
def gradcheck(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json, points, seed, eps, rtol,
              atol, order, sweep_eps):
    """Check autograd's gradient of the training loss, four ways.

    At w = 0 and at --points seeded random points, each coordinate of autograd's
    reverse-mode gradient is set beside forward mode, the closed form
    scale * Xᵀ(p - t) (scale 2 for the tanh sigmoid, 1 for logistic), and a central
    finite difference. autograd's own check_grads runs too, as in the seed. A row
    passes when every way is within atol + rtol * |finite difference|. Exits 1 if
    any check fails, after the report.
    """
    from . import gradcheck as checks
    from . import model, render
    from .train import training_loss

    config = resolved_config(ctx, config_path)
    data, _, _ = load_data(path, config, render.consoles()[1])
    X, t, fixed = data.X, data.t, (config.sigmoid, config.reduction)
    result = checks.gradcheck(
        training_loss(data, config), data.names, points, seed, eps, rtol, atol, order,
        closed_form=lambda w: model.closed_form_gradient(w, X, t, *fixed),
        closed_form_hvp=lambda w, v: model.closed_form_hvp(w, v, X, t, *fixed), sweep=sweep_eps)
    if as_json:
        emit_json(result.as_dict())
    else:
        render.consoles()[0].print(render.gradcheck_report(result))
    if not result.passed:
        failures = result.failures()
        raise CheckFailed(f"gradient check failed ({len(failures)} failures); first: {failures[0]}")


@cli.command(name="compare-losses", short_help="Likelihood, log-likelihood, NLL and cross-entropy, step by step.")
@data_options
@descent_options
@click.option("--weights", "weights_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also compare at these weights: a JSON file with a \"weights\" list (train --json).")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show the K examples with the largest loss terms. [default: all up to 20, else 10]")
@click.option("--soft-labels", is_flag=True, help="Accept targets anywhere in [0, 1], and show how the forms part.")
@click.option("--bits", is_flag=True, help="Logs in bits (base 2) instead of nats.")
@click.pass_context
def compare_losses(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json, lr, steps,
                   weights_path, top, soft_labels, bits):
    """Walk the chain from likelihood to cross-entropy on your data.

    Maximize the likelihood Π p^t (1-p)^(1-t) (the examples are independent);
    equivalently its log (log is increasing); equivalently minimize the negative
    log-likelihood (a minus sign); which, for 0/1 targets, is the cross-entropy.
    Shown at w = 0, at the weights `cecli train` reaches with the same options, and
    at --weights FILE: totals, per-example terms, gradients and baselines. Values
    are sums over the examples.
    """
    import math

    import numpy as np

    from . import compare, render
    from .modelfile import read_weights
    from .train import train as run

    config = resolved_config(ctx, config_path)
    data, _, _ = load_data(path, config, render.consoles()[1], soft_labels=soft_labels)
    trained = run(data, config)
    weights = {"initial": np.zeros(data.d), "trained": trained.weights}
    titles = {"initial": "at w = 0", "trained": f"after {trained.steps} steps at lr {config.lr:g}"}
    if weights_path is not None:
        weights["given"], titles["given"] = read_weights(weights_path, data.names), f"at {weights_path}"
    results = {name: compare.compare_losses(w, data.X, data.t, config.sigmoid) for name, w in weights.items()}
    last = list(results.values())[-1]
    gradients = compare.compare_gradients(last.weights, data.X, data.t, config.sigmoid)
    baselines = compare.baselines(data.t, results["trained"].stable)
    unit, unit_name = (math.log(2), "bits") if bits else (1.0, "nats")
    if as_json:
        emit_json({name: c.as_dict() for name, c in results.items()} | {
            "gradients": gradients.as_dict(), "baselines": baselines.as_dict(unit), "unit": unit_name,
            "names": list(data.names), "steps": trained.steps, "lr": config.lr, "sigmoid": config.sigmoid,
            "soft_labels": soft_labels})
        return
    top = top if top is not None else (None if data.n <= 20 else 10)
    render.consoles()[0].print(render.compare_report(results, titles, last, gradients, baselines, data.names,
                                                     top, unit, unit_name, soft_labels))


@cli.command(short_help="Summarize a dataset: features, balance, stable learning rate.")
@data_options
@click.pass_context
def inspect(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json):
    """What to know before training: per-feature min, max, mean and std, the target
    balance, constant columns, duplicated rows, and the largest learning rate for
    which plain gradient descent is stable on this data (2/L, with L the largest
    eigenvalue of XᵀX, times 1/4 for --sigmoid logistic, divided by n for
    --reduction mean).
    """
    from . import render

    config = resolved_config(ctx, config_path)
    data, summary, _ = load_data(path, config)
    if as_json:
        emit_json(summary.as_dict(config.sigmoid, config.reduction) | {"data": data.source})
    else:
        render.consoles()[0].print(render.inspect_report(summary, config.sigmoid, config.reduction))
