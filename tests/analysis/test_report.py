"""The HTML report: self-contained, both charts, every logged text escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.mining_commands import report_cmd
from analysis.feature_meaning import describe, uses_sentences
from analysis.opportunities import SCORE_FORMULA, MiningResult, Opportunity, mine
from analysis.report import bar_chart, render_report, trend_chart, trend_geometry
from knowledge.fairness import BrandExposure
from stores.turnlog import TurnLog

T0 = 1_767_571_200.0  # 2026-01-05 00:00 UTC
WEEK = 7 * 86400.0
NASTY = "<script>alert('x')</script> I want an electric pickup & more, mail me: a@b.example.com"
PICKUP = {"body": ["pickup"], "powertrain": ["electric"], "budget": 42000}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "turns.db"
    turns = []
    for i in range(6):
        text = NASTY if i == 0 else f"electric pickup under 42k please ({i})"
        turns.append(
            {
                "conversation_id": f"c{i}",
                "message_id": "m1",
                "ts": T0 + i * WEEK / 2,
                "text": text,
                "needs": PICKUP,
            }
        )
        turns.append(
            {
                "conversation_id": f"c{i}",
                "message_id": "m2",
                "ts": T0 + i * WEEK / 2 + 60,
                "text": 'I wish it had "heated rear seats" <b>now</b>',
                "needs": PICKUP,
            }
        )
    turns.append(
        {
            "conversation_id": "happy",
            "message_id": "m1",
            "ts": T0,
            "text": "an SUV",
            "needs": {"body": ["suv"]},
            "products": [{"id": "toyota-rav4-hybrid-2025", "kind": "recommended", "fit": 0.9}],
        }
    )
    with TurnLog(path) as log:
        log.write_turns(turns)
    return path


@pytest.fixture
def html(db: Path, vehicles) -> str:
    with TurnLog(db) as log:
        return render_report(mine(log, vehicles))


def test_the_report_is_one_self_contained_file(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for external in ("src=", "href=", "http://", "https://", "@import", "url(", "<link", "<script"):
        assert external not in html, external
    assert html.count("<svg") == 2 and html.count("</svg>") == 2
    assert "<style>" in html


def test_every_logged_text_is_escaped(html: str) -> None:
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;now&lt;/b&gt;" not in html or "<b>now</b>" not in html
    assert "<b>now</b>" not in html
    assert "&amp; more" in html
    assert "a@b.example.com" not in html and "[email]" in html  # redacted before it was logged


def test_the_report_shows_ranking_quotes_nearest_and_exposure(html: str, vehicles) -> None:
    text = re.sub(r"\s+", " ", html)
    from html import escape

    assert escape(SCORE_FORMULA) in text
    assert "pickup + electric + under $45k" in text
    assert "heated rear seats" in text
    assert "2025 Rivian R1T Dual Standard" in text and "over your budget" in text
    assert "Brand exposure audit" in text and "Toyota" in text
    assert "2026-W02" in text
    meaning = describe(glossary=len(vehicles.category.feature_glossary))
    assert f"Feature requests grouped by meaning: {escape(meaning)}." in text
    assert len(vehicles.category.feature_glossary) > 200
    glossary = f"the catalog's glossary of {len(vehicles.category.feature_glossary)} features"
    assert escape(glossary) in text or not uses_sentences()


def test_charts_scale_to_the_data() -> None:
    bars = bar_chart([("a <b>", 10.0), ("b", 5.0)], width=500)
    assert bars.count("<rect") == 2 and "a &lt;b&gt;" in bars
    widths = [float(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="([\d.]+)"', bars)]
    assert widths[0] == pytest.approx(2 * widths[1])
    trend = trend_chart(("2026-W01", "2026-W02", "2026-W03"), [("x & y", [0, 4, 2])])
    assert trend.count("<polyline") == 1 and "x &amp; y" in trend
    assert "No opportunities" in bar_chart([])
    assert "No weekly data" in trend_chart((), [])


def test_an_empty_log_still_makes_a_report(tmp_path: Path, vehicles) -> None:
    with TurnLog(tmp_path / "empty.db") as log:
        page = render_report(mine(log, vehicles), note="No turns yet: try advisor simulate.")
    assert "No conversations in this window." in page
    assert "No recommendations were logged" in page
    assert '<p class="note" role="status">No turns yet: try advisor simulate.</p>' in page
    assert "no earlier window to compare with" in page


def test_the_report_command_writes_the_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r" / "report.html"
    result = CliRunner().invoke(report_cmd, ["--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    default = CliRunner().invoke(report_cmd, ["--db", str(db)])
    assert default.exit_code == 0 and (db.parent / "report.html").exists()


HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def hostile_result() -> MiningResult:
    """A result whose every text (labels, quotes, product names, misses, brands) is markup."""
    opportunity = Opportunity(
        rank=1,
        kind="unmet",
        key="k",
        label=f"label {HOSTILE}",
        shoppers=4,
        share=0.25,
        gap=0.5,
        score=2.0,
        first_seen=T0,
        last_seen=T0 + WEEK,
        weekly=(("2026-W02", 1), ("2026-W03", 3)),
        quotes=(f"quote {HOSTILE}",),
        nearest=({"id": "p", "name": f"product {HOSTILE}", "misses": [f"misses {HOSTILE}"]},),
    )
    brands = (BrandExposure(f"brand {HOSTILE}", 3, 0.75, 1, 0.25),)
    return MiningResult(
        (opportunity,), brands, 0.1, 8, 4, 4, T0, T0 + WEEK, ("2026-W02", "2026-W03"), 3
    )


def test_markup_in_product_names_quotes_and_brands_comes_out_as_text() -> None:
    html = render_report(hostile_result(), title=f"title {HOSTILE}")
    assert HOSTILE not in html and "<script" not in html
    for where in ("title", "label", "quote", "product", "misses", "brand"):
        assert f"{where} {ESCAPED}" in html, where
    assert html.count(f"<title>title {ESCAPED}</title>") == 1
    # one escaper throughout (html.escape): markupsafe's spellings would mean a value slipped
    # through `~` or `join`
    quoted = render_report(hostile_result(), title='it\'s "quoted"')
    assert "it&#x27;s &quot;quoted&quot;" in quoted and "&#39;" not in quoted


def test_a_missing_template_variable_is_an_error() -> None:
    from jinja2 import UndefinedError

    from analysis.report import TEMPLATES, report_context

    context = report_context(hostile_result())
    del context["exposure"]
    with pytest.raises(UndefinedError):
        TEMPLATES.get_template("report.html").render(context)


def test_the_weekly_trend_draws_one_week_and_many() -> None:
    one = trend_chart(("2026-W02",), [("pickup", [4]), ("sunroof", [2])])
    assert one.count("<circle") == 2 and "pickup, 2026-W02: 4 shoppers" in one
    weeks = tuple(f"2026-W{n:02d}" for n in range(1, 41))
    many = trend_geometry(weeks, [("pickup", list(range(40)))])
    assert len(many["lines"][0]["dots"]) == 40
    assert len(many["week_labels"]) <= 8 and many["week_labels"][0][1] == "2026-W01"
    xs = [dot["x"] for dot in many["lines"][0]["dots"]]
    assert xs == sorted(xs) and xs[0] >= many["left"] and xs[-1] <= many["right"]


def test_the_catalog_cache_is_read_back_and_follows_the_files(tmp_path: Path, monkeypatch) -> None:
    import knowledge.catalog_cache as cache
    from tests.conftest import write_catalog

    folder = write_catalog(tmp_path / "cars")
    first = cache.cached_catalog(folder, tmp_path / "cache")
    files = list((tmp_path / "cache").glob("catalog-*.pickle"))
    assert len(files) == 1

    def no_validation(path=None):
        raise AssertionError("validated again")

    monkeypatch.setattr(cache, "get_catalog", no_validation)
    assert cache.cached_catalog(folder, tmp_path / "cache") == first
    monkeypatch.undo()
    products = folder / "products" / "all.yml"
    products.write_text(products.read_text().replace("price: 20000", "price: 20500"))
    from knowledge import loader

    loader._cached.cache_clear()  # the process's own copy (get_catalog) read the old files
    changed = cache.cached_catalog(folder, tmp_path / "cache")
    assert changed.by_id["a-small"].value("price") == 20500
    assert len(list((tmp_path / "cache").glob("catalog-*.pickle"))) == 1  # the stale one went
