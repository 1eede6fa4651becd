"""Everything a person reads: rich tables, the progress bar and the loss curve."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

SPARKS = "▁▂▃▄▅▆▇█"


def consoles() -> tuple[Console, Console]:
    """(stdout, stderr) consoles; rich itself honours NO_COLOR and non-terminal output."""
    return Console(), Console(stderr=True)


def number(x: float) -> str:
    """The shortest text that reads back as exactly x (Python's repr), or nan/inf as such."""
    return repr(float(x))


def short(x: float, digits: int = 6) -> str:
    return f"{float(x) + 0.0:.{digits}g}"  # + 0.0 shows -0.0 as 0


@contextmanager
def progress(console: Console, total: int, enabled: bool) -> Iterator:
    """A transient progress bar of the descent on console; yields callback(step, weights, loss)."""
    if not enabled or total == 0:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("train", total=total, loss="…")

        def callback(step, weights, loss):
            bar.update(task, completed=step, loss=short(loss, 8))

        yield callback


def loss_curve(losses: list[float], width: int = 60) -> Text:
    """A one-line sparkline of the loss against the step (finite values only)."""
    finite = [x for x in losses if math.isfinite(x)]
    if len(finite) < 2:
        return Text("")
    stride = max(1, math.ceil(len(finite) / width))
    sampled = finite[::stride]
    low, high = min(sampled), max(sampled)
    span = (high - low) or 1.0
    sparks = "".join(SPARKS[min(len(SPARKS) - 1, int((x - low) / span * len(SPARKS)))] for x in sampled)
    return Text.assemble(("loss ", "dim"), (sparks, "cyan"), (f"  {short(high)} → {short(low)}", "dim"))


def key_values(rows: list[tuple[str, str]], title: str | None = None) -> Table:
    table = Table(box=box.SIMPLE, show_header=False, title=title, title_justify="left", pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, value)
    return table


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


def gradcheck_table(result):
    """Per point and coordinate: autograd, finite difference, errors, PASS/FAIL."""
    table = Table(box=box.SIMPLE_HEAD, title=f"gradient check (central differences, eps {result.eps:g})",
                  title_justify="left")
    for name in ("point", "feature"):
        table.add_column(name)
    for name in ("autograd", "finite diff", "abs err", "rel err"):
        table.add_column(name, justify="right")
    table.add_column("")
    for row in result.rows:
        table.add_row(str(row.point), row.name, f"{row.autograd: .10g}", f"{row.numeric: .10g}",
                      f"{row.abs_error:.1e}", f"{row.rel_error:.1e}",
                      Text("PASS", "green") if row.passed else Text("FAIL", "bold red"))
    verdict = Text.assemble(
        ("PASSED" if result.passed else "FAILED", "bold green" if result.passed else "bold red"),
        f"  max relative error {result.max_rel_error:.2e}, max absolute error {result.max_abs_error:.2e}"
        f" (tolerance {result.atol:g} + {result.rtol:g} × |finite diff|)")
    checks = Text("autograd check_grads (rev and fwd, order 2): "
                  + ("passed" if not result.check_grads_failures else "FAILED"))
    for message in result.check_grads_failures:
        checks.append("\n  " + message.replace("\n", " "), "red")
    return Group(table, checks, verdict)


def ladder_table(comparison, title: str) -> Table:
    """The chain from likelihood to cross-entropy at one weight vector."""
    c = comparison
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("why it is the next step", style="dim")
    table.add_row("likelihood", number(c.likelihood), "Π p(label): independence")
    table.add_row("log-likelihood", number(c.log_likelihood), "Σ log p(label): log increases")
    table.add_row("NLL (seed's form)", number(c.nll), "minus sign: max -> min")
    table.add_row("cross-entropy", number(c.cross_entropy), "same terms when t is 0 or 1")
    table.add_row("stable NLL", number(c.stable), "from logits, as training does")
    table.add_row("NLL - cross-entropy", number(c.difference), "")
    return table


def worst(flag: str) -> str:
    """The gravest failure in a flag: nan, then inf, then lost digits."""
    for word in ("nan", "inf", "inexact"):
        if word in flag:
            return word
    return ""


def examples_table(comparison, title: str) -> Table:
    """Per example: target, p, likelihood term, NLL, CE and stable terms, and where the naive forms fail."""
    c = comparison
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", padding=(0, 1), pad_edge=False)
    for name in ("#", "t", "p", "p(label)", "NLL term", "CE term", "stable"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("", style="bold red", no_wrap=True)
    for i, flag in enumerate(c.flags()):
        table.add_row(str(i + 1), short(c.targets[i]), short(c.p[i], 5), short(c.likelihood_terms[i], 5),
                      short(c.nll_terms[i], 5), short(c.ce_terms[i], 5), short(c.stable_terms[i], 5), worst(flag))
    return table


def breakdown(comparisons: dict) -> Text:
    """One closing sentence: NLL equals CE here, or where float64 breaks the seed's forms."""
    broken = {name: [i + 1 for i, flag in enumerate(c.flags()) if flag] for name, c in comparisons.items()}
    if all(c.equal_in_float64 for c in comparisons.values()) and not any(broken.values()):
        return Text("NLL and cross-entropy are equal for these 0/1 targets, term by term.", "green")
    where = "; ".join(f"{name}: examples {', '.join(map(str, rows[:12]))}{', ...' if len(rows) > 12 else ''}"
                      for name, rows in broken.items() if rows)
    return Text("Equal on paper, not in float64: the seed's forms give inf, nan or lose digits where p "
                f"rounds to 0 or 1 ({where}). The stable form, which training uses, stays exact.", "yellow")


def warning(console: Console, message: str) -> None:
    """One warning line on the stderr console."""
    console.print(Text.assemble(("Warning: ", "bold yellow"), message), highlight=False, soft_wrap=True)


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
