"""Hostile needs: the quantity parser and the needs builders take any value a chat slot or a command
line can carry and either understand it or raise NeedsError, never another exception."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from knowledge.errors import NeedsError
from knowledge.needs import (
    Constraint,
    NeedsProfile,
    build_profile,
    make_constraint,
    parse_number,
    profile_from_values,
)
from tests.fuzz.strategies import fuzz, json_values


@pytest.fixture(scope="module")
def category(vehicles):
    return vehicles.category


def number_texts(after: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """Text shaped like the numbers shoppers type: '$45,000', '45k', ' 7 ', '4.5 grand'."""
    digits = st.from_regex(r"\A[0-9][0-9,]{0,9}(\.[0-9]{1,3})?\Z")
    return st.builds(
        lambda pre, number, suffix, post: f"{pre}{number}{suffix}{post}",
        st.sampled_from(["", " ", "$", "$ ", "about ", "-"]),
        digits,
        st.sampled_from(["", "k", "K", " thousand", " grand", "k+", " seats", "%"]),
        st.text(max_size=5) if after is None else after,
    )


@fuzz(400)
@given(st.one_of(json_values, number_texts(), st.text(max_size=40)))
def test_parse_number_returns_a_number_or_raises_needs_error(value):
    try:
        number = parse_number(value)
    except NeedsError as error:
        assert str(error)
    else:
        assert isinstance(number, float)
        assert not math.isnan(number) or (isinstance(value, float) and math.isnan(value))


@fuzz(200)
@given(number_texts(after=st.sampled_from(["", " ", "!", ", please", " or so"])))
def test_numbers_as_shoppers_type_them_are_understood(text):
    assume(not text.startswith("-") and not text.startswith("about"))
    assert parse_number(text) >= 0


needs_names = st.sampled_from(
    ["budget", "seats", "body", "powertrain", "awd", "range", "towing", "unknown", ""]
)
values = st.one_of(
    json_values,
    number_texts(),
    st.sampled_from(
        ["suv", "SUV", "truck", "PHEV", "hybrid, electric", "no", "any", "no preference"]
    ),
    st.lists(st.sampled_from(["suv", "sedan", "pickup", "gas", "bogus", ""]), max_size=3),
)


@fuzz(400)
@given(need=needs_names | st.text(max_size=10), value=values)
def test_make_constraint_returns_a_constraint_or_raises_needs_error(category, need, value):
    try:
        constraint = make_constraint(category, need, value)
    except NeedsError as error:
        assert str(error)
    else:
        assert isinstance(constraint, Constraint) and constraint.need == need
        spec = category.needs[need]
        if spec.op in ("max", "min"):
            assert isinstance(constraint.value, (int, float))
        else:
            assert isinstance(constraint.value, tuple) and constraint.value


@fuzz(300)
@given(
    needs=st.dictionaries(needs_names | st.text(max_size=8), values, max_size=4),
    priorities=st.lists(
        st.sampled_from(["price", "economy", "safety", "space"]) | st.text(max_size=8), max_size=3
    ),
)
def test_build_profile_returns_a_profile_or_raises_needs_error(category, needs, priorities):
    try:
        profile = build_profile(category, needs, priorities)
    except NeedsError as error:
        assert str(error)
    else:
        assert isinstance(profile, NeedsProfile)
        assert NeedsProfile.from_dict(category, profile.to_dict()) == profile


@fuzz(300)
@given(
    values=st.dictionaries(needs_names | st.text(max_size=8), values, max_size=5),
    priorities=st.lists(st.text(max_size=8), max_size=3),
    excluded=st.lists(st.text(max_size=8), max_size=3),
)
def test_profile_from_values_never_raises_and_drops_nothing_silently(
    category, values, priorities, excluded
):
    profile, problems = profile_from_values(category, values, priorities, excluded)
    assert isinstance(profile, NeedsProfile)
    assert all(isinstance(p, str) and p for p in problems)
    used = {c.need for c in profile.constraints}
    assert used <= set(category.needs)
    for need, value in values.items():
        skipped = (
            value is None
            or value == []
            or (
                isinstance(value, str)
                and value.lower()
                in (
                    "any",
                    "no preference",
                    "",
                )
            )
        )
        assert skipped or need in used or problems, (need, value)
