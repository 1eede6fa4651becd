"""compare-losses' report: the ladder, per-example terms, gradients and baselines."""

from __future__ import annotations

import math

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from .base import number, short


def table(title: str, *columns: str, first_left: bool = False) -> Table:
    out = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", padding=(0, 1, 0, 0), pad_edge=False)
    for i, name in enumerate(columns):
        out.add_column(name, justify="left" if first_left and i == 0 else "right", no_wrap=True)
    return out


def ladder_table(c, title: str, unit: float = 1.0) -> Table:
    """The chain from likelihood to cross-entropy at one weight vector (logs in nats, or bits)."""
    out = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", padding=(0, 1, 0, 0), pad_edge=False)
    out.add_column("step")
    out.add_column("value", justify="right", no_wrap=True)
    out.add_column("why it follows", style="dim")
    under = f"; 0.0 from example {c.underflow_at}" if c.underflow_at else ""
    out.add_row("likelihood", number(c.likelihood), f"Π p(label): independent examples{under}")
    out.add_row("log-likelihood", number(c.log_likelihood / unit), "Σ log p(label): log is increasing")
    out.add_row("NLL (seed)", number(c.nll / unit), "-Σ log(pt + (1-p)(1-t)): max -> min")
    out.add_row("cross-entropy", number(c.cross_entropy / unit), "-Σ t log p + (1-t) log(1-p)")
    out.add_row("stable", number(c.stable / unit), "from logits, as training computes it")
    out.add_row("NLL - CE", number(c.difference / unit), "0 when every t is 0 or 1")
    return out


def rows_note(shown: int, n: int) -> Text | None:
    if shown == n:
        return None
    return Text(f"showing the {shown} of {n} examples with the largest loss terms (--top K)", "dim")


def examples_tables(c, order: np.ndarray, unit: float = 1.0):
    """Two tables per example: the model's numbers, then every form of its loss term."""
    left = table("per example: the model", "#", "t", "logit a", "p", "p^t (1-p)^(1-t)")
    right = table("per example: the loss terms", "#", "NLL term", "CE term", "stable", "ulps", "flag")
    flags = c.flags()
    for i in order:
        left.add_row(str(i + 1), short(c.targets[i], 4), short(c.logits[i], 6), short(c.p[i], 8),
                     short(c.likelihood_terms[i], 8))
        ulps = c.ulps[i]
        right.add_row(str(i + 1), short(c.nll_terms[i] / unit, 8), short(c.ce_terms[i] / unit, 8),
                      short(c.stable_terms[i] / unit, 8), "-" if math.isnan(ulps) else f"{ulps:.3g}",
                      Text(flags[i], "bold red"))
    return [left, right] + ([note] if (note := rows_note(len(order), len(c.p))) else [])


def gradients_table(g, names) -> Table:
    out = table("autograd's gradient of each form", "feature", "∇ NLL form", "∇ CE form", "∇ stable", "|NLL - CE|",
                first_left=True)
    for j, name in enumerate(names):
        out.add_row(name[:12], short(g.nll[j], 10), short(g.cross_entropy[j], 10), short(g.stable[j], 10),
                    short(abs(g.nll[j] - g.cross_entropy[j]), 2))
    return out


def baselines_table(b, unit: float, unit_name: str) -> Table:
    out = table(f"what the trained loss means ({unit_name})", "loss", "value", "", first_left=True)
    out.columns[2].style, out.columns[2].justify, out.columns[2].no_wrap = "dim", "left", False
    out.add_row("at w = 0", number(b.uniform / unit), "n ln 2: every p = 1/2 costs ln 2")
    out.add_row("best constant", number(b.constant / unit), "n H(mean t): one p for all, p = mean t")
    out.add_row("trained", number(b.trained / unit), "")
    out.add_row("pseudo-R²", short(b.pseudo_r2, 6), "McFadden: 1 - trained / best constant")
    return out


def breakdown(comparisons: dict, soft: bool) -> Text:
    """One closing sentence: NLL equals CE here, or where float64 breaks the seed's forms."""
    if soft:
        return Text("With soft labels the seed's NLL form, -log(p t + (1-p)(1-t)), is no longer the "
                    "cross-entropy. The cross-entropy is the right loss: it is the expected NLL when the "
                    "label is 1 with probability t, and it is smallest at p = t; the other form rewards "
                    "pushing p to 0 or 1.", "yellow")
    broken = {name: [i + 1 for i, flag in enumerate(c.flags()) if flag] for name, c in comparisons.items()}
    if all(c.equal_in_float64 for c in comparisons.values()) and not any(broken.values()):
        return Text("NLL and cross-entropy are equal for these 0/1 targets, term by term.", "green")
    where = "; ".join(f"{name}: examples {', '.join(map(str, rows[:12]))}{', ...' if len(rows) > 12 else ''}"
                      for name, rows in broken.items() if rows)
    return Text("Equal on paper, not in float64: the seed's forms give inf, nan or lose digits where p "
                f"rounds to 0 or 1 ({where}). The stable form, which training uses, stays exact.", "yellow")


def compare_report(comparisons: dict, titles: dict, last, gradients, baselines, names, top, unit, unit_name,
                   soft: bool):
    """Everything compare-losses shows, in reading order."""
    parts = [ladder_table(c, f"{titles[name]} ({unit_name})", unit) for name, c in comparisons.items()]
    parts += examples_tables(last, last.top(top), unit)
    parts += [gradients_table(gradients, names), baselines_table(baselines, unit, unit_name),
              breakdown(comparisons, soft)]
    return Group(*parts)
