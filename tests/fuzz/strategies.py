"""Shared Hypothesis settings and strategies for the fuzz tests.

`fuzz(n)` bounds each test to n examples (the whole folder runs in about a minute), with no
deadline (the first call of a component may be slow) and no example database in the repository;
a failure prints the blob to reproduce it (@reproduce_failure).

The test command runs the same examples every time (derandomized), so a red run is reproducible
and never a coin toss. `ADVISOR_FUZZ=explore` draws fresh random examples, ten times as many: run
it to hunt for new failures (`ADVISOR_FUZZ=explore .venv/bin/pytest tests/fuzz`)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXPLORE = os.environ.get("ADVISOR_FUZZ") == "explore"


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples * 10 if EXPLORE else examples,
        derandomize=not EXPLORE,
        deadline=None,
        database=None,
        print_blob=True,
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# Anything YAML can hold.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates(),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# JSON-like values, as chat slots hold them.
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=30),
    ),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=8,
)
