"""Two hot spots of the Rasa 3.6 server, measured with py-spy while `advisor bench` ran, made cheap
without changing behaviour:

1. Every action server response is checked with `jsonschema.validate`, which first re-validates the
   response schema itself against the JSON Schema meta-schema, on every call: about 40% of the
   server's CPU. Here the schema is compiled into a validator once; responses are checked exactly
   as strictly as before and fail with the same error.
2. Every stored event is turned back into its class by `Event.resolve_by_type`, which walks all
   subclasses of Event each time: about 20% of the CPU at 32 concurrent shoppers. Here each type
   name, once resolved, is remembered; unknown names still go through Rasa's own lookup.
"""

from __future__ import annotations

from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_validator = None
_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type] = {}


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    global _validator
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    if _validator is None:
        schema = self.action_response_format_spec()
        _validator = validator_for(schema)(schema)
    try:
        _validator.validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error


def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
    """Event.resolve_by_type, remembering each class it found."""
    known = _event_classes.get(type_name)
    if known is not None:
        return known
    found = _resolve_by_type(type_name, default)
    if found is not None and getattr(found, "type_name", None) == type_name:
        _event_classes[type_name] = found
    return found


def install_validator() -> None:
    """Patch 1 (idempotent); installed by rasa_plugins.patches."""
    RemoteAction._validate_action_result = _validate_action_result


def install_event_cache() -> None:
    """Patch 2 (idempotent); installed by rasa_plugins.patches."""
    Event.resolve_by_type = staticmethod(resolve_by_type)


def install() -> None:
    """Both patches (idempotent)."""
    install_validator()
    install_event_cache()
