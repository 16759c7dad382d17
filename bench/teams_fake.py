"""What the Teams benchmark shares: a loopback fake of Microsoft and a person's walk-through.

The fake serves the OpenID metadata and a JWKS of a key made here, issues the bot's tokens, and
plays the Bot Connector: each message posted to a conversation is handed, with the time it
arrived, to whoever awaits that conversation. Incoming activities carry a token minted with the
same key, as the Bot Connector's would.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bench.harness import REPLY_TIMEOUT, Mismatch, Timings, operator_env
from tests.loopback import listen

APP_ID = "3f2504e0-4f89-41d3-9d0a-0305e82c3301"
APP_PASSWORD = "bench-teams-app-password"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KEY_ID = "bench-key"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"

Arrival = tuple[float, dict[str, Any]]
Check = Callable[[int, dict[str, Any]], None]
"""Raises Mismatch when card number n of a walk-through (0: the first message's) is not right."""


class FakeMicrosoft:
    """Keys, tokens and a Bot Connector that hands each message to whoever awaits it."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.waiting: dict[str, asyncio.Future[Arrival]] = {}
        self.unexpected = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._token = ""

    @property
    def service_url(self) -> str:
        return f"{self.url}/amer/"

    def token(self) -> str:
        """The Bot Connector's token for requests to the bot (one, good for an hour)."""
        if not self._token:
            now = int(time.time())
            claims = {
                "iss": "https://api.botframework.com",
                "aud": APP_ID,
                "exp": now + 3600,
                "nbf": now - 60,
                "serviceurl": self.service_url,
            }
            self._token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KEY_ID})
        return self._token

    def forged_token(self) -> str:
        """The same claims and key id, signed by a key that is not the Bot Connector's."""
        claims = jwt.decode(self.token(), options={"verify_signature": False})
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, other, algorithm="RS256", headers={"kid": KEY_ID})

    def expect(self, conversation: str) -> asyncio.Future[Arrival]:
        """A future that resolves with the next message posted to `conversation`."""
        future: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        self.waiting[conversation] = future
        return future

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path == "/v1/.well-known/openidconfiguration":
            return web.json_response({"jwks_uri": f"{self.url}/v1/.well-known/keys"})
        if path == "/v1/.well-known/keys":
            jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            jwk.update({"kid": KEY_ID, "endorsements": ["msteams"]})
            return web.json_response({"keys": [jwk]})
        if path.endswith("/oauth2/v2.0/token"):
            return web.json_response({"access_token": "bench-bot-token", "expires_in": 3600})
        if path.startswith("/amer/v3/conversations/"):
            conversation = path.removeprefix("/amer/v3/conversations/").split("/")[0]
            body = await request.json()
            future = self.waiting.pop(conversation, None)
            if future is not None and not future.done():
                future.set_result((time.perf_counter(), body))
            else:
                self.unexpected += 1
            return web.json_response({"id": "sent"}, status=201)
        self.unexpected += 1
        return web.json_response({}, status=404)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner, self.url = await listen(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def teams_env(home: Path, fake: FakeMicrosoft, port: int) -> dict[str, str]:
    """The settings an operator gives the Teams bot (the bare one reads them too)."""
    return operator_env(
        home,
        TEAMS_APP_ID=APP_ID,
        TEAMS_APP_PASSWORD=APP_PASSWORD,
        TEAMS_OPENID_URL=f"{fake.url}/v1/.well-known/openidconfiguration",
        TEAMS_TOKEN_URL=f"{fake.url}/botframework.com/oauth2/v2.0/token",
        HOST="127.0.0.1",
        PORT=port,
        DATA_DIR=home / "data",
    )


def messages_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/messages"


def activity(
    fake: FakeMicrosoft, kind: str, user: str, conversation: str, **fields: Any
) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"in-{time.perf_counter_ns()}",
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user}", "aadObjectId": user},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": f"28:{APP_ID}"},
        "locale": "en-GB",
        **fields,
    }


def card_of(message: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card a message activity carries."""
    (attachment,) = message["attachments"]
    if attachment["contentType"] != CARD_TYPE:
        raise Mismatch("a message without an Adaptive Card")
    card: dict[str, Any] = attachment["content"]
    return card


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for item in card["body"] if item["type"] == "ActionSet" for a in item["actions"]]


def without_tokens(card: dict[str, Any]) -> dict[str, Any]:
    """The card with its buttons' data (each person's signed token) left out."""
    body = []
    for item in card["body"]:
        if item["type"] == "ActionSet":
            actions = [{k: v for k, v in a.items() if k != "data"} for a in item["actions"]]
            item = {**item, "actions": actions}
        body.append(item)
    return {**card, "body": body}


async def post(http: aiohttp.ClientSession, url: str, fake: FakeMicrosoft, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {fake.token()}"}
    async with http.post(url, json=body, headers=headers) as response:
        if response.status != 200:
            raise Mismatch(f"answered {response.status}: {(await response.text())[:200]}")
        text = await response.text()
        return json.loads(text) if text else None


async def refuses_forged_tokens(http: aiohttp.ClientSession, url: str, fake: FakeMicrosoft) -> None:
    """A message with a token the Bot Connector did not sign must get a 401."""
    body = activity(fake, "message", "forger", "a:forger", text="hi")
    headers = {"Authorization": f"Bearer {fake.forged_token()}"}
    async with http.post(url, json=body, headers=headers) as response:
        if response.status != 401:
            raise Mismatch(f"a forged token was answered {response.status}, not 401")


async def walk(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeMicrosoft,
    user: str,
    tag: str,
    answers: tuple[int, ...],
    timings: Timings,
    check: Check,
) -> list[dict[str, Any]]:
    """One walk-through in a personal chat: a message, then a click on each answer in turn.

    A message's latency is until its card reaches the Bot Connector; a click's is until the
    invoke is answered with the next card.
    """
    conversation = f"a:{user}-{tag}"
    arrival = fake.expect(conversation)
    started = time.perf_counter()
    await post(http, url, fake, activity(fake, "message", user, conversation, text="hi"))
    try:
        arrived, message = await asyncio.wait_for(arrival, REPLY_TIMEOUT)
    finally:
        fake.waiting.pop(conversation, None)
    timings.commands.append(arrived - started)
    card = card_of(message)
    check(0, card)
    cards = [card]
    for step, answer in enumerate(answers, start=1):
        pressed = next(b for b in buttons(card) if b["verb"] == f"cot:c{answer}")
        value = {
            "action": {"type": "Action.Execute", "verb": pressed["verb"], "data": pressed["data"]}
        }
        body = activity(fake, "invoke", user, conversation, name="adaptiveCard/action", value=value)
        started = time.perf_counter()
        answer_body = await post(http, url, fake, body)
        timings.clicks.append(time.perf_counter() - started)
        if answer_body.get("type") != CARD_TYPE:
            raise Mismatch("a click not answered with a card")
        card = answer_body["value"]
        check(step, card)
        cards.append(card)
    return cards
