"""The loss curve as a figure file, with matplotlib when it is installed (pip install 'cecli[plot]')."""

from __future__ import annotations

import importlib.util
import os

from .errors import ConfigError, DataError

FORMATS = (".png", ".svg")


def check_plotting(path: str) -> None:
    """Refuse --plot before training when the file type is wrong or matplotlib is missing."""
    if os.path.splitext(path)[1].lower() not in FORMATS:
        raise ConfigError(f"--plot {path}: the file must end in .png or .svg")
    if importlib.util.find_spec("matplotlib") is None:
        raise ConfigError("--plot needs matplotlib, which is not installed: pip install 'cecli[plot]'")


def plot_losses(path: str, initial: float, losses, initial_validation=None, validation=()) -> None:
    """Loss against step (training, and validation when there is one) to path."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4))
    axes.plot(range(len(losses) + 1), [initial, *losses], label="training")
    if validation:
        axes.plot(range(len(validation) + 1), [initial_validation, *validation], label="validation")
    axes.set_xlabel("step")
    axes.set_ylabel("loss (negative log-likelihood)")
    axes.legend()
    axes.grid(alpha=0.3)
    try:
        figure.savefig(path, bbox_inches="tight")
    except OSError as e:
        raise DataError(f"cannot write the plot ({e.strerror})", path) from None
    finally:
        plt.close(figure)
