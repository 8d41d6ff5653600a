"""Shared fixtures: a tiny hand-made catalog whose numbers the tests can reason about, and the one
real stack shared by the end-to-end and browser tests."""

from __future__ import annotations

import sys
import textwrap
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from knowledge.loader import load

TINY_CATEGORY = """
category:
  id: cars
  name: Test cars
  item: car
  items: cars
  deployer: {name: Brand A retail, house_brand: BrandA}
  brand_aliases: {BrandA: [BA]}
attributes:
  price:
    label: Price
    type: number
    unit: USD
    better: lower
    range: [1000, 200000]
  seats:
    label: Seats
    type: integer
    unit: seats
    better: higher
    range: [2, 9]
  mpg:
    label: Fuel economy
    type: number
    unit: mpg
    better: higher
    range: [5, 80]
  body:
    label: Body
    type: category
    values: [sedan, suv]
    value_synonyms: {suv: [crossover]}
  drive:
    label: Drive
    type: set
    values: [fwd, awd]
needs:
  budget: {attribute: price, op: max, label: budget}
  seats: {attribute: seats, op: min, label: seats}
  mpg: {attribute: mpg, op: min, label: fuel economy}
  body: {attribute: body, op: in, label: body type}
  awd: {attribute: drive, op: has_any, fixed: [awd], label: all-wheel drive}
priorities:
  price: {attributes: [price], label: low price}
  economy: {attributes: [mpg], label: fuel economy}
  seats: {attributes: [seats], label: seating}
default_priorities: [price, economy]
"""

TINY_PRODUCTS = """
products:
  - {id: a-small, brand: BrandA, model: Small, year: 2025, aliases: [Smally],
     values: {price: 20000, seats: 5, mpg: 40, body: sedan, drive: [fwd]},
     sources: [https://example.org/a-small], as_of: 2025-06-01}
  - {id: b-small, brand: BrandB, model: Compact, year: 2025,
     values: {price: 22000, seats: 5, mpg: 35, body: sedan, drive: [fwd, awd]},
     known_issues: [{kind: recall, summary: Seat belt anchor may loosen., source: https://example.org/recall}],
     sources: [https://example.org/b-small], as_of: 2025-06-01}
  - {id: a-big, brand: BrandA, model: Big, year: 2025,
     values: {price: 45000, seats: 7, mpg: 25, body: suv, drive: [fwd, awd]},
     sources: [https://example.org/a-big], as_of: 2025-06-01}
  - {id: c-big, brand: BrandC, model: Hauler, year: 2025,
     values: {price: 41000, seats: 8, mpg: 22, body: suv, drive: [awd]},
     sources: [https://example.org/c-big], as_of: 2025-06-01}
  - {id: c-mid, brand: BrandC, model: Middle, year: 2025,
     values: {price: 30000, seats: 5, body: suv, drive: [awd]},
     sources: [https://example.org/c-mid], as_of: 2025-06-01}
"""


def write_catalog(
    folder: Path, category: str = TINY_CATEGORY, products: dict[str, str] | None = None
) -> Path:
    """Write a catalog folder (category.yml + products/*.yml) and return its path."""
    (folder / "products").mkdir(parents=True, exist_ok=True)
    (folder / "category.yml").write_text(textwrap.dedent(category))
    for name, text in (products or {"all.yml": TINY_PRODUCTS}).items():
        (folder / "products" / name).write_text(textwrap.dedent(text))
    return folder


@pytest.fixture(autouse=True)
def _fresh_process_wide_stores():
    """The process-wide stores (stores.shared) live as long as the process; each test has its own
    databases, so what one test opened is closed before the next."""
    yield
    shared = sys.modules.get("stores.shared")
    if shared is not None:
        shared.close_all()


@pytest.fixture
def sentence_model() -> None:
    """For tests of the sentence model: skips where its package is missing (fails in CI)."""
    from tests.services import require_sentence_model

    require_sentence_model()


@pytest.fixture(autouse=True, scope="session")
def sentence_vectors_in_a_folder_of_the_tests(tmp_path_factory):
    """The sentence model's vector cache of the tests' own, not the checkout's data folder."""
    from analysis import sentence_vectors

    folder = tmp_path_factory.mktemp("sentence-vectors")
    real = sentence_vectors._cache_folder
    sentence_vectors._cache_folder = lambda: folder
    yield folder
    sentence_vectors._cache_folder = real


@pytest.fixture
def tiny_catalog_path(tmp_path: Path) -> Path:
    return write_catalog(tmp_path / "cars")


@pytest.fixture
def tiny_catalog(tiny_catalog_path: Path):
    return load(tiny_catalog_path)


@pytest.fixture(scope="session")
def vehicles():
    return load()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real servers (action server, Rasa server, web app) with a temporary turn log, started
    once per test session; the model trains only when its data changed (ops.stack.ensure_model).
    $ADVISOR_E2E_MODEL=path/to/model.tar.gz skips that check (to iterate on a stack while the bot
    data is being edited)."""
    import os

    from ops.stack import Stack, ensure_model, free_port

    given = os.environ.get("ADVISOR_E2E_MODEL")
    model = Path(given) if given else ensure_model()
    folder = tmp_path_factory.mktemp("stack")
    running = Stack(
        rasa_port=free_port(),
        action_port=free_port(),
        turn_log=folder / "turns.db",
        staff_token="staff-" + uuid.uuid4().hex,
    )
    with started(running, model, "e2e-" + uuid.uuid4().hex, folder / "logs"):
        yield running


@contextmanager
def started(stack, model: Path, token: str, log_dir: Path, timeout: float = 240):
    """Start `stack` with `model`, wait until it is healthy, and stop it afterwards."""
    stack.start(model, token=token, log_dir=log_dir)
    try:
        stack.wait_healthy(timeout=timeout)
        yield stack
    finally:
        stack.stop()
