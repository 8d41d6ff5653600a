"""The `advisor` CLI: every command has help with an example; readable and JSON output."""

import json

import click
import pytest
from click.testing import CliRunner

from advisor.cli import cli


def all_commands(group: click.Group, prefix=()):
    commands = group.all_commands() if hasattr(group, "all_commands") else group.commands
    for name, command in commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize(
    ("path", "command"),
    list(all_commands(cli)),
    ids=lambda x: " ".join(x) if isinstance(x, tuple) else "",
)
def test_every_command_has_help_with_an_example(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    if not isinstance(command, click.Group):
        assert "Example:" in result.output


def test_the_tree_holds_every_command():
    names = {" ".join(path) for path, _ in all_commands(cli)}
    expected = {
        "kb", "kb validate", "kb show", "kb import-epa", "kb import-nhtsa-ratings", "kb import-recalls",
        "kb import-prices", "kb coverage", "exposure", "recommend", "needs-list", "compare", "rules", "run",
        "chat", "settings", "log", "log tail", "log show", "needs", "report", "simulate",
        "bench-mining", "bench", "loadtest", "nlu-eval", "bench-needs", "mining-eval", "log tag",
        "staff", "staff add", "staff list", "staff remove", "staff reset",
    }  # fmt: skip
    assert expected <= names


def test_each_command_is_found_in_the_module_the_tree_names():
    """`advisor needs` imports only the module that defines it (advisor.cli.MODULES)."""
    from advisor.cli import MODULES, module_commands

    for module, names in MODULES.items():
        assert {c.name for c in module_commands(module)} == set(names), module
    listed = {name for names in MODULES.values() for name in names}
    assert listed == set(cli.all_commands())


def test_settings_prints_what_is_in_force(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "var"))
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 0, result.output
    assert f"turn_log       {tmp_path / 'var' / 'turns.db'}" in result.output
    assert "ADVISOR_TURN_LOG" in result.output


def test_recommend_prints_a_readable_answer(tiny_catalog_path):
    result = CliRunner().invoke(
        cli, ["recommend", "--catalog", str(tiny_catalog_path), "--budget", "42k", "--seats", "7"]
    )
    assert result.exit_code == 0, result.output
    assert "1 car meets your needs (budget up to $42,000; at least 7 seats)" in result.output
    assert "2025 BrandC Hauler" in result.output


def test_recommend_json_and_flags(tiny_catalog_path):
    args = [
        "recommend",
        "--catalog",
        str(tiny_catalog_path),
        "--awd",
        "--body=suv",
        "--json",
        "--exclude-brand",
        "BrandC",
    ]
    result = CliRunner().invoke(cli, args)
    data = json.loads(result.output)
    assert [m["id"] for m in data["matches"]] == ["a-big"]


def test_recommend_nothing_fits_is_explained(tiny_catalog_path):
    result = CliRunner().invoke(
        cli, ["recommend", "--catalog", str(tiny_catalog_path), "--budget", "10000"]
    )
    assert result.exit_code == 0
    assert "No car meets all of: budget up to $10,000." in result.output
    assert "$10,000 over your budget" in result.output


def test_recommend_refuses_unknown_needs(tiny_catalog_path):
    result = CliRunner().invoke(
        cli, ["recommend", "--catalog", str(tiny_catalog_path), "--colour", "red"]
    )
    assert result.exit_code == 2 and "Unknown need 'colour'" in result.output


def test_compare_by_alias_and_unknown_name(tiny_catalog_path):
    ok = CliRunner().invoke(
        cli, ["compare", "--catalog", str(tiny_catalog_path), "ba smally", "Hauler"]
    )
    assert ok.exit_code == 0 and "(* = better)" in ok.output
    bad = CliRunner().invoke(
        cli, ["compare", "--catalog", str(tiny_catalog_path), "Compakt", "Hauler"]
    )
    assert bad.exit_code == 1
    assert "I don't have data on 'Compakt'. Did you mean: BrandB Compact?" in bad.output
    assert "Traceback" not in bad.output


def test_rules_disclose_the_deployer(tiny_catalog_path):
    result = CliRunner().invoke(cli, ["rules", "--catalog", str(tiny_catalog_path)])
    assert "This advisor is run by Brand A retail." in result.output
