"""/insights/concept (staff only): the concept test form's result, and the form's choices.

The form on /insights (and on this page, filled in as sent) names a catalog product to start from
and up to CHANGES figures to change, with the estimate's assumptions; the page replays the window's
shoppers against that concept (analysis.concept_view.concept_test) and shows it, marked as a
concept, beside its sensitivity table. `format=csv` or `format=json` gives the same figures as
`advisor concept --csv/--json`. A need cluster's "Test this concept" link fills the form with its
smallest change. Bad input gets the form back with the message (status 400).
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from web import pages
from web.auth import STAFF

CHANGES = 3  # figures a concept may change in the form
ASSUMPTIONS = ("shoppers_per_year", "buy_share", "price")


def concept_href(window, change) -> str:
    """The concept test of a cluster's smallest change, in the same window."""
    value = ",".join(change.value) if isinstance(change.value, tuple | list) else change.value
    return "/insights/concept?" + window.query(
        from_product=change.product.id, attr1=change.attribute, value1=str(value)
    )


def form_choices(catalog) -> dict[str, Any]:
    """The products to start from and the figures a concept may change, for the form."""
    products = sorted(catalog.products, key=lambda p: p.full_name)
    attributes = [(n, a.label) for n, a in catalog.category.attributes.items()]
    return {
        "concept_products": [(p.id, p.full_name) for p in products],
        "concept_attributes": attributes,
        "concept_changes": CHANGES,
    }


class ConceptForm:
    """The form's fields from the query string; problems go to `errors`."""

    def __init__(self, query: Any) -> None:
        self.errors: list[str] = []
        self.from_product = (query.get("from_product") or "").strip()
        self.name = (query.get("name") or "").strip()[:120]
        self.changes: list[tuple[str, str]] = []
        for i in range(1, CHANGES + 1):
            attribute = (query.get(f"attr{i}") or "").strip()
            value = (query.get(f"value{i}") or "").strip()
            if attribute and value:
                self.changes.append((attribute, value[:200]))
            elif value and not attribute:
                self.errors.append(f"Change {i}: choose which figure the value {value[:40]!r} is.")
        self.typed = {k: (query.get(k) or "").strip() for k in ASSUMPTIONS}
        self.assumptions: dict[str, float | None] = {}
        for key in ASSUMPTIONS:
            raw = self.typed[key]
            if not raw:
                self.assumptions[key] = None
                continue
            try:
                number = float(raw.replace(",", "").lstrip("$"))
            except ValueError:
                number = -1.0
            if not math.isfinite(number) or number < 0 or (key == "buy_share" and number > 1):
                limit = "a share from 0 to 1" if key == "buy_share" else "a number, 0 or more"
                self.errors.append(f"{key.replace('_', ' ')} must be {limit}, not {raw[:40]!r}.")
                number = None
            self.assumptions[key] = number
        self.format = query.get("format", "html")
        if self.format not in ("html", "csv", "json"):
            self.errors.append(f"format is html, csv or json, not {self.format[:20]!r}.")
            self.format = "html"
        if not self.from_product:
            self.errors.append("Choose a product to start the concept from.")

    def value_of(self, i: int) -> tuple[str, str]:
        return self.changes[i - 1] if i <= len(self.changes) else ("", "")

    def query(self) -> str:
        params = {"from_product": self.from_product, "name": self.name}
        for i, (attribute, value) in enumerate(self.changes, 1):
            params[f"attr{i}"], params[f"value{i}"] = attribute, value
        params.update({k: v for k, v in self.typed.items() if v})
        return urlencode({k: v for k, v in params.items() if v})


def run_concept(path, window, form: ConceptForm):
    """(the ConceptReport, or None, and the problems) for the form (blocking: run it in a thread)."""
    import yaml

    from analysis.concept import make_concept
    from analysis.concept_view import concept_test
    from knowledge.errors import CatalogError
    from knowledge.loader import get_catalog
    from stores.shared import turn_store

    catalog = get_catalog()
    changes: dict[str, Any] = {}
    for attribute, value in form.changes:
        spec = catalog.category.attributes.get(attribute)
        try:
            raw: Any = yaml.safe_load(value) if spec is not None else value
        except yaml.YAMLError:
            return None, [f"Change to {spec.label}: {value[:40]!r} is not a value it can have."]
        if spec is not None and spec.type == "set" and isinstance(raw, str):
            raw = [v.strip() for v in raw.split(",") if v.strip()]
        changes[attribute] = raw
    spec = {"from_product": form.from_product, "set": changes}
    if form.name:
        spec["name"] = form.name
    try:
        concept = make_concept(catalog, spec, "the form")
    except CatalogError as error:
        return None, [f"{p.message} ({p.field})" if p.field else p.message for p in error.problems]
    since, until = window.epochs()
    report = concept_test(turn_store(path), catalog, [concept], since, until, **form.assumptions)
    return report, []


def routes(guarded) -> list[web.RouteDef]:
    from web.insights import INSIGHTS_HEADERS, SAMPLE, Window, log_exists, log_path

    @guarded
    async def concept(request: web.Request) -> web.Response:
        window = Window(request.query)
        form = ConceptForm(request.query)
        errors = window.errors + form.errors
        path = log_path(request.app, window)
        report = None
        if not errors and not log_exists(path):
            errors.append("No conversations logged in this log yet.")
        if not errors:
            report, problems = await asyncio.to_thread(run_concept, path, window, form)
            errors += problems
        if report is not None and form.format != "html":
            from analysis.concept_view import render_csv

            if form.format == "csv":
                return web.Response(
                    text=render_csv(report),
                    content_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="concept.csv"'},
                )
            return web.Response(
                text=json.dumps(report.to_dict(), indent=2), content_type="application/json"
            )
        from knowledge.loader import get_catalog

        html = pages.render(
            "insights_concept.html",
            staff=request[STAFF],
            form=form,
            window=window,
            errors=errors,
            report=report,
            back="/insights?" + window.query(),
            sample=window.data == SAMPLE,
            **form_choices(get_catalog()),
        )
        return web.Response(
            text=html,
            status=400 if errors else 200,
            content_type="text/html",
            headers=INSIGHTS_HEADERS,
        )

    return [web.get("/insights/concept", concept)]
