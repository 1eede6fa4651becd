"""Everything a person reads: rich tables, the progress bar and the loss curve.

The only package that imports rich; the core never prints.
"""

from .base import consoles, key_values, loss_plot, number, progress, short, warning
from .compare import compare_report
from .gradcheck import gradcheck_report
from .train import evaluation_report, inspect_report, train_summary

__all__ = ["compare_report", "consoles", "evaluation_report", "gradcheck_report", "inspect_report", "key_values",
           "loss_plot", "number", "progress", "short", "train_summary", "warning"]
