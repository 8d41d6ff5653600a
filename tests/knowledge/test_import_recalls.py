"""Recall documents become one known issue per campaign of each mapped make, model and model year:
the owner letter's text where it describes the defect, the campaign year from the id, a date only
where the text gives one, and the regulator's page for the campaign."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.errors import SourceFileError
from knowledge.importing.run import import_issues
from knowledge.loader import load
from tests.knowledge.source_fixtures import products_text, source_catalog, write_csv

RECALLS = r"""
source:
  name: Test recalls
  label: RECALLS
  key: [MAKE, MODEL]
  year: MODEL YEAR
  group: CAMPAIGN
  cite: https://recalls.example.gov/?id={CAMPAIGN}
  columns: [CAMPAIGN, DOC, MAKE, MODEL, MODEL YEAR, TEXT]
issues:
  kind: recall
  year: {column: CAMPAIGN, pattern: '^(\d{2})V', add: 2000}
  document:
    column: DOC
    prefer: [OWNER, DEFECT]
    min_chars: 20
    require: '\b(may|can)\b'
    skip: ['^cover note']
  summary: {column: TEXT, strip: ['^\d{2}V\d{3} recall; '], max_chars: 60}
  date: {pattern: 'Mailed ([A-Z][a-z]+ \d{1,2}, \d{4})', format: '%B %d, %Y'}
products:
  x: {rows: [{MAKE: BRANDA, MODEL: RUNNER}]}
"""
HEADER = ["CAMPAIGN", "DOC", "MAKE", "MODEL", "MODEL YEAR", "TEXT"]
DEFECT = "24V100 recall; the seat belt anchor may loosen in a crash. Dealers will replace it."
ROWS = [
    ["24V100", "DEFECT-1", "BRANDA", "RUNNER", "2025", "A long engineering report on the anchor."],
    ["24V100", "OWNER-1", "BRANDA", "RUNNER", "2025", DEFECT],
    ["24V100", "OWNER-2", "BRANDA", "RUNNER", "2025", "Cover note: letter Mailed March 3, 2025"],
    ["24V100", "OWNER-1", "BRANDA", "RUNNER SPORT", "2025", DEFECT],
    ["23V200", "DEFECT-1", "BRANDA", "RUNNER", "2024", "The brake line can chafe on the frame."],
    ["25V300", "DEFECT-1", "BRANDA", "RUNNER", "2025", "The hood latch can open while driving."],
]


@pytest.fixture
def root(tmp_path):
    return source_catalog(tmp_path / "cat", {"recalls.yml": RECALLS})


def run(root, tmp_path, rows=ROWS, **options):
    return import_issues(
        root, "recalls.yml", write_csv(tmp_path / "r.csv", HEADER, rows), **options
    )


def test_each_campaign_of_the_mapped_model_and_year_is_one_known_issue(root, tmp_path):
    run(root, tmp_path)
    issues = load(root).by_id["x"].known_issues
    assert [(i.kind, i.id, i.year) for i in issues] == [
        ("recall", "24V100", 2024),
        ("recall", "25V300", 2025),
    ]


def test_the_summary_comes_from_the_owner_letter_that_describes_the_defect(root, tmp_path):
    run(root, tmp_path)
    issue = load(root).by_id["x"].known_issues[0]
    assert issue.summary == "the seat belt anchor may loosen in a crash."
    assert issue.source == "https://recalls.example.gov/?id=24V100"


def test_a_date_is_given_only_where_the_text_gives_one(root, tmp_path):
    run(root, tmp_path)
    dates = [i.date for i in load(root).by_id["x"].known_issues]
    assert dates == [date(2025, 3, 3), None]


def test_importing_recalls_twice_changes_nothing(root, tmp_path):
    run(root, tmp_path)
    first = products_text(root)
    plan = run(root, tmp_path)
    assert plan.writes == [] and products_text(root) == first


def test_an_edited_summary_is_a_conflict_until_accepted(root, tmp_path):
    run(root, tmp_path)
    path = root / "products" / "cars.yml"
    path.write_text(path.read_text().replace("may loosen in a crash.", "is fine."))
    assert [o.product for o in run(root, tmp_path).conflicts] == ["x"]
    run(root, tmp_path, accept=True)
    assert "may loosen in a crash." in load(root).by_id["x"].known_issues[0].summary


def test_a_model_name_the_file_never_mentions_is_an_error(root, tmp_path):
    rows = [r for r in ROWS if r[3] != "RUNNER"]
    with pytest.raises(SourceFileError, match=r"recalls\.yml, field 'products\.x': MAKE 'BRANDA'"):
        run(root, tmp_path, rows=rows)
