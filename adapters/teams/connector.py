"""Talking to Teams: the bot's own token, and the Bot Connector at an activity's serviceUrl.

The calls go through the SDK's ConnectorClient (one per serviceUrl, kept); the token comes from
the client-credentials flow at TEAMS_TOKEN_URL, kept until shortly before it expires. A 429
(after its Retry-After) and a 5xx or a dropped connection are tried again a few times.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from adapters.teams.settings import TeamsSettings

log = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"
TRIES = 3
RETRY_AFTER_MOST_SECONDS = 3.0
"""A Retry-After longer than this is not waited out: the person would be waiting."""
TOKEN_MARGIN_SECONDS = 5 * 60
"""A token is fetched again this long before it expires."""
TIMEOUT_SECONDS = 5.0

T = TypeVar("T")


class ConnectorTrouble(Exception):
    """Teams could not be reached or would not take the call; the message is one line."""


class BadCredentials(ConnectorTrouble):
    """The token endpoint refused TEAMS_APP_ID and TEAMS_APP_PASSWORD."""


def _retry_after(exc: aiohttp.ClientResponseError, attempt: int) -> float:
    raw = exc.headers.get("Retry-After", "") if exc.headers is not None else ""
    try:
        wanted = float(raw)
    except ValueError:
        wanted = 0.5 * 2**attempt
    return min(max(wanted, 0.0), RETRY_AFTER_MOST_SECONDS)


class BotToken:
    """The bot's bearer token for the Bot Connector, kept until shortly before it expires."""

    def __init__(
        self,
        settings: TeamsSettings,
        session: Callable[[], aiohttp.ClientSession],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._session = session
        self._clock = clock
        self._token: str | None = None
        self._good_until = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A token that is good for a while yet (ConnectorTrouble when none can be had)."""
        async with self._lock:
            if self._token is None or self._clock() >= self._good_until:
                self._token, lasts = await self._fetch()
                self._good_until = self._clock() + max(lasts - TOKEN_MARGIN_SECONDS, lasts / 2)
            return self._token

    def forget(self) -> None:
        """Fetch a new token next time (the Bot Connector refused this one)."""
        self._token = None

    async def _fetch(self) -> tuple[str, float]:
        url = self._settings.token_url_or_default
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.app_id or "",
            "client_secret": self._settings.app_password or "",
            "scope": SCOPE,
        }
        for attempt in range(TRIES):
            try:
                timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
                async with self._session().post(url, data=form, timeout=timeout) as response:
                    found = await response.json(content_type=None)
                    status = response.status
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                problem = type(exc).__name__
            else:
                if status == 200 and isinstance(found, dict):
                    token = found.get("access_token")
                    lasts = found.get("expires_in", 3600)
                    if isinstance(token, str) and token and isinstance(lasts, int | float | str):
                        return token, float(lasts)
                    problem = "an answer without a token"
                elif status in (400, 401):
                    error = found.get("error") if isinstance(found, dict) else None
                    raise BadCredentials(
                        f"Microsoft refused the bot's credentials ({str(error)[:40]}); check "
                        "TEAMS_APP_ID and TEAMS_APP_PASSWORD (and TEAMS_TENANT_ID for a "
                        "single-tenant bot)"
                    )
                else:
                    problem = f"HTTP {status}"
            if attempt + 1 < TRIES:
                await asyncio.sleep(0.5 * 2**attempt)
        raise ConnectorTrouble(
            f"could not get the bot's token from {url} ({problem}); check the network and "
            "TEAMS_TOKEN_URL"
        )


class Connector:
    """The Bot Connector REST API, called only at the serviceUrl an activity came from."""

    def __init__(self, settings: TeamsSettings, token: BotToken) -> None:
        self._settings = settings
        self._token = token
        self._clients: dict[str, ConnectorClient] = {}

    async def _client(self, service_url: str) -> ConnectorClient:
        token = await self._token.get()
        client = self._clients.get(service_url)
        if client is None:
            session = aiohttp.ClientSession(
                base_url=service_url.rstrip("/") + "/",
                timeout=aiohttp.ClientTimeout(total=TIMEOUT_SECONDS),
            )
            client = ConnectorClient(service_url, token, session=session)
            self._clients[service_url] = client
        client.client.headers["Authorization"] = f"Bearer {token}"
        return client

    async def _tried(
        self, what: str, service_url: str, call: Callable[[ConnectorClient], Awaitable[T]]
    ) -> T:
        problem = ""
        for attempt in range(TRIES):
            client = await self._client(service_url)
            try:
                return await call(client)
            except aiohttp.InvalidURL:
                raise ConnectorTrouble(f"Teams gave an address the bot cannot {what} at") from None
            except aiohttp.ClientResponseError as exc:
                if exc.status == 401 and attempt == 0:
                    # a token Microsoft no longer takes (its keys rotated, say): fetch another
                    self._token.forget()
                    problem, wait = "HTTP 401", 0.0
                    continue
                if exc.status != 429 and exc.status < 500:
                    raise ConnectorTrouble(f"Teams refused to {what} (HTTP {exc.status})") from None
                problem = f"HTTP {exc.status}"
                wait = _retry_after(exc, attempt)
            except (aiohttp.ClientError, TimeoutError) as exc:
                problem = type(exc).__name__
                wait = 0.5 * 2**attempt
            if attempt + 1 < TRIES:
                await asyncio.sleep(wait)
        raise ConnectorTrouble(
            f"Teams' Bot Connector did not let the bot {what} ({problem}, {TRIES} tries)"
        )

    async def reply(
        self, service_url: str, conversation_id: str, reply_to: str | None, activity: dict[str, Any]
    ) -> None:
        """Send `activity` into a conversation, as a reply to `reply_to` when it is given."""
        body = Activity.model_validate(activity)

        async def send(client: ConnectorClient) -> None:
            if reply_to:
                await client.conversations.reply_to_activity(conversation_id, reply_to, body)
            else:
                await client.conversations.send_to_conversation(conversation_id, body)

        await self._tried("send a message", service_url, send)

    async def open_personal_chat(self, service_url: str, tenant_id: str, person_id: str) -> str:
        """The 1:1 conversation between the bot and this person (made if there is none yet)."""
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=f"28:{self._settings.app_id}"),
            members=[ChannelAccount(id=person_id)],
            tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}},
        )

        async def create(client: ConnectorClient) -> str:
            made = await client.conversations.create_conversation(parameters)
            if not made.id:
                raise ConnectorTrouble("Teams made no conversation")
            return made.id

        return await self._tried("open a private chat", service_url, create)

    async def close(self) -> None:
        """Close every connection."""
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
