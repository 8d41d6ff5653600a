"""The `advisor` command line: one click group, every command attached here at import.

Commands keep their heavy imports (Rasa, spaCy) inside their bodies, so `advisor --help` and the
catalog and mining commands start fast.
"""

from __future__ import annotations

import click

from advisor import (
    catalog_commands,
    exposure_commands,
    log_commands,
    mining_commands,
    ops_commands,
    staff_commands,
)
from ops.bench import bench
from ops.loadtest import loadtest
from ops.nlu_eval import nlu_eval


@click.group()
def cli() -> None:
    """Fair-advice shopping advisor: every brand ranked by the same published rules."""


for command in (
    *catalog_commands.COMMANDS,
    *ops_commands.COMMANDS,
    log_commands.log,
    staff_commands.staff,
    *mining_commands.COMMANDS,
    *exposure_commands.COMMANDS,
    bench,
    loadtest,
    nlu_eval,
):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="advisor")


if __name__ == "__main__":
    main()
