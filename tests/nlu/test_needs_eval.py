"""The needs held-out set (tests/nlu/needs_heldout.yml) and its evaluator (ops/needs_eval.py):
a fair set, clear errors for a bad label, and the gate on the trained models (e2e: it trains a model
per catalog when its data changed, as the other e2e tests do)."""

from __future__ import annotations

import textwrap

import pytest

from ops.needs_eval import (
    NEEDS_HELDOUT,
    NEEDS_THRESHOLD,
    Item,
    NeedsEvalResult,
    Outcome,
    evaluate_needs,
    load_items,
    set_problems,
)

HEADER = """
version: 1
catalogs: {vehicles: knowledge/catalogs/vehicles, laptops: knowledge/catalogs/laptops}
phenomena: {price: price phrasing}
items:
"""


def write(tmp_path, items: str):
    path = tmp_path / "set.yml"
    path.write_text(HEADER + textwrap.dedent(items))
    return path


def test_the_needs_set_is_fair_and_covers_every_phenomenon():
    assert set_problems(NEEDS_HELDOUT) == []
    items, catalogs = load_items(NEEDS_HELDOUT)
    assert len(items) >= 200
    assert sum(1 for i in items if i.catalog == "laptops") >= 30
    assert set(catalogs) == {"vehicles", "laptops"}


@pytest.mark.parametrize(
    "text",
    [
        "my budget is 40 grand", "show me hybrid SUVs", "I want a hybird", "a 3-row SUV",
        "anything but electric", "most fuel-efficient 7-seater", "cheapest EV with 250 miles",
        "safest SUV under 40k", "which truck tows the most", "actually make it 50k",
        "forget the budget", "35k tops", "between 30 and 40k", "I have 3 kids",
        "it needs to seat 6 people", "recalls on the Ford Bronco", "recalls on the Tucson",
    ],
)  # fmt: skip
def test_the_issues_examples_are_in_the_set(text):
    items, _ = load_items(NEEDS_HELDOUT)
    assert any(text.lower() in i.text.lower() for i in items), text


def test_labels_are_normalised_through_the_category(tmp_path):
    path = write(
        tmp_path,
        """
        - {text: "awd under 40k", phenomenon: price, needs: {awd: yes, budget: 40k, body: [SUV]}}
        """,
    )
    [item], _ = load_items(path)
    assert item.expected["needs"] == {"awd": ["4wd", "awd"], "budget": 40000, "body": ["suv"]}
    assert item.expected["asks"] == []  # nothing may be asked unless labelled
    assert "products" not in item.expected  # not labelled: not checked


@pytest.mark.parametrize(
    "row, message",
    [
        ('{text: "x", phenomenon: nope, needs: {}}', "item 1 ('x'): field 'phenomenon'"),
        ('{text: "x", phenomenon: price}', "field 'needs' is required"),
        ('{text: "x", phenomenon: price, needs: {budget: cheap}}', "Expected a number"),
        ('{text: "x", phenomenon: price, needs: {}, wat: 1}', "unknown field(s) wat"),
        ('{text: "x", phenomenon: price, catalog: boats, needs: {}}', "field 'catalog'"),
        (
            '{text: "x", phenomenon: price, catalog: laptops, needs: {seats: 5}}',
            "Unknown need 'seats'",
        ),
    ],
)
def test_a_bad_label_is_an_error_naming_the_item_and_field(tmp_path, row, message):
    path = write(tmp_path, f"- {row}\n")
    with pytest.raises(ValueError, match="set.yml: item 1") as raised:
        load_items(path)
    assert message in str(raised.value)


def test_the_gate_counts_exact_messages_per_phenomenon():
    def outcome(number, phenomenon, expected, got):
        item = Item(number, f"m{number}", phenomenon, "vehicles", {}, expected)
        return Outcome(item, got)

    want = {"needs": {"budget": 40000}, "priorities": [], "sort": None}
    result = NeedsEvalResult(
        [
            outcome(1, "price", want, dict(want)),
            outcome(2, "price", want, {**want, "needs": {}}),
            outcome(
                3, "hint", {**want, "priorities": ["cargo"]}, {**want, "priorities": ["cargo"]}
            ),
        ],
        threshold=0.95,
    )
    assert result.by(lambda i: i.phenomenon) == {"price": (1, 2), "hint": (1, 1)}
    assert round(result.accuracy, 3) == 0.667 and not result.passed
    assert "#2 [price] 'm2'" in result.table()
    assert "needs: expected {'budget': 40000}, got {}" in result.table()


@pytest.mark.e2e
def test_needs_parsed_by_the_trained_models_meet_the_gate():
    result = evaluate_needs(NEEDS_HELDOUT, NEEDS_THRESHOLD)
    print()
    print(result.table())
    assert set(result.models) == {"vehicles", "laptops"}
    assert result.accuracy >= NEEDS_THRESHOLD, result.table()
