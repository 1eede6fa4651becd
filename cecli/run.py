"""One training run, data to record: what `train` reports, saves and replays."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import model
from .config import STEP_SIZED, Config
from .describe import largest_eigenvalue, stable_lr
from .errors import finite, finite_list
from .train import Prepared, Problem, TrainResult, design


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """The prepared data, the problem, the stable bound and the result of one run."""

    config: Config
    prepared: Prepared
    problem: Problem
    bound: float  # 2/L for plain gradient descent on this problem
    result: TrainResult

    def penalty(self) -> float:
        return float(self.problem.penalty(self.result.weights)) if self.config.l2 else 0.0

    def as_dict(self) -> dict:
        """The run as plain data; losses and weights of a diverged run are left out, never nan."""
        r, c, train = self.result, self.config, self.prepared.train
        out = {
            "initial_loss": r.initial_loss, "trained_loss": None if r.diverged else r.trained_loss,
            "weights": None if r.diverged else finite_list(r.weights), "names": list(self.problem.names),
            "steps": r.steps, "lr": c.lr, "sigmoid": c.sigmoid, "reduction": c.reduction,
            "optimizer": c.optimizer, "intercept": c.intercept, "l2": c.l2, "stopped": r.stopped,
            "converged": r.stopped == "converged", "standardization": (
                self.prepared.transform.as_dict() if self.prepared.transform else None),
            "data": train.source, "rows": train.n, "losses": list(r.losses), "diverged": r.diverged,
            "diverged_at": r.diverged_at, "stable_lr": finite(self.bound), "options": dataclasses.asdict(c),
        }
        if self.prepared.valid is not None:
            out |= {"validation_rows": self.prepared.valid.n, "initial_validation_loss": r.initial_validation_loss,
                    "validation_losses": list(r.validation_losses)}
        if not r.diverged:
            w, t = r.weights, self.problem.t
            z = self.problem.loss.scores(w)
            out |= {"penalty": self.penalty(), "nll": finite(self.problem.nll(w)),
                    "accuracy": model.accuracy_of_scores(z, t), "gradient_norm": finite(r.gradient_norm),
                    "separated": model.separated_by(z, t) and not c.l2}
        return out

    def divergence_message(self) -> str:
        """Where and how training diverged, and the fixes."""
        r, step = self.result, self.result.diverged_at
        what = (f"the loss became inf or nan at step {step}" if r.became_non_finite
                else f"the loss rose above its initial value {r.initial_loss:.6g} at step {step} "
                     f"and ended at {r.trained_loss:.6g}")
        return (f"training diverged: {what}, with --lr {self.config.lr:g}. Plain gradient descent is stable on "
                f"this data below 2/L = {self.bound:.4g}: use --lr below that, or --reduction mean, or --standardize")


def lr_warning(config: Config, bound: float) -> str | None:
    """What to say before training when --lr is above the stable bound of a step-sized optimizer."""
    if config.optimizer not in STEP_SIZED or config.lr <= bound:
        return None
    times = f"{config.lr / bound:.3g}x" if bound > 0 else "infinitely far above"
    return (f"--lr {config.lr:g} is {times} the stable bound 2/L = {bound:.4g} for this data; "
            "gradient descent may diverge")


def bound_for(problem: Problem) -> float:
    """2/L for this problem: the data's curvature bound, plus l2."""
    c = problem.config
    eigenvalue = largest_eigenvalue(problem.data.X, intercept=c.intercept)
    return stable_lr(eigenvalue, len(problem.t), c.sigmoid, c.reduction, c.l2)


def plan(prepared: Prepared, config: Config) -> tuple[Problem, float]:
    """The problem to train on, and its stable bound (known before training, for the warning)."""
    problem = design(prepared.train, config)
    return problem, bound_for(problem)


@dataclass(frozen=True)
class Replay:
    """A saved run trained again: how many steps, and the first whose loss differs (None: none)."""

    steps: int
    saved_steps: int
    first_difference: int | None

    @property
    def identical(self) -> bool:
        return self.first_difference is None and self.steps == self.saved_steps


def replay(saved) -> Replay:
    """Train again as a saved model records (same options, same data file, checked by SHA-256)."""
    from .data import load
    from .errors import DataError
    from .modelfile import sha256_of
    from .train import fit, prepare

    if saved.data is not None and (now := sha256_of(saved.data)) != saved.data_sha256:
        raise DataError(f"the data file changed since the model was trained (SHA-256 {now[:12]}…, "
                        f"saved {saved.data_sha256[:12]}…)", saved.data)
    config = Config(**saved.options)
    prepared = prepare(load(saved.data, config.target), config)
    losses = fit(design(prepared.train, config), valid=prepared.valid).losses
    common = min(len(losses), len(saved.losses))
    first = next((i + 1 for i in range(common) if losses[i] != saved.losses[i]), None)
    if first is None and len(losses) != len(saved.losses):
        first = common + 1
    return Replay(len(losses), len(saved.losses), first)
