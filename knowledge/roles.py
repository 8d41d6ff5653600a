"""The parts a category's attributes play in the category-agnostic logic, as declared in its
`category.yml`: which attribute is the price ('cheaper'), which measure size ('bigger', 'smaller'),
which measure energy use and how that becomes a yearly cost (cost to own), and the needs interview's
questions. Plain data; reading and checking it lives in `roles_schema.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ENERGY_MEASURES = ("efficiency", "consumption")


@dataclass(frozen=True)
class SizeRole:
    """One attribute that measures size. A stepped one ('bigger' asks for at least one step more
    than the biggest shown) is changed through the category's needs on it; one without a step is
    stressed through the priority that scores it."""

    attribute: str
    step: float | None = None
    up_to: float | None = None  # 'bigger' stops here (default: the attribute's range)
    down_to: float | None = None  # 'smaller' stops here (default: the attribute's range)


@dataclass(frozen=True)
class EnergyUse:
    """An attribute that measures energy use, and how a year of use becomes units of energy.

    efficiency: the attribute is usage per unit of energy (distance per gallon): units = usage / value
    consumption: the attribute is energy per unit of usage: units = usage * value
    Either way the units are multiplied by `factor` (energy units per unit of the attribute's own
    measure) and priced per `unit` from the ownership's energy prices."""

    attribute: str
    unit: str
    measure: str
    factor: float = 1.0
    when: dict[str, tuple[str, ...]] = field(default_factory=dict)  # attribute -> allowed values

    def applies_to(self, values: dict) -> bool:
        for name, allowed in self.when.items():
            value = values.get(name)
            has = set(value) if isinstance(value, tuple) else {value}
            if not has & set(allowed):
                return False
        return True

    def yearly_units(self, usage: float, value: float) -> float:
        share = usage / value if self.measure == "efficiency" else usage * value
        return share * self.factor


@dataclass(frozen=True)
class Roles:
    price: str | None = None
    size: tuple[SizeRole, ...] = ()
    energy: tuple[EnergyUse, ...] = ()


@dataclass(frozen=True)
class EnergyPrice:
    """An assumed price for one unit of energy, with where it comes from."""

    unit: str
    price: float
    label: str  # how the price reads after the amount: 'a gallon', 'per kWh'
    source: str
    as_of: date
    source_label: str = ""  # who says so: 'AAA Your Driving Costs 2025'

    @property
    def text(self) -> str:
        return f"{money(self.price)} {self.label}"


def money(amount: float) -> str:
    """'$3.50', '$3.151', '$0.167': cents always, a third decimal only where the figure has one."""
    cents = round(amount * 100, 6)
    return f"${amount:,.2f}" if cents == int(cents) else f"${amount:,.3f}"


COST_PERIODS = ("year", "usage")


@dataclass(frozen=True)
class CostItem:
    """One cost of owning other than energy (depreciation, financing, insurance...): an assumption
    the same for every product, with its source. `per` is 'year' (dollars a year) or 'usage'
    (dollars per unit of usage, e.g. per mile). `scope` says what the figure describes when it is
    not the product's own ('US national average for a new vehicle'); answers say it."""

    id: str
    label: str
    amount: float
    per: str
    source: str
    source_label: str
    as_of: date
    scope: str = ""
    note: str = ""  # how the figure is arrived at, when it is not quoted as is

    def yearly(self, usage: float) -> float:
        return self.amount * usage if self.per == "usage" else self.amount


@dataclass(frozen=True)
class Ownership:
    """Cost-to-own assumptions, the same for every product of the category (in category.yml or
    the catalog's ownership.yml)."""

    years: int
    usage: float  # how much a product is used in a year (miles driven, hours on)
    usage_label: str  # 'miles a year'
    energy_prices: tuple[EnergyPrice, ...] = ()
    excludes: str = ""
    costs: tuple[CostItem, ...] = ()
    basis: str = ""  # whose method the assumptions follow: "AAA's Your Driving Costs 2025"
    usage_words: tuple[str, ...] = ()  # how shoppers write the usage after a number: 'miles a year'
    max_years: int = 15
    max_usage: float = 0.0  # 0: ten times the default usage

    def energy_price(self, unit: str) -> EnergyPrice | None:
        return next((p for p in self.energy_prices if p.unit == unit), None)

    @property
    def usage_limit(self) -> float:
        return self.max_usage or self.usage * 10


@dataclass(frozen=True)
class Question:
    """One question of the needs interview: the need it fills, its text and its answer buttons."""

    need: str
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)


@dataclass(frozen=True)
class Phrases:
    """Sample requests the bot's help texts quote, in the category's own words."""

    needs: str = ""
    compare: str = ""
    about: str = ""
    # Titles of the next steps offered on a product ('Recalls' for vehicles), by step:
    # compare, details, known_issues, cost_to_own, show_more. A step left out has its default.
    steps: tuple[tuple[str, str], ...] = ()

    def step(self, name: str) -> str:
        return dict(STEP_TITLES + self.steps)[name]


STEP_TITLES = (
    ("compare", "Compare"),
    ("details", "Details"),
    ("known_issues", "Known problems"),
    ("cost_to_own", "Cost to own"),
    ("show_more", "Show more"),
)
