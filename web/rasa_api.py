"""The web app's side of Rasa's HTTP API: append events to a conversation and have their bot
messages delivered to the shopper's socket.io connection. The API token stays on the server."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import aiohttp

OUTPUT_CHANNEL = "socketio"
# The chat channel's side path for typing signals (rasa_plugins/socket_channel.py): never a turn.
TYPING_PATH = "/webhooks/socketio/typing"


class RasaError(Exception):
    """The Rasa server could not be reached or refused the request."""


def staff_message(text: str, staff_name: str) -> dict[str, Any]:
    """A bot event the turn log records as a staff turn (see rasa_plugins.event_broker)."""
    return {
        "event": "bot",
        "text": text,
        "metadata": {
            "staff": True,
            "staff_name": staff_name,
            "message_id": f"staff-{uuid.uuid4()}",
        },
    }


def bot_message(text: str, **metadata: Any) -> dict[str, Any]:
    """A bot event pushed into the conversation (e.g. the hand-back note), with an id so that a
    page that missed it can catch up without showing it twice (web.chat_catch_up)."""
    return {
        "event": "bot",
        "text": text,
        "metadata": {"message_id": f"pushed-{uuid.uuid4()}", **metadata},
    }


class RasaClient:
    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        """Append `events` to the conversation; bot messages among them go to the shopper live."""
        url = f"{self.url}/conversations/{quote(conversation_id, safe='')}/tracker/events"
        params = {
            "execute_side_effects": "true",
            "output_channel": OUTPUT_CHANNEL,
            "token": self.token,
        }
        try:
            session = await self.session()
            async with session.post(url, params=params, json=events) as response:
                if response.status != 200:
                    body = (await response.text())[:300]
                    raise RasaError(f"the advisor server answered {response.status}: {body}")
        except aiohttp.ClientError as error:
            raise RasaError(f"cannot reach the advisor server: {error}") from error
        except TimeoutError as error:
            raise RasaError("the advisor server did not answer in time") from error

    async def typing(self, conversation_id: str, name: str, typing: bool) -> None:
        """Show (or stop showing) "NAME is typing" in the shopper's chat, through the channel's
        side path: no event reaches the conversation, so nothing is logged as a turn."""
        url = self.url + TYPING_PATH
        body = {"conversation_id": conversation_id, "name": name, "typing": typing}
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            session = await self.session()
            async with session.post(url, json=body, headers=headers) as response:
                if response.status != 200:
                    text = (await response.text())[:300]
                    raise RasaError(f"the advisor server answered {response.status}: {text}")
        except aiohttp.ClientError as error:
            raise RasaError(f"cannot reach the advisor server: {error}") from error
        except TimeoutError as error:
            raise RasaError("the advisor server did not answer in time") from error

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        url = f"{self.url}/conversations/{quote(conversation_id, safe='')}/tracker"
        try:
            session = await self.session()
            async with session.get(url, params={"token": self.token}) as response:
                if response.status != 200:
                    raise RasaError(f"the advisor server answered {response.status}")
                return await response.json()
        except aiohttp.ClientError as error:
            raise RasaError(f"cannot reach the advisor server: {error}") from error
