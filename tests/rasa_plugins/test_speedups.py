"""The Rasa speed-ups change no behaviour: same validation verdicts, same event classes."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from rasa_plugins import speedups as rasa_speedups

GOOD = {
    "events": [{"event": "slot", "name": "budget", "value": 45000}],
    "responses": [{"text": "hi", "custom": {"type": "product_cards", "items": []}}],
}
BAD = {"events": [{"name": "budget"}], "responses": []}  # an event without its type


def test_same_verdicts_as_rasa():
    rasa_speedups.install()
    action = RemoteAction("action_recommend", EndpointConfig("http://localhost:1"))
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result(BAD)
    # what Rasa 3.6 itself does: jsonschema.validate against the same schema
    schema = RemoteAction.action_response_format_spec()
    validate(GOOD, schema)
    with pytest.raises(ValidationError):
        validate(BAD, schema)


def test_event_types_resolve_to_the_same_classes():
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    rasa_speedups.install()
    for _ in range(2):  # the second time from the cache
        assert Event.resolve_by_type("slot") is SlotSet
        assert Event.resolve_by_type("user") is UserUttered
        assert Event.resolve_by_type("action") is ActionExecuted
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
