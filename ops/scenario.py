"""The vehicle scenario the simulator plays: planted unmet needs and feature requests, how shoppers
word them, and the chatter and noise around them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlantedNeed:
    label: str  # how the miner should name the combination
    needs: dict[str, Any]  # fixed values, or (low, high, step) for a number drawn per shopper
    # needs outside the conflict, each added for half the shoppers
    extras: dict[str, Any] = field(default_factory=dict)
    weight: float = 0.03  # share of conversations
    growth: float = 0.0  # > 0: more shoppers in later weeks; < 0: fewer


@dataclass(frozen=True)
class PlantedSegment(PlantedNeed):
    """Shoppers with similar needs (numbers drawn across more than one need level) that no product
    meets, and the one change to one product that would serve them: what the need clusters and the
    concept test must find without being told."""

    product: str = ""  # the catalog product one change would make serve the segment
    change: dict[str, Any] = field(default_factory=dict)  # {attribute: value}


@dataclass(frozen=True)
class PlantedFeature:
    phrase: str  # the wording most shoppers use, and so the label the miner should give
    variants: tuple[str, ...] = ()  # other wordings (a third of the mentions)
    weight: float = 0.02
    templates: tuple[str, ...] = ()  # "{p}" is the phrase; default: FEATURE_TEMPLATES


FEATURE_TEMPLATES = (
    "I wish it had {p}",
    "does it have {p}?",
    "Is there one with {p}?",
    "must have {p}",
    "I'd like {p}",
    "I really need {p}!",
    "do any of them have {p}?",
    "looking for something with {p}",
)
VEHICLE_NEEDS = (
    PlantedNeed("pickup + electric + under $45k",
                {"body": "pickup", "powertrain": "electric", "budget": (40500, 45000, 500)},
                {"seats": 5, "awd": True}, weight=0.04, growth=1.0),
    PlantedNeed("7+ seats + 40+ mpg", {"seats": 7, "mpg": (40, 42, 1)}, {"awd": True}, 0.035),
    PlantedNeed("minivan + plug-in hybrid + all-wheel drive",
                {"body": "minivan", "powertrain": "plug_in_hybrid", "awd": True}, {}, 0.03),
    PlantedNeed("hybrid + 10,000+ lb towing",
                {"powertrain": "hybrid", "towing": (10000, 10900, 100)}, weight=0.025, growth=-0.6),
    PlantedNeed("electric + under $50k + 7+ seats + not Tesla",
                {"powertrain": "electric", "seats": 7, "budget": (45500, 50000, 500),
                 "excluded_brands": ["Tesla"]}, weight=0.025),
)  # fmt: skip
VEHICLE_SEGMENTS = (
    PlantedSegment("hybrid pickup towing 5,500-6,500 lb",
                   {"body": "pickup", "powertrain": "hybrid", "towing": (5500, 6500, 100)},
                   {"awd": True, "seats": 5}, weight=0.03,
                   product="ford-maverick-2025", change={"towing_lb": 6500}),
    PlantedSegment("minivan towing 4,000-5,000 lb",
                   {"body": "minivan", "towing": (4000, 5000, 250)}, {"seats": 7}, weight=0.025,
                   product="toyota-sienna-2025", change={"towing_lb": 5000}),
)  # fmt: skip
VEHICLE_FEATURES = (
    PlantedFeature("heated rear seats", ("heated rear seat", "Heated rear seats"), 0.03),
    PlantedFeature("bidirectional charging", (), 0.025),
    PlantedFeature("captain's chairs", ("captains chairs", "captain's chair"), 0.025),
    PlantedFeature("fit in a short garage", (), 0.02,
                   ("I need it to {p}", "I'd like it to {p}", "we need one that will {p}")),
    PlantedFeature("heated steering wheel", ("a heated steering wheel",), 0.02),
)  # fmt: skip
NOISE_ADJECTIVES = (
    "purple retro solar massaging panoramic digital foldable self-cleaning voice-controlled "
    "mahogany velvet quilted armored amphibious vintage rotating inflatable chrome neon marble"
).split()
NOISE_NOUNS = (
    "dashboard mirror cupholder armrest glovebox tailgate horn spoiler sunvisor antenna wipers "
    "headrests ashtray fridge shower hubcaps doorbell keychain skylight bumper"
).split()
CHATTER = (  # (text, intent, whether the bot fell back)
    ("hi", "greet", False), ("hello there", "greet", False), ("lol", "nlu_fallback", True),
    ("what's the weather like?", "nlu_fallback", True), ("tell me a joke", "nlu_fallback", True),
    ("asdfgh jkl", "nlu_fallback", True), ("are you a robot?", "bot_challenge", False),
    ("I need help", "nlu_fallback", True), ("I want to talk to a human", "human_handoff", False),
    ("can I get a good deal?", "nlu_fallback", True), ("thanks!", "thank", False),
)  # fmt: skip
STATEMENTS = ("I'm looking for {x}", "I need {x}", "I want {x}", "{x} please", "{x}")
# Questions about one product ("{m}" is its model name), with the intent the bot gives them.
PRODUCT_QUESTIONS = (
    ("any recalls on the {m}?", "ask_known_issues"),
    ("what does the {m} cost to own?", "ask_cost_to_own"),
    ("how safe is the {m}?", "ask_fact"),
    ("tell me about the {m}", "ask_fact"),
)
# Models shoppers ask to compare that the vehicles catalog does not have (the simulator drops any
# the catalog it plays has).
MISSING_MODELS = (
    "Polestar 2", "Mini Cooper", "Alfa Romeo Tonale", "Jaguar F-Pace", "Land Rover Defender",
    "Lucid Air",
)  # fmt: skip
INTERVIEW_REPLIES = ("no preference", "not sure", "whatever is cheapest", "doesn't matter")
RATING_COMMENTS = ("thanks, very helpful", "took a while", "great service", "ok I guess")
BODY_WORDS = {"suv": "SUV", "pickup": "pickup", "minivan": "minivan", "sedan": "sedan"}
# The needs random shoppers state: the ones `describe` words as shoppers do.
DESCRIBED = (
    "budget",
    "body",
    "powertrain",
    "seats",
    "mpg",
    "range",
    "towing",
    "cargo",
    "drivetrain",
    "awd",
    "safety",
)


def _draw(rng: random.Random, value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 3:
        low, high, step = value
        return low + step * rng.randint(0, int((high - low) // step))
    if isinstance(value, str):
        return [value]
    return value


def describe(need: str, value: Any, rng: random.Random) -> str:
    """How a shopper might state one need: 'under $42,500', '7 seats', 'AWD', 'no Tesla'."""
    first = value[0] if isinstance(value, list) else value
    if need == "budget":
        return rng.choice((f"under ${value:,}", f"under {value / 1000:g}k", f"max ${value:,}"))
    if need == "seats":
        return rng.choice((f"{value} seats", f"seating for {value}", f"a {value}-seater"))
    if need == "mpg":
        return f"at least {value} mpg"
    if need == "towing":
        return rng.choice((f"tow {value:,} lbs", f"towing capacity of {value:,} pounds"))
    if need == "range":
        return f"{value} miles of range"
    if need == "awd":
        return rng.choice(("AWD", "all-wheel drive"))
    if need == "excluded_brands":
        return f"no {first}"
    if need == "body":
        return "a " + BODY_WORDS.get(first, str(first).replace("_", " "))
    if need == "powertrain":
        return str(first).replace("_", "-").replace("plug-in-hybrid", "plug-in hybrid")
    return f"{need.replace('_', ' ')} {first}"
