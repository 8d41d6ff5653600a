"""The shipped catalog against the real public files in ../shared/data: every importer would change
nothing, every product is mapped or listed as unmappable with a reason, every pin made among
several candidate rows says why, and the figures the issue found wrong are fixed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.importing.rows import read_table
from knowledge.importing.run import import_issues, import_values
from knowledge.importing.suggest import candidates, pinned_as_suggested
from knowledge.loader import DEFAULT_CATALOG, load
from knowledge.sources import read_spec, sources_dir

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(ROOT).parent / "shared" / "data"
FILES = {
    "epa.yml": SHARED / "epa" / "vehicles.csv.zip",
    "nhtsa-ratings.yml": SHARED / "nhtsa" / "safercar_MY2024-2026.csv",
    "nhtsa-recalls.yml": SHARED / "nhtsa" / "recall_documents_MY2024-2026.csv",
}
VALUE_SOURCES = ("epa.yml", "nhtsa-ratings.yml")  # the others attach known issues


def shared_file(declaration: str) -> Path:
    path = FILES[declaration]
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing: CI must have shared/ beside the clone")
        pytest.skip(f"{path} is not here (shared/ is expected beside the clone)")
    return path


@pytest.fixture(scope="module")
def tables():
    cache: dict = {}

    def table(declaration: str):
        if declaration not in cache:
            spec = read_spec(sources_dir(DEFAULT_CATALOG) / declaration)
            cache[declaration] = (spec, read_table(shared_file(declaration), spec))
        return cache[declaration]

    return table


@pytest.mark.parametrize("declaration", sorted(FILES))
def test_importing_the_real_file_would_change_nothing(declaration):
    run = import_values if declaration in VALUE_SOURCES else import_issues
    plan = run(DEFAULT_CATALOG, declaration, shared_file(declaration), dry_run=True)
    assert [(o.product, o.attribute) for o in plan.writes] == []
    assert [(o.product, o.attribute) for o in plan.conflicts] == []


@pytest.mark.parametrize("declaration", sorted(FILES))
def test_every_product_is_mapped_or_unmappable_with_a_reason(declaration):
    spec = read_spec(sources_dir(DEFAULT_CATALOG) / declaration)
    missing = [p.id for p in load() if p.id not in spec.products and p.id not in spec.unmappable]
    assert missing == []


@pytest.mark.parametrize("declaration", VALUE_SOURCES)
def test_a_pin_made_among_several_rows_says_why(declaration, tables, vehicles):
    spec, table = tables(declaration)
    unexplained = [
        pid
        for pid, pin in spec.products.items()
        if not pin.reason
        and not pinned_as_suggested(spec, candidates(vehicles, spec, table, vehicles.by_id[pid]))
    ]
    assert unexplained == []


def test_the_maverick_and_frontier_figures_describe_their_drivetrains(vehicles):
    maverick, frontier = (
        vehicles.by_id["ford-maverick-2025"],
        vehicles.by_id["nissan-frontier-2024"],
    )
    assert (maverick.value("mpg_combined"), maverick.figure("mpg_combined", ["awd"]).value) == (
        38,
        37,
    )
    assert (frontier.value("mpg_combined"), frontier.figure("mpg_combined", ["4wd"]).value) == (
        21,
        20,
    )


def test_the_rav4_hybrid_has_no_rating_because_nhtsa_gives_none(vehicles):
    assert vehicles.by_id["toyota-rav4-hybrid-2025"].value("nhtsa_overall") is None
    assert vehicles.by_id["toyota-rav4-2025"].figure("nhtsa_overall").source == (
        "https://www.nhtsa.gov/vehicle/2025/TOYOTA/RAV4/SUV/FWD"
    )


def test_the_mapping_keeps_nhtsa_s_separate_models_apart():
    spec = read_spec(sources_dir(DEFAULT_CATALOG) / "nhtsa-recalls.yml")

    def models(pid: str) -> set[str]:
        return {selector["MODEL"] for _, selector in spec.products[pid].rows}

    assert models("ford-f-150-2025") == {"F-150"}
    assert models("ford-f-150-lightning-2025") == {"F-150 LIGHTNING BEV"}
    assert models("ford-bronco-sport-2025") == {"BRONCO SPORT"}


def test_a_recall_cites_its_campaign_page_and_year(vehicles):
    issue = next(i for i in vehicles.by_id["ford-f-150-2025"].known_issues if i.id == "25V271")
    assert (issue.kind, issue.year) == ("recall", 2025)
    assert issue.source == "https://www.nhtsa.gov/recalls?nhtsaId=25V271"
