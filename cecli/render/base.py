"""What every view shares: consoles, number formats, key-value tables, warnings, progress, the loss curve."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console
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


def warning(console: Console, message: str) -> None:
    """One warning line on the stderr console."""
    console.print(Text.assemble(("Warning: ", "bold yellow"), message), highlight=False, soft_wrap=True)


