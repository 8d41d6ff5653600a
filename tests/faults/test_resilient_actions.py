"""rasa_plugins.resilient_actions without servers: what a failing custom action returns to Rasa's processor."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from ops.stack import ROOT, free_port
from rasa_plugins import resilient_actions
from rasa_plugins.resilient_actions import (
    HANDOFF_UNAVAILABLE_TEXT,
    RESPONSE,
    UNAVAILABLE_TEXT,
    resilient_run,
)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(autouse=True)
def installed():
    resilient_actions.install()  # what the launcher does at start-up
    yield
    resilient_actions.uninstall()


def tracker(domain: Domain, *events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "shopper-1",
        [ActionExecuted("action_listen"), UserUttered("cheaper"), *events],
        slots=domain.slots,
    )


def run(domain: Domain, name: str, state: DialogueStateTracker | None = None):
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens
    action = RemoteAction(name, endpoint)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return asyncio.run(action.run(CollectingOutputChannel(), nlg, state or tracker(domain), domain))


def test_install_patches_remote_actions_once():
    assert RemoteAction.run is resilient_run
    resilient_actions.install()
    assert RemoteAction.run is resilient_run


def test_an_unreachable_action_server_gets_one_clear_reply(domain):
    events = run(domain, "action_refine")
    assert len(events) == 1 and isinstance(events[0], BotUttered)
    assert events[0].text == UNAVAILABLE_TEXT
    assert events[0].metadata == {"utter_action": RESPONSE}


def test_a_request_for_a_person_is_told_no_one_was_asked(domain):
    assert [e.text for e in run(domain, "action_handoff")] == [HANDOFF_UNAVAILABLE_TEXT]


def test_only_one_such_reply_per_shopper_message(domain):
    told = BotUttered(UNAVAILABLE_TEXT, metadata={"utter_action": RESPONSE})
    assert run(domain, "action_recommend", tracker(domain, told)) == []
    later = tracker(domain, told, ActionExecuted("action_listen"), UserUttered("compare them"))
    assert len(run(domain, "action_compare", later)) == 1


def test_a_failed_form_validation_keeps_the_extracted_values(domain):
    # the shipped domain has no form (the actions ask the interview); a deployer's domain may
    form = Domain.from_dict({"forms": {"a_form": {"required_slots": ["budget"]}}})
    with_form = domain.merge(form)
    assert run(with_form, "validate_a_form", tracker(with_form, SlotSet("budget", 40000))) == []


def test_a_failed_session_start_starts_the_session_as_rasa_does(domain):
    events = run(domain, "action_session_start", tracker(domain, SlotSet("budget", 40000)))
    assert [type(e).__name__ for e in events] == ["SessionStarted", "SlotSet", "ActionExecuted"]
    assert (events[1].key, events[1].value) == ("budget", 40000)
    assert not any(isinstance(e, BotUttered) for e in events)


def test_a_deliberate_rejection_passes_through(domain, monkeypatch):
    async def rejecting(self, *args):
        raise ActionExecutionRejection(self.name(), "not for me")

    monkeypatch.setattr(resilient_actions, "_ORIGINAL_RUN", rejecting)
    with pytest.raises(ActionExecutionRejection):
        run(domain, "action_recommend")


def test_a_slow_action_times_out_into_the_clear_reply(domain, monkeypatch):
    async def slow(self, *args):
        await asyncio.sleep(5)
        return []

    monkeypatch.setattr(resilient_actions, "_ORIGINAL_RUN", slow)
    monkeypatch.setenv(resilient_actions.ACTION_TIMEOUT_ENV, "0.05")
    assert [e.text for e in run(domain, "action_recommend")] == [UNAVAILABLE_TEXT]


def test_a_connection_closed_by_the_action_server_is_retried_once(domain, monkeypatch):
    attempts = []
    answer = [BotUttered("2 vehicles meet your needs")]

    async def flaky(self, *args):
        attempts.append(self.name())
        if len(attempts) == 1:
            try:
                raise aiohttp.ServerDisconnectedError()
            except aiohttp.ClientError as error:
                raise RasaException("Failed to execute custom action") from error
        return answer

    monkeypatch.setattr(resilient_actions, "_ORIGINAL_RUN", flaky)
    assert run(domain, "action_recommend") == answer
    assert attempts == ["action_recommend", "action_recommend"]


def test_a_refused_connection_is_not_retried(domain, monkeypatch):
    attempts = []
    original = resilient_actions._ORIGINAL_RUN

    async def counting(self, *args):
        attempts.append(1)
        return await original(self, *args)

    monkeypatch.setattr(resilient_actions, "_ORIGINAL_RUN", counting)
    assert [e.text for e in run(domain, "action_recommend")] == [UNAVAILABLE_TEXT]
    assert attempts == [1]


def test_the_domain_can_word_the_reply(domain):
    worded = Domain.from_dict(
        {**domain.as_dict(), "responses": {**domain.responses, RESPONSE: [{"text": "Back soon!"}]}}
    )
    assert [e.text for e in run(worded, "action_recommend")] == ["Back soon!"]
