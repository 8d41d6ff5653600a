"""Validation for the needs interview: the form asks only what is still missing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import catalog
from knowledge.errors import NeedsError
from knowledge.needs import NO_PREFERENCE, make_constraint


def checked(need: str, value: Any) -> dict[str, Any]:
    """Keep a value the category accepts, 'any' for no preference; otherwise ask again."""
    if isinstance(value, str) and value.lower() in NO_PREFERENCE:
        return {need: "any"}
    try:
        make_constraint(catalog().category, need, value)
    except NeedsError:
        return {need: None}
    return {need: value}


class ValidateNeedsForm(FormValidationAction):
    def name(self) -> str:
        return "validate_needs_form"

    def validate_body(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return checked("body", value)

    def validate_budget(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return checked("budget", value)

    def validate_powertrain(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> dict:
        return checked("powertrain", value)
