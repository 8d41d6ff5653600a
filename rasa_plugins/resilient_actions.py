"""A clear reply instead of silence when a custom action cannot run.

Rasa 3.6 runs every custom action (`action_recommend`, `action_compare`, the needs form's
validation, ...) on the action server. When that server is down, slow or answers with an error,
`MessageProcessor._run_action` logs the exception, drops the action's events and goes on: the
shopper gets no reply at all. Rasa has no hook for this, so `install()` wraps
`RemoteAction.run` (process-wide, once):

- A custom action that fails (cannot connect, times out after ACTION_TIMEOUT_ENV seconds, error
  status, invalid answer) returns one bot message saying the advisor cannot look that up right now.
  It is an ordinary `BotUttered` event, so Rasa sends it on whatever channel the shopper uses,
  stores it in the tracker and publishes it to the event broker (the turn log). The response
  `utter_action_unavailable` is used when the domain declares it; otherwise UNAVAILABLE_TEXT
  (HANDOFF_UNAVAILABLE_TEXT for a request for a person). At most one such message is sent per
  shopper message.
- The session start (`action_session_start`, actions/session_start.py) that fails starts the
  session as Rasa's built-in action does (without the check for an open handoff): the shopper's
  greeting is answered normally.
- A form's validation action (`validate_<form>`) that fails is skipped: the values Rasa extracted
  stay as they are, so the form keeps asking its questions (those are responses Rasa renders
  itself) and the shopper's needs are collected; the lookup at the end of the form then gets the
  message above.
- A request that went out on a pooled connection the action server had just closed is retried
  once on a fresh connection (see `stale_connection`): under load this happened to about 1 turn in
  300, which the shopper would otherwise have seen as silence.
- `ActionExecutionRejection` (a deliberate rejection by the action server) is not a failure and
  passes through unchanged.

Slots live in Rasa's tracker, not on the action server, so a conversation keeps its needs through
an action server outage and continues once the server is back.

The launcher (`python -m rasa_plugins run`, rasa_plugins/patches.py) calls `install()` when the
Rasa server starts, after checking the Rasa version.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
from rasa.core.actions.action import ActionExecutionRejection, ActionSessionStart, RemoteAction
from rasa.shared.core.events import BotUttered, Event, UserUttered

logger = logging.getLogger(__name__)

RESPONSE = "utter_action_unavailable"
UNAVAILABLE_TEXT = (
    "Sorry, I can't look that up right now: part of the advisor is not responding. "
    "I've kept everything you told me, so please try again in a minute."
)
# A request for a person is not a lookup: say what did not happen.
HANDOFF_UNAVAILABLE_TEXT = (
    "Sorry, I can't reach the support team right now: part of the advisor is not responding, so "
    "no one has been asked to join yet. Please try again in a minute."
)
HANDOFF_ACTION = "action_handoff"
SESSION_START = "action_session_start"
ACTION_TIMEOUT_ENV = "ADVISOR_ACTION_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 30.0  # seconds; Rasa's own limit is 5 minutes
_ORIGINAL_RUN = RemoteAction.run


def action_timeout() -> float:
    """Seconds a custom action may take before the shopper is told it cannot be looked up."""
    try:
        value = float(os.environ.get(ACTION_TIMEOUT_ENV) or DEFAULT_ACTION_TIMEOUT)
    except ValueError:
        return DEFAULT_ACTION_TIMEOUT
    return value if value > 0 else DEFAULT_ACTION_TIMEOUT


def is_form_validation(name: str, domain: Any) -> bool:
    return name.startswith("validate_") and name.removeprefix("validate_") in domain.form_names


def already_told(tracker: Any) -> bool:
    """Whether this shopper message already got the 'cannot look that up' reply."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get("utter_action") == RESPONSE:
            return True
    return False


async def unavailable_message(
    nlg: Any, tracker: Any, output_channel: Any, domain: Any, action: str = ""
) -> BotUttered:
    """The reply for a failed lookup: the domain's response if it has one, else the default."""
    if action == HANDOFF_ACTION:
        return BotUttered(text=HANDOFF_UNAVAILABLE_TEXT, metadata={"utter_action": RESPONSE})
    if RESPONSE in domain.responses:
        try:
            draft = await nlg.generate(RESPONSE, tracker, output_channel.name())
        except Exception:  # noqa: BLE001 - the default text is always there
            draft = None
        if draft and draft.get("text"):
            return BotUttered(text=draft["text"], metadata={"utter_action": RESPONSE})
    return BotUttered(text=UNAVAILABLE_TEXT, metadata={"utter_action": RESPONSE})


def stale_connection(error: BaseException) -> BaseException | None:
    """The connection error, if the request failed on a pooled connection that the action server
    had already closed.

    Rasa keeps idle connections to the action server for 15 s, the action server (Sanic) closes
    them after 5 s; under load a request can go out on one that is being closed ("Can not write
    request body", "Server disconnected"). The action server is up and one retry on a fresh
    connection succeeds. A refused connection (server down) is not retried."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, aiohttp.ServerDisconnectedError):
            return seen
        if isinstance(seen, aiohttp.ClientOSError) and not isinstance(
            seen, aiohttp.ClientConnectorError
        ):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


async def resilient_run(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Event]:
    """RemoteAction.run that answers the shopper when the action server cannot.

    Retrying is safe: the actions compute their answer from the tracker, and the one with a side
    effect (the handoff) refreshes the same support-queue entry when run twice."""
    for attempt in (1, 2):
        try:
            return await asyncio.wait_for(
                _ORIGINAL_RUN(self, output_channel, nlg, tracker, domain),
                timeout=action_timeout(),
            )
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - every failure gets an answer and a log line
            stale = stale_connection(error) if attempt == 1 else None
            if stale is not None:
                logger.warning(
                    "custom action '%s': the action server closed the connection (%s: %s); "
                    "retrying once",
                    self.name(),
                    type(stale).__name__,
                    stale,
                )
                continue
            return await _failed(self, error, output_channel, nlg, tracker, domain)
    raise AssertionError("unreachable")


async def _failed(
    action: RemoteAction, error: Exception, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Event]:
    reason = "timed out" if isinstance(error, asyncio.TimeoutError) else str(error)
    if action.name() == SESSION_START:
        logger.error(
            "custom action '%s' failed for conversation %s (%s: %s); "
            "starting the session as Rasa does by default",
            action.name(),
            tracker.sender_id,
            type(error).__name__,
            reason,
        )
        return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    if is_form_validation(action.name(), domain):
        logger.error(
            "custom action '%s' failed for conversation %s (%s: %s); "
            "keeping the extracted values unvalidated",
            action.name(),
            tracker.sender_id,
            type(error).__name__,
            reason,
        )
        return []
    logger.error(
        "custom action '%s' failed for conversation %s (%s: %s); "
        "told the shopper it cannot be looked up right now",
        action.name(),
        tracker.sender_id,
        type(error).__name__,
        reason,
    )
    if already_told(tracker):
        return []
    return [await unavailable_message(nlg, tracker, output_channel, domain, action.name())]


def install() -> None:
    """Make every custom action answer the shopper when it fails (idempotent)."""
    if RemoteAction.run is not resilient_run:
        RemoteAction.run = resilient_run  # type: ignore[method-assign]
        logger.info("Custom actions that fail now get a 'cannot look that up' reply")


def uninstall() -> None:
    RemoteAction.run = _ORIGINAL_RUN  # type: ignore[method-assign]
