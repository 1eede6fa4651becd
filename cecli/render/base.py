"""What every view shares: consoles, number formats, key-value tables, warnings, progress, the loss curve."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


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
    """A transient progress bar of the descent on console; yields callback(step, weights, loss, validation)."""
    if not enabled or total == 0:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]}{task.fields[valid]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("train", total=total, loss="…", valid="")

        def callback(step, weights, loss, validation=None):
            valid = "" if validation is None else f"  validation {short(validation, 8)}"
            bar.update(task, completed=step, loss=short(loss, 8), valid=valid)

        yield callback


def loss_plot(train: list[float], valid: list[float] | None = None, width: int = 56, height: int = 8) -> Text:
    """Loss against step as a small terminal chart: ● training, ○ validation (finite values only)."""
    series = [(list(train), "●", "cyan")] + ([(list(valid), "○", "magenta")] if valid else [])
    values = [x for xs, _, _ in series for x in xs if math.isfinite(x)]
    if len(train) < 2 or not values:
        return Text("")
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    columns = min(width, len(train))
    grid = [[(" ", "")] * columns for _ in range(height)]
    for xs, mark, style in series:
        for c in range(columns):
            x = xs[round(c * (len(xs) - 1) / max(columns - 1, 1))]
            if math.isfinite(x):
                grid[height - 1 - round((x - low) / span * (height - 1))][c] = (mark, style)
    label = max(len(short(high, 4)), len(short(low, 4)))
    out = Text()
    for r, row in enumerate(grid):
        tick = short(high, 4) if r == 0 else short(low, 4) if r == height - 1 else ""
        out.append(f"{tick:>{label}} │", "dim")
        for mark, style in row:
            out.append(mark, style)
        out.append("\n")
    steps = f"step 0{' ' * max(1, columns - 6 - len(str(len(train) - 1)))}{len(train) - 1}"
    legend = "  ● training ○ validation" if valid else ""
    out.append(f"{' ' * label} └{'─' * columns}\n{' ' * (label + 2)}{steps}{legend}", "dim")
    return out


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


