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


def load_data(path, config: Config, err=None):
    """(dataset as the model sees it, its summary, the standardization or None); warnings go to err."""
    from . import render
    from .data import load
    from .describe import summarize
    from .standardize import fit, standardized

    data = load(path, config.target)
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


@cli.command(short_help="Check autograd's gradient against finite differences.")
@data_options
@click.option("--points", type=click.IntRange(min=0), default=3, show_default=True,
              help="Random points to check besides w = 0.")
@click.option("--seed", type=int, default=DEFAULTS.seed, show_default=True,
              help="Seed of the random points and of check_grads' random directions.")
@click.option("--eps", type=click.FloatRange(min=0, min_open=True), default=1e-6, show_default=True,
              help="Finite-difference step; 1e-6 balances truncation (eps^2) and round-off (1e-16/eps).")
@click.option("--rtol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Relative tolerance on each coordinate.")
@click.option("--atol", type=click.FloatRange(min=0), default=1e-6, show_default=True,
              help="Absolute tolerance on each coordinate.")
@click.pass_context
def gradcheck(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json, points, seed, eps, rtol, atol):
    """Check autograd's gradient of the training loss against finite differences.

    At w = 0 and at --points seeded random points, each coordinate of the gradient is
    compared with a central difference; autograd's own check_grads (reverse and
    forward mode, second order) runs too, as the seed does. Exits 1 if any check fails.
    """
    from . import gradcheck as checks
    from . import render
    from .train import training_loss

    config = resolved_config(ctx, config_path)
    data, _, _ = load_data(path, config, render.consoles()[1])
    result = checks.gradcheck(training_loss(data, config), data.names, points, seed, eps, rtol, atol)
    if as_json:
        emit_json(result.as_dict())
    else:
        render.consoles()[0].print(render.gradcheck_table(result))
    if not result.passed:
        failed = sum(not r.passed for r in result.rows)
        raise CheckFailed(f"gradient check failed: {failed} of {len(result.rows)} coordinates outside "
                          f"tolerance, check_grads failed at {len(result.check_grads_failures)} points")


@cli.command(name="compare-losses", short_help="Likelihood, NLL and cross-entropy side by side.")
@data_options
@descent_options
@click.pass_context
def compare_losses(ctx, path, target, sigmoid, reduction, standardize, config_path, as_json, lr, steps):
    """Show the likelihood, log-likelihood, NLL and cross-entropy side by side.

    At w = 0 and at the weights `cecli train` reaches with the same options. The
    values are sums over the examples; for 0/1 targets NLL and cross-entropy are equal.
    """
    import numpy as np

    from . import render
    from .compare import compare_losses as compare
    from .train import train as run

    config = resolved_config(ctx, config_path)
    data, _, _ = load_data(path, config, render.consoles()[1])
    trained = run(data, config).weights
    results = {name: compare(w, data.X, data.t, config.sigmoid)
               for name, w in (("initial", np.zeros(data.d)), ("trained", trained))}
    if as_json:
        run_facts = {"names": list(data.names), "steps": config.steps, "lr": config.lr,
                     "sigmoid": config.sigmoid}
        emit_json({name: c.as_dict() for name, c in results.items()} | run_facts)
        return
    out = render.consoles()[0]
    out.print(render.ladder_table(results["initial"], "at w = 0"))
    out.print(render.ladder_table(results["trained"], f"after {config.steps} steps at lr {config.lr:g}"))
    out.print(render.examples_table(results["trained"], "per example, after training"))
    out.print(render.breakdown(results))


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
