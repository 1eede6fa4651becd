"""The command line: options in, results out. The only module that imports click.

Heavy modules (numpy, autograd, rich) are imported inside the commands, so that
`cecli --help` stays fast.
"""

from __future__ import annotations

import functools

import click
from click.core import ParameterSource

from . import __version__
from .config import CHOICES, FIELDS, Config, read_config_file, resolve
from .errors import CecliError, CheckFailed, Diverged, Interrupted

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
        except KeyboardInterrupt:
            raise CecliError2Click(Interrupted("interrupted")) from None


@click.group(cls=CecliGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="cecli")
def cli():
    """Train a logistic model with autograd, and see that maximizing the likelihood,
    minimizing the negative log-likelihood (NLL) and minimizing the binary
    cross-entropy are one and the same.

    With no PATH, commands use the built-in 4 x 3 toy set of the seed program.
    """


def options(*decorators):
    """Apply click decorators in reading order."""
    return lambda f: functools.reduce(lambda g, option: option(g), reversed(decorators), f)


data_options = options(
    click.argument("path", required=False, metavar="[PATH]"),
    click.option("--target", default=None, metavar="NAME",
                 help="CSV column holding the 0/1 labels. [default: target, label or y, else the last]"),
    click.option("--sigmoid", type=click.Choice(CHOICES["sigmoid"]), default=DEFAULTS.sigmoid,
                 show_default=True, help=SIGMOID_HELP),
    click.option("--reduction", type=click.Choice(CHOICES["reduction"]), default=DEFAULTS.reduction,
                 show_default=True, help="Sum the per-example NLL (the seed), or take its mean."),
    click.option("--standardize", is_flag=True, default=DEFAULTS.standardize,
                 help="z-score each feature with the training rows' mean and std."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                 metavar="FILE", help="YAML file of options; flags given here override it."),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
)

training_options = options(
    click.option("--lr", type=float, default=DEFAULTS.lr, show_default=True,
                 help="Learning rate (step size) of gd, momentum and adam."),
    click.option("--steps", type=click.IntRange(min=0), default=DEFAULTS.steps, show_default=True,
                 help="Most steps (iterations) to take."),
    click.option("--optimizer", type=click.Choice(CHOICES["optimizer"]), default=DEFAULTS.optimizer,
                 show_default=True, help="gd: the seed's plain descent. momentum: heavy ball (mass 0.9). "
                 "adam: per-coordinate steps, robust to scaling. newton: Hessian from autograd with a "
                 "line search; the fastest to the optimum on small and medium d."),
    click.option("--tol", type=click.FloatRange(min=0), default=DEFAULTS.tol, show_default=True,
                 help="Stop when |gradient| <= tol (0: run every step)."),
    click.option("--intercept", is_flag=True, default=DEFAULTS.intercept,
                 help="Add a bias term (not penalized by --l2)."),
    click.option("--l2", type=click.FloatRange(min=0), default=DEFAULTS.l2, show_default=True,
                 metavar="LAMBDA", help="Add LAMBDA/2 * |w|² to the loss."),
    click.option("--init", type=click.Choice(CHOICES["init"]), default=DEFAULTS.init, show_default=True,
                 help="Start from w = 0 (the seed) or from N(0, 0.01²) drawn with --seed."),
    click.option("--seed", type=int, default=DEFAULTS.seed, show_default=True,
                 help="Seed of --init normal and the --holdout split."),
    click.option("--holdout", type=click.FloatRange(0, 1, max_open=True), default=DEFAULTS.holdout,
                 show_default=True, metavar="FRACTION", help="Hold out this share of the rows for validation."),
    click.option("--patience", type=click.IntRange(min=0), default=DEFAULTS.patience, show_default=True,
                 metavar="K", help="Stop after K steps without a better validation loss (0: never)."),
)


def resolved_config(ctx: click.Context, config_path: str | None) -> Config:
    """Config defaults, then the config file, then the flags actually given."""
    file_values = read_config_file(config_path) if config_path else {}
    given = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    flags = {name: value for name, value in ctx.params.items()
             if name in FIELDS and ctx.get_parameter_source(name) in given}
    return resolve(file_values, flags)


def load_data(path, config: Config, err=None, soft_labels: bool = False):
    """(the prepared rows: training, holdout, standardization; the training rows' summary); warnings to err."""
    from . import render
    from .data import load
    from .describe import summarize
    from .train import prepare

    prepared = prepare(load(path, config.target, soft_labels), config)
    summary = summarize(prepared.train)
    for message in summary.warnings() if err is not None else ():
        render.warning(err, message)
    return prepared, summary


def emit_json(payload: dict) -> None:
    """One JSON object on stdout; nan and inf were made null by the core (JSON has no such numbers)."""
    import json

    click.echo(json.dumps(payload, indent=2, allow_nan=False))


@cli.command(short_help="Train; print the initial and trained loss.")
@data_options
@training_options
@click.option("--save", "save_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Save the model as JSON: weights, names, options, data SHA-256, losses, versions.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also draw the loss curve to FILE.png or FILE.svg (needs cecli[plot]).")
@click.pass_context
def train(ctx, path, config_path, as_json, save_path, plot_path, **_):
    """Train the logistic model and print the initial and trained loss.

    The loss is the negative log-likelihood of the labels, -sum log(p*t + (1-p)*(1-t)),
    with p = sigmoid(X @ w). With the defaults (no intercept, w = 0, plain gradient
    descent, --lr 0.01, --steps 100) on the built-in data it prints the seed's numbers.
    Ctrl-C stops cleanly: the last completed step is reported (and saved with --save),
    and cecli exits 130.
    """
    from . import render
    from .run import TrainingRun, lr_warning, plan
    from .train import fit

    config = resolved_config(ctx, config_path)
    out, err = render.consoles()
    if plot_path:
        from .plotfile import check_plotting

        check_plotting(plot_path)
    prepared, _ = load_data(path, config, err)
    problem, bound = plan(prepared, config)
    if (message := lr_warning(config, bound)) is not None:
        render.warning(err, message)
    with render.progress(err, config.steps, enabled=err.is_terminal and not as_json) as callback:
        result = fit(problem, callback, prepared.valid)
    run = TrainingRun(config, prepared, problem, bound, result)
    report = run.as_dict()
    if as_json:
        emit_json(report)
    if result.diverged:
        raise Diverged(run.divergence_message())
    if save_path:
        from . import modelfile

        record = modelfile.model_record(result, prepared.train.names, prepared.train.target_name, config,
                                        prepared.transform, path, modelfile.sha256_of(path))
        modelfile.save_model(save_path, record, protect=path)
    if plot_path:
        from .plotfile import plot_losses

        plot_losses(plot_path, result.initial_loss, result.losses, result.initial_validation_loss,
                    result.validation_losses)
    if not as_json:
        out.print(render.train_summary(run, report))
    if result.stopped == "interrupted":
        saved = f"; the weights reached are saved to {save_path}" if save_path else ""
        raise Interrupted(f"interrupted after step {result.steps}{saved}")


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
def gradcheck(ctx, path, config_path, as_json, points, seed, eps, rtol, atol, order, sweep_eps, **_):
    """Check autograd's gradient of the training loss, four ways.

    At w = 0 and at --points seeded random points, each coordinate of autograd's
    reverse-mode gradient is set beside forward mode, the closed form
    scale * Xᵀ(p - t) (scale 2 for the tanh sigmoid, 1 for logistic), and a central
    finite difference. autograd's own check_grads runs too, as in the seed. A row
    passes when every way is within atol + rtol * |finite difference|. Exits 1 if
    any check fails, after the report.
    """
    from . import gradcheck as checks
    from . import render
    from .train import design

    config = resolved_config(ctx, config_path)
    problem = design(load_data(path, config, render.consoles()[1])[0].train, config)
    result = checks.gradcheck(problem.objective, problem.names, points, seed, eps, rtol, atol, order,
                              closed_form=problem.closed_form_gradient, closed_form_hvp=problem.closed_form_hvp,
                              sweep=sweep_eps)
    if as_json:
        emit_json(result.as_dict())
    else:
        render.consoles()[0].print(render.gradcheck_report(result))
    if not result.passed:
        failures = result.failures()
        raise CheckFailed(f"gradient check failed ({len(failures)} failures); first: {failures[0]}")


@cli.command(name="compare-losses", short_help="Likelihood, log-likelihood, NLL and cross-entropy, step by step.")
@data_options
@training_options
@click.option("--weights", "weights_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also compare at these weights: a JSON file with a \"weights\" list (train --json).")
@click.option("--top", type=click.IntRange(min=1), default=None, metavar="K",
              help="Show the K examples with the largest loss terms. [default: all up to 20, else 10]")
@click.option("--soft-labels", is_flag=True, help="Accept targets anywhere in [0, 1], and show how the forms part.")
@click.option("--bits", is_flag=True, help="Logs in bits (base 2) instead of nats.")
@click.pass_context
def compare_losses(ctx, path, config_path, as_json, weights_path, top, soft_labels, bits, **_):
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
    from .train import design, fit

    config = resolved_config(ctx, config_path)
    prepared, _ = load_data(path, config, render.consoles()[1], soft_labels=soft_labels)
    problem = design(prepared.train, config)
    X, t = problem.X, problem.t
    trained = fit(problem)
    weights = {"initial": np.zeros(len(problem.names)), "trained": trained.weights}
    titles = {"initial": "at w = 0", "trained": f"after {trained.steps} steps ({config.optimizer})"}
    if weights_path is not None:
        weights["given"], titles["given"] = read_weights(weights_path, problem.names), f"at {weights_path}"
    results = {name: compare.compare_losses(w, X, t, config.sigmoid) for name, w in weights.items()}
    last = list(results.values())[-1]
    gradients = compare.compare_gradients(last.weights, X, t, config.sigmoid)
    baselines = compare.baselines(t, results["trained"].stable)
    unit, unit_name = (math.log(2), "bits") if bits else (1.0, "nats")
    if as_json:
        emit_json({name: c.as_dict() for name, c in results.items()} | {
            "gradients": gradients.as_dict(), "baselines": baselines.as_dict(unit), "unit": unit_name,
            "names": list(problem.names), "steps": trained.steps, "lr": config.lr, "sigmoid": config.sigmoid,
            "soft_labels": soft_labels})
        return
    top = top if top is not None else (None if len(t) <= 20 else 10)
    render.consoles()[0].print(render.compare_report(results, titles, last, gradients, baselines, problem.names,
                                                     top, unit, unit_name, soft_labels))


@cli.command(short_help="Summarize a dataset: features, balance, stable learning rate.")
@data_options
@click.pass_context
def inspect(ctx, path, config_path, as_json, **_):
    """What to know before training: per-feature min, max, mean and std, the target
    balance, constant columns, duplicated rows, and the largest learning rate for
    which plain gradient descent is stable on this data (2/L, with L the largest
    eigenvalue of XᵀX, times 1/4 for --sigmoid logistic, divided by n for
    --reduction mean).
    """
    from . import render

    config = resolved_config(ctx, config_path)
    prepared, summary = load_data(path, config)
    if as_json:
        emit_json(summary.as_dict(config.sigmoid, config.reduction) | {"data": prepared.train.source})
    else:
        render.consoles()[0].print(render.inspect_report(summary, config.sigmoid, config.reduction))


model_argument = click.argument("model_path", metavar="MODEL", type=click.Path(dir_okay=False))


@cli.command(short_help="Probabilities and labels of a saved model for new rows.")
@model_argument
@click.argument("path", metavar="PATH")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout instead of CSV.")
def predict(model_path, path, as_json):
    """Predict with a model saved by `cecli train --save`: for each row of PATH, the
    probability p that its label is 1 and the predicted label (1 when p >= 1/2), as
    CSV on stdout. PATH's columns are matched to the model's features by name; a
    target column, if present, is ignored.
    """
    from .data import load
    from .evaluate import aligned
    from .modelfile import load_model

    saved = load_model(model_path)
    data = load(path, saved.target_name, labels=False)
    p = saved.probabilities(aligned(data, saved.names))
    labels = (p >= 0.5).astype(int)
    if as_json:
        emit_json({"model": model_path, "data": path, "p": [float(x) for x in p], "label": labels.tolist()})
        return
    click.echo("row,p,label")
    for start in range(0, len(p), 65536):  # a block of lines per write: a million rows print in a second
        rows = range(start, min(start + 65536, len(p)))
        click.echo("\n".join(f"{i + 1},{float(p[i])!r},{labels[i]}" for i in rows))


@cli.command(short_help="Loss, accuracy, precision, recall of a saved model.")
@model_argument
@click.argument("path", metavar="PATH")
@click.option("--target", default=None, metavar="NAME", help="Target column, if not the model's.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def evaluate(model_path, path, target, as_json):
    """Score a model saved by `cecli train --save` on labelled rows: the loss (sum and
    mean), accuracy, precision, recall, the loss of the best constant model, and the
    confusion matrix.
    """
    from . import render
    from .data import load
    from .errors import DataError
    from .evaluate import aligned, evaluate
    from .modelfile import load_model

    saved = load_model(model_path)
    data = load(path, target or saved.target_name, labels=False)
    if data.t is None:
        raise DataError(f"no target column named {target or saved.target_name!r}; name it with --target", path)
    scores = evaluate(saved.logits(aligned(data, saved.names)), data.t)
    if as_json:
        emit_json(scores.as_dict() | {"model": model_path, "data": path})
    else:
        render.consoles()[0].print(render.evaluation_report(scores))


@cli.command(short_help="Re-run a saved model's training and check it bit for bit.")
@model_argument
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def replay(model_path, as_json):
    """Re-run the training recorded in a model saved by `cecli train --save`: the same
    options on the same data file (checked by its SHA-256), and report whether every
    loss matches the saved ones bit for bit. Exits 1 if they do not.
    """
    from .modelfile import load_model
    from .run import replay as run_again

    saved = load_model(model_path)
    again = run_again(saved)
    if as_json:
        emit_json({"model": model_path, "data": saved.data, "steps": again.steps, "identical": again.identical,
                   "first_difference": again.first_difference})
    else:
        click.echo(f"replayed {again.steps} steps on {saved.data or 'the built-in toy set'}: "
                   + ("every loss matches bit for bit" if again.identical
                      else f"losses differ from step {again.first_difference}"))
    if not again.identical:
        raise CheckFailed(f"replay of {model_path} does not match the saved losses")
