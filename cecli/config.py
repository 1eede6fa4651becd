"""One dataclass of defaults; a YAML config file overrides it; command-line flags override the file."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .errors import ConfigError


@dataclass(frozen=True)
class Config:
    """Every training option, with the seed program's values as defaults."""

    lr: float = 0.01  # the seed's step size
    steps: int = 100  # the seed's number of descent steps
    sigmoid: str = "tanh"  # the seed's 0.5*(tanh(z)+1), i.e. logistic(2z)
    reduction: str = "sum"  # the seed sums the per-example losses
    target: str | None = None  # CSV target column; None: target, label, y or the last column
    seed: int = 0  # every random choice (gradient-check points) derives from it
    standardize: bool = False  # z-score each feature with the training data's mean and std
    intercept: bool = False  # the seed has no bias term
    l2: float = 0.0  # adds l2/2 * |w|² (intercept excluded) to the loss
    init: str = "zeros"  # the seed starts from w = 0; normal: N(0, 0.01²) from --seed
    optimizer: str = "gd"  # the seed's plain gradient descent
    tol: float = 0.0  # stop when |grad| <= tol; 0 runs every step, as the seed does
    holdout: float = 0.0  # fraction of rows held out for validation (split by --seed)
    patience: int = 0  # stop after this many steps without a better validation loss; 0: never


CHOICES = {"sigmoid": ("tanh", "logistic"), "reduction": ("sum", "mean"), "init": ("zeros", "normal"),
           "optimizer": ("gd", "momentum", "adam", "newton")}
STEP_SIZED = ("gd", "momentum")  # the optimizers for which 2/L bounds the stable learning rate
FIELDS = {f.name: f for f in dataclasses.fields(Config)}


def check_value(key: str, value):
    """value as the type of Config.key, or a ConfigError saying what was expected."""
    kind = FIELDS[key].type
    if key in CHOICES:
        if value not in CHOICES[key]:
            raise ConfigError(f"{key} must be one of {', '.join(CHOICES[key])}, not {value!r}")
    elif kind == "bool" and not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    elif kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{key} must be an integer, not {value!r}")
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key} must be a number, not {value!r}")
        value = float(value)
    elif kind == "str | None" and value is not None and not isinstance(value, str):
        raise ConfigError(f"{key} must be a column name, not {value!r}")
    if key == "lr" and not value > 0:
        raise ConfigError(f"lr must be positive, not {value!r}")
    if key in ("steps", "patience") and value < 0:
        raise ConfigError(f"{key} must be zero or more, not {value!r}")
    if key in ("l2", "tol") and value < 0:
        raise ConfigError(f"{key} must be zero or more, not {value!r}")
    if key == "holdout" and not 0 <= value < 1:
        raise ConfigError(f"holdout must be a fraction in [0, 1), not {value!r}")
    return value


def read_config_file(path: str) -> dict:
    """The options in a YAML config file, checked against Config's fields."""
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            values = yaml.safe_load(f)
    except OSError as e:
        raise ConfigError(f"config file {path}: cannot be read ({e.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {path}: not valid YAML ({str(e).splitlines()[0]})") from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ConfigError(f"config file {path}: expected a mapping of option: value")
    values = {str(key).replace("-", "_"): value for key, value in values.items()}
    for key in values:
        if key not in FIELDS:
            raise ConfigError(f"config file {path}: unknown option {key!r}; options are {', '.join(FIELDS)}")
    try:
        return {key: check_value(key, value) for key, value in values.items()}
    except ConfigError as e:
        raise ConfigError(f"config file {path}: {e}") from None


def resolve(file_values: dict, flag_values: dict) -> Config:
    """Config's defaults, overridden by the file's values, overridden by the flags given."""
    merged = {**file_values, **flag_values}
    return Config(**{key: check_value(key, value) for key, value in merged.items()})
