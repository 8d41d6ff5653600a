"""Small catalogs, source declarations and data files that the importer tests write themselves."""

from __future__ import annotations

import csv
import io
import textwrap
import zipfile
from pathlib import Path

from tests.conftest import TINY_CATEGORY, write_catalog

CATEGORY = TINY_CATEGORY + "\nconfiguration: {attribute: drive, key: drive}\n"

PRODUCTS = """
# Two test cars; this comment must survive an import.
products:
  - id: x
    brand: BrandA
    model: Runner
    year: 2025
    values:
      price: 30000   # base trim
      body: sedan
      mpg: 37
      drive: [fwd, awd]
    sources: [https://example.org/x]
    as_of: 2025-06-01

  - id: y
    brand: BrandB
    model: Volt
    year: 2025
    values:
      price: 40000
      drive: [awd]
    sources: [https://example.org/y]
    as_of: 2025-06-01
"""

EPA_LIKE = """
source:
  name: Test fuel economy file
  label: TEST
  member: rows.csv
  key: [id]
  year: year
  as_of: 2025-10-28
  cite: https://data.example.gov/row?id={id}
  absent: ["", "0"]
  columns: [id, year, make, model, drive, kind, note, mpg]
candidates:
  brand: make
  model: [model]
  show: [model, drive, mpg]
  config:
    column: drive
    values: {FWD: [fwd], AWD: [awd]}
classes:
  attribute: body
  rules:
    - {class: sedan, when: {kind: car, note: {contains: mild}}}
    - {class: suv, when: {kind: car}}
    - {class: sedan, when: {kind: sedan}}
fill:
  mpg: [{column: mpg, classes: [sedan]}]
products:
  x: {rows: {fwd: 1, awd: 2}}
unmappable:
  y: no row in the test file
"""

HEADER = ["id", "year", "make", "model", "drive", "kind", "note", "mpg"]
ROWS = [
    ["1", "2025", "BrandA", "Runner FWD", "FWD", "sedan", "", "38"],
    ["2", "2025", "BrandA", "Runner AWD", "AWD", "sedan", "", "37"],
    ["3", "2025", "BrandA", "Runner AWD Sport", "AWD", "sedan", "", "33"],
    ["4", "2024", "BrandA", "Runner FWD", "FWD", "sedan", "", "36"],
]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_csv(path: Path, header: list[str] = HEADER, rows: list[list[str]] = ROWS) -> Path:
    path.write_text(csv_text(header, rows), encoding="utf-8")
    return path


def write_zip(path: Path, member: str = "rows.csv", rows: list[list[str]] = ROWS) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, csv_text(HEADER, rows))
    return path


def source_catalog(
    folder: Path, declarations: dict[str, str], products: str = PRODUCTS, category: str = CATEGORY
) -> Path:
    """A catalog folder with products and sources/<name> declarations."""
    root = write_catalog(folder, category, {"cars.yml": products})
    (root / "sources").mkdir()
    for name, text in declarations.items():
        (root / "sources" / name).write_text(textwrap.dedent(text))
    return root


def products_text(root: Path) -> str:
    return (root / "products" / "cars.yml").read_text()
