"""python -m cecli"""

from .cli import cli

cli(prog_name="cecli")
