import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cecli.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SEED_INITIAL = 2.772588722239781  # printed by the seed program
SEED_TRAINED = 0.38900754315581143


@pytest.fixture
def run():
    """Invoke cecli with arguments; returns click's Result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], **kwargs)

    return invoke


@pytest.fixture
def run_json(run):
    """Invoke cecli with --json and parse stdout; asserts the exit code."""

    def invoke(*args, exit_code=0):
        result = run(*args, "--json")
        assert result.exit_code == exit_code, result.output
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def write(tmp_path):
    """Write text (or bytes) to a file in a temporary folder and return its path."""

    def make(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return make
