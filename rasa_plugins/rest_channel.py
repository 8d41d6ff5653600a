"""Rasa's REST channel with the shopper input limits (loaded by the Rasa server from
bot/credentials.yml as `rasa_plugins.rest_channel.LimitedRestInput`; its name and URL stay "rest",
/webhooks/rest/webhook).

What differs from rasa.core.channels.rest:
- A body that is not a JSON object with a string "sender" (at most MAX_SENDER_CHARS) and a string
  "message" gets 400 with the reason; Rasa's channel answers some of these with a 500.
- A message over MAX_MESSAGE_CHARS gets 413, a conversation over the rate limit 429; both with a
  reason, neither reaches the bot.
- The input channel recorded in the tracker and the turn log is always "rest": a caller cannot
  pass its messages off as another channel's.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import SanicException
from sanic.request import Request

from rasa_plugins.input_limits import MAX_MESSAGE_CHARS, TOO_FAST, TOO_LONG, rate_limiter

MAX_SENDER_CHARS = 128


class InputRefused(SanicException):
    """A request the channel will not pass to the bot; Sanic answers with its status and reason."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason, status_code=status)


def body_of(request: Request) -> dict[str, Any]:
    try:
        body = request.json
    except Exception as error:  # noqa: BLE001 - Sanic raises its own InvalidUsage for bad JSON
        raise InputRefused('the body must be JSON: {"sender": ..., "message": ...}') from error
    if not isinstance(body, dict):
        raise InputRefused('the body must be a JSON object: {"sender": ..., "message": ...}')
    return body


class LimitedRestInput(RestInput):
    """RestInput that checks each request's shape, length and rate before the bot sees it."""

    def __init__(self) -> None:
        self.rate = rate_limiter("rest")  # in Redis when scaled: one limit for N servers

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> LimitedRestInput:
        return cls()

    async def _extract_sender(self, req: Request) -> str | None:
        sender = body_of(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InputRefused("'sender' must be a non-empty string naming the conversation")
        if len(sender) > MAX_SENDER_CHARS:
            raise InputRefused(f"'sender' must be at most {MAX_SENDER_CHARS} characters")
        if not self.rate.allow(sender):
            raise InputRefused(TOO_FAST, status=429)
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = body_of(req).get("message")
        if not isinstance(message, str):
            raise InputRefused("'message' must be a string")
        if len(message) > MAX_MESSAGE_CHARS:
            raise InputRefused(TOO_LONG, status=413)
        return message

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = body_of(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise InputRefused("'metadata' must be a JSON object")
        return metadata
