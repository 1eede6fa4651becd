"""Every command through click: output, JSON, exit codes, help, config files."""

import re

import pytest
from conftest import ROOT, SEED_INITIAL

from cecli import __version__
from cecli.cli import cli

COMMANDS = sorted(cli.commands)


def test_every_command_has_help_and_is_in_the_readme(run):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert COMMANDS
    for name in COMMANDS:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert cli.commands[name].help and "Usage: cli " + name in result.stdout
        assert f"cecli {name}" in readme, f"{name} is not documented in README.md"


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.stdout


def test_sigmoid_help_says_tanh_is_logistic_at_2z(run):
    assert "logistic function at 2z" in run("train", "--help").stdout


def test_train_json_fields(run_json):
    out = run_json("train", "--steps", "3", "--lr", "0.1")
    for key in ("initial_loss", "trained_loss", "weights", "names", "steps", "lr", "sigmoid", "reduction",
                "losses", "accuracy"):
        assert key in out
    assert out["steps"] == 3 and out["lr"] == 0.1 and len(out["losses"]) == 3
    assert out["names"] == ["x1", "x2", "x3"] and len(out["weights"]) == 3


def test_train_human_output_names_weights_by_feature(run):
    result = run("train")
    assert result.exit_code == 0
    assert f"Initial loss: {SEED_INITIAL!r}" in result.stdout
    assert re.search(r"x3\s+1\.136", result.stdout)
    assert "accuracy" in result.stdout


def test_zero_steps_trains_nothing(run_json):
    out = run_json("train", "--steps", "0")
    assert out["trained_loss"] == out["initial_loss"] and out["losses"] == []


def test_mean_reduction_and_logistic_sigmoid(run_json):
    out = run_json("train", "--reduction", "mean", "--sigmoid", "logistic", "--steps", "1")
    assert out["initial_loss"] == pytest.approx(0.6931471805599453)
    assert out["sigmoid"] == "logistic" and out["reduction"] == "mean"


def test_flags_override_the_config_file(run_json, write):
    config = write("c.yaml", "lr: 0.05\nsteps: 7\nsigmoid: logistic\n")
    out = run_json("train", "--config", config, "--steps", "3")
    assert (out["lr"], out["steps"], out["sigmoid"]) == (0.05, 3, "logistic")


@pytest.mark.parametrize("content, message", [
    ("lr: fast\n", "lr must be a number"),
    ("learning_rate: 0.1\n", "unknown option 'learning_rate'"),
    ("- 1\n", "expected a mapping"),
    ("sigmoid: relu\n", "sigmoid must be one of"),
    ("lr: [\n", "not valid YAML"),
])
def test_bad_config_file_is_a_usage_error(run, write, content, message):
    result = run("train", "--config", write("c.yaml", content))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_bad_option_is_a_usage_error(run):
    for args in (["train", "--lr", "abc"], ["train", "--sigmoid", "relu"], ["train", "--steps", "-1"],
                 ["train", "--lr", "-1"], ["nosuchcommand"]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_missing_file_is_one_line_exit_1(run):
    result = run("train", "no/such/file.csv")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no/such/file.csv: no such file"


def test_gradcheck_passes_and_reports(run, run_json):
    out = run_json("gradcheck", "--points", "2")
    assert out["passed"] is True and out["max_rel_error"] < 1e-8
    assert len(out["rows"]) == 3 * 3
    result = run("gradcheck")
    assert result.exit_code == 0 and "PASSED" in result.stdout


def test_gradcheck_exits_1_when_it_fails(run):
    # a tolerance no finite difference can meet makes the check fail: reported, then exit 1
    result = run("gradcheck", "--rtol", "0", "--atol", "0")
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "gradient check failed" in result.stderr


def test_compare_losses_json(run_json):
    out = run_json("compare-losses")
    for name in ("initial", "trained"):
        for key in ("weights", "likelihood", "log_likelihood", "nll", "cross_entropy"):
            assert key in out[name]
        assert out[name]["nll"] == out[name]["cross_entropy"]
        assert out[name]["log_likelihood"] == pytest.approx(-out[name]["nll"], rel=1e-15)
    assert out["initial"]["likelihood"] == pytest.approx(0.5**4)
    assert out["initial"]["nll"] == pytest.approx(SEED_INITIAL, rel=1e-15)


def test_compare_losses_says_nll_equals_cross_entropy(run):
    result = run("compare-losses")
    assert result.exit_code == 0
    assert "NLL and cross-entropy are equal" in result.stdout


def test_progress_and_warnings_stay_off_stdout_under_json(run):
    result = run("train", "--json")
    assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")


def test_python_dash_m_cecli_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "cecli", "train", "--json"], capture_output=True,
                          text=True, cwd=tmp_path, check=True)
    assert '"initial_loss": 2.772588722239781' in done.stdout


@pytest.mark.parametrize("name, content, where", [
    ("bad.csv", "a,target\n1,0\nx,1\n", "line 3, column 'a'"),
    ("ragged.csv", "a,b,target\n1,2,0\n1,2\n", "line 3"),
    ("labels.csv", "a,target\n1,7\n", "line 2"),
    ("bad.yaml", "inputs:\n  - [1, 2]\n  - [3]\ntargets: [1, 0]\n", "line 3"),
    ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
    ("data.parquet", "x", "unsupported file type"),
])
@pytest.mark.parametrize("command", ["train", "gradcheck", "compare-losses", "inspect"])
def test_bad_data_is_one_line_exit_1(run, write, command, name, content, where):
    path = write(name, content)
    result = run(command, path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}") and where in lines[0]


def test_inspect_reports_the_toy_set(run, run_json):
    out = run_json("inspect")
    assert out["rows"] == 4 and out["positives"] == 3 and out["duplicated_rows"] == 0
    assert out["stable_lr"] == pytest.approx(0.18787236, rel=1e-6)
    text = run("inspect", "--sigmoid", "logistic").stdout
    assert "x3" in text and "stable lr" in text and "0.751489" in text


def test_warnings_go_to_stderr_and_training_goes_on(run, write):
    path = write("one.csv", "a,b,target\n1,2,1\n1,3,1\n1,3,1\n")
    result = run("train", path, "--json", "--steps", "2")
    assert result.exit_code == 0
    assert "Warning: all 3 targets are 1" in result.stderr and "constant" in result.stderr
    assert result.stdout.lstrip().startswith("{")


def test_every_package_is_installed_by_a_non_editable_install():
    """setuptools installs only the packages listed in pyproject.toml: a missing one breaks `pip install .`."""
    listed = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for init in (ROOT / "cecli").rglob("__init__.py"):
        dotted = ".".join(init.parent.relative_to(ROOT).parts)
        assert f'"{dotted}"' in listed, f"{dotted} is missing from [tool.setuptools] packages"
