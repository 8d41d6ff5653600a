"""Validation for the needs interview: the form asks only what is still missing.

The form's questions are the category's (`interview` in category.yml, generated into the domain),
so every need gets the same check: `validate_<need>` exists for each need the catalog declares.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import SORT, catalog
from knowledge.errors import NeedsError
from knowledge.needs import NO_PREFERENCE, make_constraint

VALIDATE = "validate_"


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

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict,
    ) -> list[str]:
        """A superlative or direct question ('which truck tows the most') is answered at once,
        ranked on what it names within the needs stated: nothing more is asked."""
        if tracker.get_slot(SORT):
            return []
        return domain_slots

    def __getattr__(self, name: str) -> Callable[..., dict]:
        """`validate_<need>` for every need of the catalog (rasa-sdk looks them up by name)."""
        need = name.removeprefix(VALIDATE)
        if name.startswith(VALIDATE) and need in catalog().category.needs:

            def validate(
                value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
            ) -> dict:
                return checked(need, value)

            return validate
        raise AttributeError(name)
