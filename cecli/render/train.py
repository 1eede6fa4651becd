"""train's summary and inspect's report."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .base import key_values, loss_curve, number, short


def train_summary(result, data, config, report: dict):
    """Initial and trained loss as the seed prints them, the run's facts, the weights by name."""
    header = Text.assemble(f"Initial loss: {number(result.initial_loss)}\n",
                           f"Trained loss: {number(result.trained_loss)}")
    scaled = ", standardized" if config.standardize else ""
    facts = key_values([
        ("data", f"{data.source} ({data.n} rows × {data.d} features{scaled})"),
        ("model", f"sigmoid {config.sigmoid}, loss {config.reduction} of NLL"),
        ("descent", f"{result.steps} steps at lr {config.lr:g} (stable below {short(report['stable_lr'], 4)})"),
        ("accuracy", f"{report['accuracy']:.1%}"),
        ("|gradient|", short(result.gradient_norm)),
    ])
    weights = Table(box=box.SIMPLE_HEAD, title="weights", title_justify="left")
    weights.add_column("feature")
    weights.add_column("weight", justify="right")
    for name, w in zip(data.names, result.weights, strict=True):
        weights.add_row(name, f"{w: .10f}")
    parts = [header, facts, weights, loss_curve([result.initial_loss, *result.losses])]
    if report["separated"]:
        parts.append(Text("Note: these weights classify every example correctly, so the data are "
                          "separable: the maximum-likelihood estimate does not exist, the loss tends to 0 "
                          "and the weights grow without bound as steps increase.", "dim"))
    return Group(*parts)


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
