"""A value importer fills, confirms and (only when accepted) corrects figures from a data file,
through the declaration and the reviewed mapping; bad input leaves the catalog as it was."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from advisor.cli import cli
from knowledge.errors import SourceFileError
from knowledge.importing.run import import_values, report
from knowledge.importing.values import CONFLICT
from knowledge.loader import load
from tests.knowledge.source_fixtures import (
    EPA_LIKE,
    HEADER,
    PRODUCTS,
    ROWS,
    products_text,
    source_catalog,
    write_csv,
    write_zip,
)

CITE = "https://data.example.gov/row?id="


@pytest.fixture
def root(tmp_path):
    return source_catalog(tmp_path / "cat", {"test.yml": EPA_LIKE})


@pytest.fixture
def data(tmp_path):
    return write_csv(tmp_path / "rows.csv")


def test_a_conflict_is_reported_with_old_new_and_row_and_nothing_changes(root, data):
    before = products_text(root)
    plan = import_values(root, "test.yml", data)
    [conflict] = plan.conflicts
    assert (conflict.product, conflict.attribute, conflict.old[0].value) == ("x", "mpg", 37)
    assert [(f.config, f.value, f.row.line) for f in conflict.new] == [
        ("fwd", 38, 2),
        ("awd", 37, 3),
    ]
    assert "x mpg: on file 37, TEST 38 (fwd), 37 (awd) [line 2: " in report(plan)
    assert products_text(root) == before


def test_accept_corrects_a_conflict_with_one_figure_per_configuration(root, data):
    import_values(root, "test.yml", data, accept=True)
    product = load(root).by_id["x"]
    assert product.value("mpg") == 38
    awd = product.figure("mpg", ["awd"])
    assert (awd.value, awd.source, awd.as_of.isoformat()) == (37, f"{CITE}2", "2025-10-28")


def test_a_missing_value_is_filled_with_a_figure_that_cites_its_row(root, data):
    text = products_text(root).replace("      mpg: 37\n", "")
    (root / "products" / "cars.yml").write_text(text)
    plan = import_values(root, "test.yml", data)
    assert [o.status for o in plan.outcomes] == ["filled"]
    assert load(root).by_id["x"].figure("mpg").source == f"{CITE}1"


def test_an_equal_value_is_confirmed_and_gains_its_source(root, tmp_path):
    rows = [r[:7] + ["37"] if r[0] == "1" else r for r in ROWS]
    data = write_csv(tmp_path / "same.csv", rows=rows)
    plan = import_values(root, "test.yml", data)
    assert [(o.status, o.writes) for o in plan.outcomes] == [("confirmed", True)]
    assert load(root).by_id["x"].figure("mpg").source == f"{CITE}1"


def test_running_an_importer_twice_changes_nothing(root, data):
    import_values(root, "test.yml", data, accept=True)
    after_first = products_text(root)
    plan = import_values(root, "test.yml", data, accept=True)
    assert plan.writes == [] and products_text(root) == after_first
    assert [o.status for o in plan.outcomes] == ["confirmed"]


def test_comments_and_key_order_are_kept(root, data):
    import_values(root, "test.yml", data, accept=True)
    text = products_text(root)
    assert text.lstrip().startswith("# Two test cars; this comment must survive an import.")
    assert "      price: 30000   # base trim\n      body: sedan\n      mpg:\n" in text


def test_a_dry_run_writes_nothing(root, data):
    before = products_text(root)
    plan = import_values(root, "test.yml", data, accept=True, dry_run=True)
    assert plan.writes and products_text(root) == before


def test_a_zip_is_read_through_its_declared_member(root, tmp_path):
    plan = import_values(root, "test.yml", write_zip(tmp_path / "rows.zip"))
    assert [o.status for o in plan.outcomes] == [CONFLICT]


def test_a_missing_column_names_the_file_and_the_column(root, tmp_path):
    data = write_csv(tmp_path / "bad.csv", HEADER[:-1], [r[:-1] for r in ROWS])
    with pytest.raises(SourceFileError, match=r"bad\.csv, row 1: missing column\(s\) mpg"):
        import_values(root, "test.yml", data)


def test_a_truncated_file_names_the_row(root, tmp_path):
    data = write_csv(tmp_path / "cut.csv")
    data.write_text(data.read_text()[:-8])
    with pytest.raises(SourceFileError, match=r"cut\.csv, row 5: 6 fields where the header has 8"):
        import_values(root, "test.yml", data)


def test_a_file_that_is_not_a_zip_is_refused(root, tmp_path):
    data = tmp_path / "rows.zip"
    data.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceFileError, match=r"rows\.zip: not a readable zip archive"):
        import_values(root, "test.yml", data)


def test_a_mapped_id_that_is_not_in_the_file_names_product_and_id(root, tmp_path):
    data = write_csv(tmp_path / "rows.csv", rows=[r for r in ROWS if r[0] != "2"])
    with pytest.raises(SourceFileError, match=r"test\.yml, field 'products\.x': id '2' for model"):
        import_values(root, "test.yml", data)


def test_a_row_of_another_class_than_the_product_is_refused(root, tmp_path):
    rows = [r[:5] + ["car", ""] + r[7:] if r[0] == "1" else r for r in ROWS]
    with pytest.raises(
        SourceFileError, match=r"line 2 of .* describes a suv body, the product is sedan"
    ):
        import_values(root, "test.yml", write_csv(tmp_path / "r.csv", rows=rows))


def test_class_rules_apply_in_order_so_a_mild_hybrid_counts_as_its_base(root, tmp_path):
    rows = [r[:5] + ["car", "mild hybrid"] + r[7:] if r[0] == "1" else r for r in ROWS]
    plan = import_values(root, "test.yml", write_csv(tmp_path / "r.csv", rows=rows))
    assert plan.outcomes[0].new[0].value == 38


def test_the_report_counts_each_status_per_attribute_and_lists_the_unmapped(root, data):
    text = report(import_values(root, "test.yml", data, accept=True))
    assert "mpg        0       0          1          0         0          0     1" in text
    assert "y: no row in the test file" in text


def test_the_cli_leaves_the_catalog_as_it_was_on_bad_input(root, tmp_path):
    sources = root / "sources"
    (sources / "epa.yml").write_text((sources / "test.yml").read_text())
    before = products_text(root)
    data = tmp_path / "empty.csv"
    data.write_text("")
    result = CliRunner().invoke(
        cli, ["kb", "import-epa", str(data), "--catalog", str(root)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "empty.csv" in result.output and "left as it was" in result.output, result.output
    assert products_text(root) == before


def test_suggest_lists_candidate_rows_per_configuration(tmp_path, data):
    declaration = EPA_LIKE.replace("  x: {rows: {fwd: 1, awd: 2}}\n", "")
    root = source_catalog(tmp_path / "c", {"test.yml": declaration}, PRODUCTS)
    (root / "sources" / "epa.yml").write_text((root / "sources" / "test.yml").read_text())
    result = CliRunner().invoke(
        cli, ["kb", "import-epa", str(data), "--catalog", str(root), "--suggest"]
    )
    assert result.exit_code == 0, result.output
    assert "x (2025 BrandA Runner): several" in result.output
    assert "  fwd: line 2: id=1, model=Runner FWD, drive=FWD, mpg=38" in result.output
    assert "  awd: line 4: id=3, model=Runner AWD Sport" in result.output
