"""The Rasa domain's need entities and slots and the help texts are generated from category.yml, for
both catalogs; the committed part for the default catalog is current; training reads what is
generated. The interview is no form: its questions are asked by the actions (knowledge/interview.py)."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.bot_domain import (
    GENERATED_FILE,
    NOT_NEED_INTENTS,
    catalog_label,
    domain_part,
    domain_text,
    read_domain,
)
from knowledge.loader import CATALOGS_DIR, DEFAULT_CATALOG, load
from ops.stack import ROOT, model_inputs, training_domain

LAPTOPS = CATALOGS_DIR / "laptops"
COMMITTED = ROOT / "bot" / "domain" / GENERATED_FILE


def test_vehicle_domain_has_a_slot_and_entity_per_need_and_no_form(vehicles):
    part = domain_part(vehicles.category)
    needs = list(vehicles.category.needs)
    assert part["entities"] == needs and list(part["slots"]) == needs
    assert "forms" not in part  # answer first: the actions ask one question at a time
    assert not [r for r in part["responses"] if r.startswith("utter_ask_") and r[10:] in needs]
    for need in ("budget", "towing"):  # 'no preference' is the actions' (declined_needs)
        assert part["slots"][need]["mappings"] == [
            {"type": "from_entity", "entity": need, "not_intent": list(NOT_NEED_INTENTS)}
        ]
    assert "choosing a vehicle" in part["responses"]["utter_out_of_scope"][0]["text"]
    assert "cost to own" in part["responses"]["utter_out_of_scope"][0]["text"]


def test_laptop_domain_comes_from_the_laptop_declarations():
    category = load(LAPTOPS).category
    part = domain_part(category)
    assert part["entities"] == list(category.needs)
    assert "os" in part["slots"] and "body" not in part["slots"]
    out_of_scope = part["responses"]["utter_out_of_scope"][0]["text"]
    assert "choosing a laptop" in out_of_scope and "cost to own" not in out_of_scope
    assert "MacBook Air 13 vs Surface Laptop 7" in part["responses"]["utter_default"][0]["text"]


def test_the_committed_domain_part_is_what_the_default_catalog_generates(vehicles):
    expected = domain_text(vehicles.category, catalog_label(DEFAULT_CATALOG))
    assert COMMITTED.read_text(encoding="utf-8") == expected, "run `advisor kb domain`"
    result = CliRunner().invoke(cli, ["kb", "domain", "--check"])
    assert result.exit_code == 0, result.output


def test_the_generated_file_is_yaml_rasa_merges_with_the_hand_written_part():
    merged = read_domain(ROOT / "bot" / "domain")
    entities = [e if isinstance(e, str) else next(iter(e)) for e in merged["entities"]]
    assert "refine_smaller" in merged["intents"] and "priority" in entities
    assert {"budget", "priorities", "shown_products"} <= set(merged["slots"])
    assert yaml.safe_load(COMMITTED.read_text())["version"] == "3.1"


def test_training_reads_the_committed_domain_for_the_default_catalog(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_MODEL_DIR", str(tmp_path / "models"))
    assert training_domain(ROOT, str(DEFAULT_CATALOG)) == ROOT / "bot" / "domain"
    inputs = model_inputs(ROOT, str(DEFAULT_CATALOG))
    assert COMMITTED in inputs and ROOT / "bot" / "domain" / "core.yml" in inputs
    assert not (tmp_path / "models").exists()


def test_training_on_another_catalog_generates_its_domain_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ADVISOR_MODEL_DIR", str(tmp_path / "models"))
    folder = training_domain(ROOT, str(LAPTOPS))
    assert folder == (tmp_path / "models" / "domain" / "laptops").resolve()
    assert (folder / "core.yml").read_bytes() == (ROOT / "bot" / "domain" / "core.yml").read_bytes()
    generated = yaml.safe_load((folder / GENERATED_FILE).read_text())
    assert "os" in generated["slots"] and "body" not in generated["slots"]
    inputs = model_inputs(ROOT, str(LAPTOPS))
    assert folder / GENERATED_FILE in inputs and COMMITTED not in inputs


def test_kb_domain_writes_a_folder_for_another_catalog(tmp_path):
    out = tmp_path / "domain"
    result = CliRunner().invoke(cli, ["kb", "domain", "--catalog", str(LAPTOPS), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["core.yml", GENERATED_FILE]
    assert "knowledge/catalogs/laptops" in (out / GENERATED_FILE).read_text().splitlines()[0]
