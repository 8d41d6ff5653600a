"""The `advisor` command line: one click group holding every command.

The commands are listed here by name with the module that defines them, and a module is imported
when one of its commands runs (or when the whole tree is asked for: `advisor --help`, the tests).
So `advisor needs` imports the mining commands and not Rasa's tools, the importers or the load
test, and a product manager's command starts in a fraction of a second. Commands keep their
heavy imports (Rasa, the importers) inside their bodies as well.
"""

from __future__ import annotations

import importlib

import click

# module -> the names of the commands it defines (each module's COMMANDS, or the one command)
MODULES: dict[str, tuple[str, ...]] = {
    "advisor.catalog_commands": ("kb", "recommend", "needs-list", "compare", "rules"),
    "advisor.ops_commands": ("run", "chat", "settings"),
    "advisor.log_commands": ("log",),
    "advisor.mining_commands": ("needs", "report", "simulate", "bench-mining", "mining-eval"),
    "advisor.exposure_commands": ("exposure",),
    "advisor.concept_commands": ("concept", "clusters"),
    "advisor.staff_commands": ("staff",),
    "advisor.db_commands": ("db",),
    "ops.bench": ("bench",),
    "ops.bench_needs": ("bench-needs",),
    "ops.bench_concept": ("bench-concept",),
    "ops.loadtest": ("loadtest",),
    "ops.nlu_eval": ("nlu-eval",),
}
ATTRIBUTES = {  # modules without COMMANDS: the attribute that is the command
    "advisor.log_commands": "log",
    "advisor.staff_commands": "staff",
    "advisor.db_commands": "db",
    "ops.bench": "bench",
    "ops.bench_needs": "bench_needs_cmd",
    "ops.bench_concept": "bench_concept_cmd",
    "ops.loadtest": "loadtest",
    "ops.nlu_eval": "nlu_eval",
}


def module_commands(module_name: str) -> list[click.Command]:
    module = importlib.import_module(module_name)
    if module_name in ATTRIBUTES:
        return [getattr(module, ATTRIBUTES[module_name])]
    return list(module.COMMANDS)


class Advisor(click.Group):
    """A group that imports a command's module when the command is wanted."""

    def __init__(self, *args, **kwargs) -> None:
        self._loaded: set[str] = set()
        super().__init__(*args, **kwargs)

    def _load(self, module_name: str) -> None:
        if module_name not in self._loaded:
            self._loaded.add(module_name)
            for command in module_commands(module_name):
                self.add_command(command)

    def _load_all(self) -> None:
        for module_name in MODULES:
            self._load(module_name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module_name, names in MODULES.items():
            if cmd_name in names:
                self._load(module_name)
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name not in self.commands:
            self._load_all()
            found = super().get_command(ctx, cmd_name)
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def all_commands(self) -> dict[str, click.Command]:
        """Every command, each module imported."""
        self._load_all()
        return self.commands


@click.group(cls=Advisor)
def cli() -> None:
    """Fair-advice shopping advisor: every brand ranked by the same published rules."""


def main() -> None:
    from analysis.sentence_vectors import ModelMissing

    try:
        cli(prog_name="advisor")
    except ModelMissing as error:  # ADVISOR_FEATURE_MEANING=sentences without the model
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
