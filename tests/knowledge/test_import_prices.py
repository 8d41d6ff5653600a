"""`advisor kb import-prices`: a price list fills starting prices with their source and date,
under the importers' rules (gaps filled, equal values confirmed, differing ones conflicts changed
only with --accept), and a bad row is reported with its line and field while nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.importing.price_run import import_prices, prices_report
from knowledge.importing.prices import PriceListError
from knowledge.importing.values import CONFIRMED, CONFLICT, CORRECTED, FILLED, KEPT
from knowledge.loader import load
from tests.knowledge.source_fixtures import CATEGORY, PRODUCTS, products_text, source_catalog

SAMPLE = Path(__file__).parent / "data" / "prices_sample.csv"
PRICED = CATEGORY + "\nroles: {price: price}\n"
THREE = (
    PRODUCTS
    + """
  - id: z
    brand: BrandC
    model: Hauler
    trim: Base
    year: 2025
    values:
      body: suv
      drive: [fwd, awd]
    sources: [https://example.org/z]
    as_of: 2025-06-01
"""
)
SITES = "low_quality:\n  spam.example: content farm\n"
HEADER = "product_id,make,model,trim,year,drive,msrp,source,as_of,note\n"


@pytest.fixture
def root(tmp_path) -> Path:
    return source_catalog(tmp_path / "cat", {"sites.yml": SITES}, THREE, PRICED)


def price_list(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def statuses(plan) -> dict[str, str]:
    return {o.product: o.status for o in plan.outcomes}


def test_the_sample_list_fills_confirms_and_reports_a_conflict(root):
    plan = import_prices(root, SAMPLE)
    assert statuses(plan) == {"z": FILLED, "x": CONFIRMED, "y": CONFLICT}
    catalog = load(root)
    figure = catalog.by_id["z"].figure("price")
    assert (figure.value, figure.source, figure.as_of.isoformat()) == (
        27400,
        "https://www.brandc.example/hauler",
        "2025-05-02",
    )
    assert catalog.by_id["x"].figure("price").source == "https://www.branda.example/runner"
    assert catalog.by_id["y"].figure("price").value == 40000  # the conflict is not changed
    assert "# Two test cars; this comment must survive an import." in products_text(root)
    assert "price: {value: 30000, source:" in products_text(root) and "# base trim" in (
        products_text(root)
    )


def test_a_second_run_changes_nothing(root):
    import_prices(root, SAMPLE)
    before = products_text(root)
    plan = import_prices(root, SAMPLE)
    assert statuses(plan) == {"z": CONFIRMED, "x": CONFIRMED, "y": CONFLICT}
    assert not plan.writes and products_text(root) == before


def test_a_conflict_changes_only_when_accepted(root):
    plan = import_prices(root, SAMPLE, accept=True)
    assert statuses(plan)["y"] == CORRECTED
    figure = load(root).by_id["y"].figure("price")
    assert (figure.value, figure.source) == (41000, "https://www.brandb.example/volt")


def test_a_dry_run_writes_nothing_and_says_so(root):
    before = products_text(root)
    plan = import_prices(root, SAMPLE, dry_run=True)
    assert products_text(root) == before
    report = prices_report(plan, load(root), dry_run=True)
    assert "dry run: nothing written" in report
    assert "conflict (changed only with --accept): y: on file $40,000, the list $41,000" in report


def test_a_price_for_another_trim_fills_a_gap_with_its_trim_and_never_overwrites(root, tmp_path):
    rows = (
        "z,,,Limited,,,39900,https://www.brandc.example/hauler,2025-05-02,",
        "x,,,Sport,,,33000,https://www.branda.example/runner,2025-05-01,",
    )
    plan = import_prices(root, price_list(tmp_path, *rows))
    assert statuses(plan) == {"z": FILLED, "x": KEPT}
    catalog = load(root)
    assert catalog.by_id["z"].figure("price").trim == "Limited"
    assert "trim: Limited" in products_text(root)
    assert catalog.by_id["x"].figure("price").value == 30000


def test_prices_per_configuration_give_one_figure_each_lowest_first(root, tmp_path):
    rows = (
        "z,,,,,awd,29400,https://www.brandc.example/hauler,2025-05-02,",
        "z,,,,,fwd,27400,https://www.brandc.example/hauler,2025-05-02,",
    )
    import_prices(root, price_list(tmp_path, *rows))
    product = load(root).by_id["z"]
    assert [(f.config, f.value) for f in product.figures["price"]] == [
        ("fwd", 27400),
        ("awd", 29400),
    ]
    assert product.figure("price", ("awd",)).value == 29400


BAD_ROWS = [
    ("nope,,,,,,27400,https://www.brandc.example/h,2025-05-02,", "product_id", "no product 'nope'"),
    (",BrandQ,Hauler,,2025,,27400,https://www.brandc.example/h,2025-05-02,", "make", "no brand"),
    (
        ",BrandC,Hauler,,2024,,27400,https://www.brandc.example/h,2025-05-02,",
        "model",
        "model year(s) 2025",
    ),
    ("z,,,,2024,,27400,https://www.brandc.example/h,2025-05-02,", "year", "is model year 2025"),
    (",,,,,,27400,https://www.brandc.example/h,2025-05-02,", "product_id", "give product_id"),
    ("z,,,,,,about 27k,https://www.brandc.example/h,2025-05-02,", "msrp", "is not a price"),
    ("z,,,,,,400,https://www.brandc.example/h,2025-05-02,", "msrp", "[E106]"),
    ("z,,,,,,27400,,2025-05-02,", "source", "needs the http(s) URL"),
    ("z,,,,,,27400,https://spam.example/h,2025-05-02,", "source", "refused: [W121]"),
    ("z,,,,,,27400,https://www.brandc.example/h,,", "as_of", "needs the day it was read"),
    ("z,,,,,,27400,https://www.brandc.example/h,May 2025,", "as_of", "is not a date"),
    ("z,,,,,,27400,https://www.brandc.example/h,2999-01-01,", "as_of", "in the future"),
    ("z,,,,,rwd,27400,https://www.brandc.example/h,2025-05-02,", "drive", "'rwd' is not one of"),
]


@pytest.mark.parametrize(("row", "field", "says"), BAD_ROWS)
def test_a_bad_row_names_the_file_line_and_field_and_nothing_is_written(
    root, tmp_path, row, field, says
):
    good = "x,,,,,,31000,https://www.branda.example/runner,2025-05-01,"
    path = price_list(tmp_path, good, row)
    before = products_text(root)
    with pytest.raises(PriceListError) as raised:
        import_prices(root, path, accept=True)
    [(line, name, message)] = raised.value.problems
    assert (line, name) == (3, field) and says in message
    assert f"{path}, line 3, field '{field}': [E123]" in str(raised.value)
    assert products_text(root) == before  # the good row on line 2 was not written either


def test_every_bad_row_is_reported_at_once(root, tmp_path):
    rows = (
        "z,,,,,,27400,https://www.brandc.example/h,2025-05-02,",
        "z,,,,,,27500,https://www.brandc.example/h,2025-05-02,",
        "x,,,,,,lots,https://www.branda.example/runner,,",
    )
    with pytest.raises(PriceListError) as raised:
        import_prices(root, price_list(tmp_path, *rows))
    found = [(line, name) for line, name, _ in raised.value.problems]
    assert found == [(4, "msrp"), (4, "as_of"), (3, "product_id")]
    assert "a second price for z (first on line 2)" in str(raised.value)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("product_id,msrp,source\n", "missing column(s) as_of"),
        ("model,msrp,source,as_of\n", "product_id (or make, model and year)"),
        ("product_id,msrp,source,as_of,price_note\n", "unknown column(s) price_note"),
    ],
)
def test_a_file_without_the_columns_is_refused_on_its_header(root, tmp_path, header, says):
    path = tmp_path / "prices.csv"
    path.write_text("# comment\n" + header + "z,27400,https://a.example/,2025-05-02,x\n")
    with pytest.raises(PriceListError) as raised:
        import_prices(root, path)
    assert says in str(raised.value) and raised.value.problems[0][0] == 2  # the header's line


def test_a_catalog_without_a_price_role_is_told_so(tmp_path):
    root = source_catalog(tmp_path / "cat", {}, THREE)
    with pytest.raises(PriceListError, match="declares no price"):
        import_prices(root, SAMPLE)


def test_the_command_reports_and_leaves_the_catalog_on_a_bad_file(root, tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["kb", "import-prices", str(SAMPLE), "--catalog", str(root)])
    assert result.exit_code == 0, result.output
    assert "filled" in result.output and "conflict (changed only with --accept): y" in result.output
    bad = price_list(tmp_path, "z,,,,,,27400,https://www.brandc.example/h,,")
    result = runner.invoke(cli, ["kb", "import-prices", str(bad), "--catalog", str(root)])
    assert result.exit_code == 1
    assert "line 2, field 'as_of'" in result.output and "left as it was" in result.output


def test_names_are_matched_through_aliases_and_trims(root, tmp_path):
    text = products_text(root).replace(
        "model: Hauler\n", "model: Hauler\n    aliases: [Big Hauler]\n"
    )
    (root / "products" / "cars.yml").write_text(text)
    path = price_list(
        tmp_path, ",brandc,big hauler,Base,2025,,27400,https://www.brandc.example/h,2025-05-02,"
    )
    plan = import_prices(root, path)
    assert statuses(plan) == {"z": FILLED}
    assert load(root).by_id["z"].figure("price").trim is None  # Base is the product's own trim


def test_the_changed_catalog_is_validated_before_anything_is_written(root, tmp_path):
    shutil.copy(root / "products" / "cars.yml", tmp_path / "before.yml")
    path = price_list(tmp_path, "z,,,,,,27400,https://www.brandc.example/h,2025-05-02,")
    import_prices(root, path)
    written = yaml.safe_load(products_text(root))
    [z] = [p for p in written["products"] if p["id"] == "z"]
    assert list(z["values"]) == ["price", "body", "drive"]  # in the category's attribute order


SHIPPED = (
    Path(__file__).parents[2] / "knowledge" / "catalogs" / "vehicles" / "sources" / "prices.csv"
)


def test_the_shipped_price_list_cites_only_the_makers_own_sites_and_is_imported(vehicles, tmp_path):
    """Every row of sources/prices.csv reads cleanly, cites a site the brand's `makers` entry
    declares, and is already in the catalog (importing it again changes nothing)."""
    from knowledge.citations import is_maker_url
    from knowledge.importing.prices import read_price_rows

    rows = read_price_rows(vehicles, SHIPPED)
    for row in rows:
        assert is_maker_url(vehicles, row.product.brand, row.figure.source), (row.line, row.figure)
    copy = tmp_path / "vehicles"
    shutil.copytree(Path(vehicles.source), copy)
    plan = import_prices(copy, SHIPPED, dry_run=True)
    assert not plan.writes and not plan.conflicts
    assert len(plan.outcomes) == len({r.product.id for r in rows})
