"""gradcheck's report: one row per coordinate, the verdict, the eps sweep."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

OK, FAIL = Text("PASS", "green"), Text("FAIL", "bold red")


def difference(a: float, b: float) -> str:
    """a - b, compactly: "0" when equal."""
    d = a - b
    return "0" if d == 0 else f"{d:.1e}"


def coordinate_table(rows, title: str) -> Table:
    """The reverse-mode value once, then how far each other way lands from it."""
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", padding=(0, 1, 0, 0), pad_edge=False)
    table.add_column("pt", justify="right")
    table.add_column("feature", max_width=11, overflow="ellipsis", no_wrap=True)
    table.add_column("reverse", justify="right", no_wrap=True)
    for name in ("fwd-rev", "closed-rev", "FD-rev", "rel err"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("")
    for r in rows:
        closed = difference(r.values["closed form"], r.reverse) if "closed form" in r.values else "-"
        table.add_row(str(r.point), r.name, f"{r.reverse:.9g}", difference(r.values["forward"], r.reverse),
                      closed, difference(r.numeric, r.reverse), f"{r.rel_error:.0e}", OK if r.passed else FAIL)
    return table


def sweep_plot(sweep, best: float) -> Table:
    """The finite-difference error against eps: truncation falls with eps, round-off rises."""
    table = Table(box=box.SIMPLE_HEAD, title="finite-difference error against eps (max |FD - reverse|)",
                  title_justify="left", padding=(0, 1, 0, 0), pad_edge=False)
    table.add_column("eps", justify="right")
    table.add_column("error", justify="right")
    table.add_column("log10 error", no_wrap=True)
    logs = [math.log10(err) if err > 0 else -17.0 for _, err in sweep]
    low, high = min(logs), max(logs)
    for (eps, err), lg in zip(sweep, logs, strict=True):
        bar = "█" * (1 + round((lg - low) / ((high - low) or 1) * 40))
        table.add_row(f"{eps:.0e}", f"{err:.1e}", Text(bar, "cyan") + (" ← best" if eps == best else ""))
    return table


def gradcheck_report(result):
    """Gradient rows, Hessian-vector rows (with --order 2), check_grads, the sweep and the verdict."""
    parts = [coordinate_table([r for r in result.rows if r.kind == "gradient"],
                              f"gradient, 4 ways (central differences, eps {result.eps:g})")]
    hvp = [r for r in result.rows if r.kind == "hvp"]
    if hvp:
        parts.append(coordinate_table(hvp, "Hessian-vector products H v, along a random v per point"))
    checks = Text(f"autograd's check_grads (rev and fwd, order {result.order}): "
                  + ("passed" if not result.check_grads_failures else "FAILED"))
    parts.append(checks)
    if result.sweep:
        parts.append(sweep_plot(result.sweep, result.best_eps))
        parts.append(Text(f"Best eps here: {result.best_eps:g}. Larger eps: truncation error ~ eps². "
                          "Smaller eps: round-off ~ 1e-16 |f| / eps.", "dim"))
    for failure in result.failures():
        parts.append(Text("FAIL " + failure, "red"))
    verdict = "PASSED" if result.passed else "FAILED"
    parts.append(Text.assemble(
        (verdict, "bold green" if result.passed else "bold red"),
        f"  max relative error {result.max_rel_error:.2e}; tolerance {result.atol:g} + {result.rtol:g} × |FD|"))
    return Group(*parts)
