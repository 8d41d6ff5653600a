"""The spelling policy asks 'did you mean ...?' first after a message with a suggestion, then
listens, and has no opinion otherwise."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_plugins.spelling_policy import ACTION, next_action

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [ask_known_issues]
entities: [suggestion, product]
actions: [action_did_you_mean, action_known_issues]
"""
)


def tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("shopper", [ActionExecuted("action_listen"), *events])


def predicted(events) -> str | None:
    scores = next_action(tracker(*events), DOMAIN)
    if max(scores) == 0:
        return None
    return DOMAIN.action_names_or_texts[scores.index(max(scores))]


def message(entity: str) -> UserUttered:
    value = {"id": "kia-telluride-2025"} if entity == "suggestion" else "kia-telluride-2025"
    return UserUttered(
        "recalls on the teluryde",
        {"name": "ask_known_issues", "confidence": 0.9},
        [{"entity": entity, "value": value, "start": 15, "end": 23}],
    )


def test_a_message_with_a_suggestion_is_asked_about_first():
    assert predicted([message("suggestion")]) == ACTION


def test_after_asking_the_bot_listens():
    assert predicted([message("suggestion"), ActionExecuted(ACTION)]) == "action_listen"


def test_no_opinion_without_a_suggestion_or_after_another_action():
    assert predicted([message("product")]) is None
    assert predicted([message("suggestion"), ActionExecuted("action_known_issues")]) is None
