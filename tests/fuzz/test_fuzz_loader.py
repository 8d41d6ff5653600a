"""Hostile catalogs: whatever the YAML holds, the loader reports problems (a Report; load() raises
CatalogError listing them) and never fails with another exception."""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from knowledge.catalog import ATTRIBUTE_TYPES, NEED_OPS
from knowledge.errors import CatalogError
from knowledge.loader import Report, load, validate
from tests.conftest import TINY_CATEGORY, TINY_PRODUCTS
from tests.fuzz.strategies import fuzz, yaml_values

CATEGORY = yaml.safe_load(textwrap.dedent(TINY_CATEGORY))
PRODUCTS = yaml.safe_load(textwrap.dedent(TINY_PRODUCTS))
CODE = re.compile(r"^\[E1\d\d\] ")


def write(folder: Path, category: Any, products: dict[str, Any] | None = None) -> Path:
    (folder / "products").mkdir(parents=True, exist_ok=True)
    (folder / "category.yml").write_text(as_yaml(category))
    for name, data in (products or {}).items():
        (folder / "products" / name).write_text(as_yaml(data))
    return folder


def as_yaml(data: Any) -> str:
    return data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)


def assert_reported_cleanly(path: Path) -> None:
    """validate() returns a Report; load() returns a catalog or raises CatalogError; nothing else."""
    report = validate(path)
    assert isinstance(report, Report)
    assert report.ok == (report.catalog is not None)
    for problem in report.problems:
        assert isinstance(problem.file, str) and problem.file
        assert CODE.match(problem.message), problem.message
        assert str(problem)
    try:
        catalog = load(path)
    except CatalogError as error:
        assert error.problems and not report.ok
        assert str(error).startswith(f"{len(error.problems)} problem(s) in the catalog")
    else:
        assert report.ok and len(catalog.products) == len(report.catalog.products)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a nested structure (dict keys and list indices)."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


def mutate(data: Any, path: tuple, how: str, value: Any) -> Any:
    """A copy of `data` with the thing at `path` replaced, deleted, or given an extra key."""
    import copy

    data = copy.deepcopy(data)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "extra" and isinstance(parent[last], dict):
        parent[last]["surprise"] = value
    else:
        parent[last] = value
    return data


@st.composite
def mutated(draw, data: Any) -> Any:
    for _ in range(draw(st.integers(1, 3))):
        options = paths(data)
        if not options:
            break
        path = draw(st.sampled_from(options))
        how = draw(st.sampled_from(["replace", "replace", "delete", "extra"]))
        data = mutate(data, path, how, draw(yaml_values))
    return data


@fuzz(150)
@given(category=mutated(CATEGORY), products=mutated(PRODUCTS))
def test_mutated_catalogs_are_reported_not_crashed(category, products):
    with tempfile.TemporaryDirectory() as folder:
        assert_reported_cleanly(write(Path(folder), category, {"all.yml": products}))


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
attribute_specs = st.fixed_dictionaries(
    {"type": st.sampled_from([*ATTRIBUTE_TYPES, "colour"])},
    optional={
        "label": yaml_values,
        "unit": st.sampled_from(["USD", "mpg", "seats"]) | yaml_values,
        "better": st.sampled_from(["higher", "lower", "sideways"]) | yaml_values,
        "range": st.lists(st.integers(-10, 10**6) | yaml_values, max_size=3) | yaml_values,
        "values": st.lists(names, max_size=4) | yaml_values,
        "value_synonyms": st.dictionaries(names, st.lists(names, max_size=2)) | yaml_values,
        "synonyms": st.lists(names, max_size=2) | yaml_values,
        "unit_words": st.lists(names, max_size=2) | yaml_values,
        "value_labels": st.dictionaries(names, names) | yaml_values,
    },
)


@st.composite
def categories(draw) -> dict[str, Any]:
    attributes = draw(st.dictionaries(names, attribute_specs | yaml_values, max_size=4))
    known = list(attributes) or ["price"]
    needs = draw(
        st.dictionaries(
            names,
            st.fixed_dictionaries(
                {"attribute": st.sampled_from(known) | yaml_values},
                optional={
                    "op": st.sampled_from([*NEED_OPS, "near"]) | yaml_values,
                    "label": yaml_values,
                    "fixed": st.lists(names, max_size=2) | yaml_values,
                },
            )
            | yaml_values,
            max_size=3,
        )
    )
    priorities = draw(
        st.dictionaries(
            names,
            st.fixed_dictionaries({"attributes": st.lists(st.sampled_from(known), max_size=2)})
            | yaml_values,
            max_size=3,
        )
    )
    head = draw(
        st.fixed_dictionaries(
            {"id": names | yaml_values},
            optional={
                "name": yaml_values,
                "deployer": st.fixed_dictionaries({"name": names, "house_brand": names})
                | yaml_values,
                "brand_aliases": st.dictionaries(names, st.lists(names, max_size=2)) | yaml_values,
            },
        )
        | yaml_values
    )
    data = {"category": head, "attributes": attributes, "needs": needs, "priorities": priorities}
    data["default_priorities"] = draw(st.lists(names, max_size=2) | yaml_values)
    return data


@st.composite
def product_rows(draw, attributes: list[str]) -> Any:
    values = st.dictionaries(
        st.sampled_from(attributes) if attributes else names, yaml_values, max_size=4
    )
    row = st.fixed_dictionaries(
        {"id": names | yaml_values, "brand": names, "model": names},
        optional={
            "values": values | yaml_values,
            "year": st.integers(1980, 2110) | yaml_values,
            "aliases": st.lists(names, max_size=2) | yaml_values,
            "sources": st.lists(st.just("https://example.org/x") | yaml_values, max_size=2)
            | yaml_values,
            "as_of": st.dates() | st.just("2025-06-01") | yaml_values,
            "known_issues": st.lists(
                st.fixed_dictionaries(
                    {"summary": yaml_values},
                    optional={"kind": st.sampled_from(["recall", "issue"]) | yaml_values},
                )
                | yaml_values,
                max_size=2,
            )
            | yaml_values,
            "trim": yaml_values,
        },
    )
    return draw(st.lists(row | yaml_values, max_size=4))


@fuzz(150)
@given(data=st.data())
def test_generated_catalogs_are_reported_not_crashed(data):
    category = data.draw(categories())
    attributes = list(category["attributes"]) if isinstance(category["attributes"], dict) else []
    files = {
        f"{name}.yml": {"products": data.draw(product_rows(attributes))}
        for name in data.draw(st.lists(names, max_size=2, unique=True))
    }
    with tempfile.TemporaryDirectory() as folder:
        assert_reported_cleanly(write(Path(folder), category, files))


@fuzz(100)
@given(
    category=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    products=st.text(max_size=200),
    single=st.booleans(),
)
def test_garbage_files_are_reported_not_crashed(category, products, single):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if single:
            (root / "catalog.yml").write_text(category)
            assert_reported_cleanly(root)
            assert_reported_cleanly(root / "catalog.yml")
        else:
            write(root, textwrap.dedent(TINY_CATEGORY), {"a.yml": products, "b.yml": category})
            assert_reported_cleanly(root)
