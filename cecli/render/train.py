"""train's summary and inspect's report."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..config import STEP_SIZED
from .base import key_values, loss_plot, number, short

STOPPED = {"steps": "ran all its steps", "converged": "converged (|gradient| <= tol)",
           "patience": "stopped early: validation loss stopped improving", "interrupted": "interrupted"}


def train_summary(run, report: dict):
    """Initial and trained loss as the seed prints them, the run's facts, the weights by name, the curve."""
    r, c, data = run.result, run.config, run.prepared.train
    header = Text.assemble(f"Initial loss: {number(r.initial_loss)}\n", f"Trained loss: {number(r.trained_loss)}")
    extras = [x for x in ("intercept" if c.intercept else "", f"l2 {c.l2:g}" if c.l2 else "",
                          "standardized" if c.standardize else "") if x]
    rows = [
        ("data", f"{data.source} ({data.n} rows × {data.d} features)"),
        ("model", f"sigmoid {c.sigmoid}, {c.reduction} of NLL" + "".join(f", {x}" for x in extras)),
        ("optimizer", f"{c.optimizer}, {r.steps} steps" + (f" at lr {c.lr:g}" if c.optimizer != "newton" else "")
         + (f" (stable below {short(report['stable_lr'], 4)})" if c.optimizer in STEP_SIZED else "")),
        ("stopped", STOPPED[r.stopped] + (f" after step {r.steps}" if r.stopped != "steps" else "")),
    ]
    if c.l2:
        rows.append(("loss terms", f"NLL {number(report['nll'])} + l2 penalty {number(report['penalty'])}"))
    if r.validation_losses:
        held = run.prepared.valid.n
        rows.append(("validation", f"{held} row{'s' if held != 1 else ''}, loss {short(r.initial_validation_loss)} "
                                   f"→ {short(r.validation_losses[-1])} (best {short(min(r.validation_losses))})"))
    rows += [("accuracy", f"{report['accuracy']:.1%} (training rows)"), ("|gradient|", short(r.gradient_norm))]
    weights = Table(box=box.SIMPLE_HEAD, title="weights", title_justify="left")
    weights.add_column("feature")
    weights.add_column("weight", justify="right")
    for name, w in zip(run.problem.names, r.weights, strict=True):
        weights.add_row(name, f"{w: .10f}")
    curve = loss_plot([r.initial_loss, *r.losses],
                      [r.initial_validation_loss, *r.validation_losses] if r.validation_losses else None)
    parts = [header, key_values(rows), weights, curve]
    if report["separated"]:
        parts.append(Text("Note: these weights classify every example correctly, so the data are "
                          "separable: the maximum-likelihood estimate does not exist, the loss tends to 0 "
                          "and the weights grow without bound as steps increase.", "dim"))
    return Group(*parts)


def evaluation_report(e):
    """Scores and the confusion matrix of a saved model on labelled rows."""
    def ratio(x):
        return "undefined" if x != x else f"{x:.4f}"

    scores = key_values([
        ("rows", str(e.n)), ("loss", f"{number(e.loss)} (sum), {short(e.loss / e.n, 8)} (mean)"),
        ("best constant", f"{number(e.baseline)} (sum), {short(e.baseline / e.n, 8)} (mean)"),
        ("accuracy", ratio(e.accuracy)), ("precision", ratio(e.precision)), ("recall", ratio(e.recall)),
    ])
    confusion = Table(box=box.SIMPLE_HEAD, title="confusion matrix", title_justify="left")
    for name in ("", "predicted 1", "predicted 0"):
        confusion.add_column(name, justify="right")
    confusion.add_row("actual 1", str(e.tp), str(e.fn))
    confusion.add_row("actual 0", str(e.fp), str(e.tn))
    return Group(scores, confusion)


def inspect_report(summary, sigmoid: str, reduction: str):
    """Features with their statistics, target balance, duplicates and the stable learning rate."""
    s = summary
    table = Table(box=box.SIMPLE_HEAD, title=f"{s.n} rows × {len(s.names)} features", title_justify="left")
    table.add_column("feature")
    for name in ("min", "max", "mean", "std"):
        table.add_column(name, justify="right")
    table.add_column("")
    for j, name in enumerate(s.names):
        note = Text("constant", "yellow") if name in s.constant_features else ""
        table.add_row(name, short(s.minimum[j]), short(s.maximum[j]), short(s.mean[j]), short(s.std[j]), note)
    lr = s.stable_lr(sigmoid, reduction)
    facts = key_values([
        ("targets", f"{s.positives} of {s.n} are 1 ({s.positives / s.n:.1%}), {s.n - s.positives} are 0"),
        ("duplicated rows", str(s.duplicated_rows)),
        ("λ_max(XᵀX)", short(s.eigenvalue, 8)),
        ("stable lr", f"below {short(lr, 6)} (2/L for sigmoid {sigmoid}, {reduction} of NLL)"),
    ])
    notes = [Text(f"Warning: {message}", "yellow") for message in s.warnings()]
    return Group(table, facts, *notes)
