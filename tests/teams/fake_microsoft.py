"""A loopback fake of Microsoft's side of a Teams bot, recording every call made to it.

It serves the Bot Framework OpenID metadata and a JWKS of an RSA key made here, issues the bot's
own tokens by the client-credentials flow, and plays the Bot Connector REST API at its
serviceUrl. Tokens for incoming activities are minted with the same key (PyJWT), good or bad.
It runs on its own thread and event loop, so a test process and the bot process share it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "3f2504e0-4f89-41d3-9d0a-0305e82c3301"
APP_PASSWORD = "teams-app-password-for-tests"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
KEY_ID = "test-key-1"
ISSUER = "https://api.botframework.com"
BOT_TOKEN_PREFIX = "bot-token-"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Call:
    """One request the bot made to Microsoft."""

    method: str
    path: str
    authorization: str | None
    body: Any
    status: int = 200
    """What the fake answered."""


@dataclass
class Fault:
    """Answer the next `times` calls whose path starts with `path` with `status`."""

    path: str
    status: int
    times: int
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (then answer as usual when `status` is 0)."""


class FakeMicrosoft:
    """OpenID metadata, JWKS, token endpoint and Bot Connector on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = _key()
        self.other_key = _key()
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.tokens_issued = 0
        self.endorsements: list[str] | None = ["msteams"]
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openid_url(self) -> str:
        return f"{self.base}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.base}/botframework.com/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return f"{self.base}/amer/"

    # --- what tests look at

    def connector_calls(self) -> list[Call]:
        """The calls made to the Bot Connector (not to the keys or the token endpoint)."""
        with self._lock:
            return [c for c in self.calls if c.path.startswith("/amer/")]

    def sent_cards(self) -> list[dict[str, Any]]:
        """Every Adaptive Card delivered in a message, in order."""
        cards = []
        for call in self.connector_calls():
            if call.method == "POST" and "/activities" in call.path and call.status < 300:
                cards += [item["content"] for item in (call.body or {}).get("attachments", [])]
        return cards

    def fail(self, path: str, status: int, times: int = 1, **headers: str) -> None:
        """The next `times` calls under `path` get `status`."""
        with self._lock:
            self.faults.append(Fault(path, status, times, headers))

    def slow(self, path: str, seconds: float, times: int = 1) -> None:
        """The next `times` calls under `path` are answered after `seconds`."""
        with self._lock:
            self.faults.append(Fault(path, 0, times, delay=seconds))

    def forget(self) -> None:
        """Forget the calls so far (and any fault left)."""
        with self._lock:
            self.calls.clear()
            self.faults.clear()

    # --- minting the Bot Connector's tokens

    def mint(
        self,
        *,
        service_url: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KEY_ID,
        algorithm: str = "RS256",
        **claims: Any,
    ) -> str:
        """A token as the Bot Connector signs it for our bot; any claim can be changed."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": APP_ID,
            "exp": now + 3600,
            "nbf": now - 60,
            "serviceurl": service_url or self.service_url,
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        if algorithm == "none":
            return jwt.encode(payload, None, algorithm="none", headers={"kid": kid})
        secret: Any = key or self.key
        return jwt.encode(payload, secret, algorithm=algorithm, headers={"kid": kid})

    # --- serving

    def start(self) -> FakeMicrosoft:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(5)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def _jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig"})
        if self.endorsements is not None:
            jwk["endorsements"] = self.endorsements
        return {"keys": [jwk]}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body: Any = None
        if request.content_type == "application/x-www-form-urlencoded":
            body = dict(parse_qsl(raw.decode()))
        elif raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        call = Call(request.method, request.path, request.headers.get("Authorization"), body)
        with self._lock:
            self.calls.append(call)
            fault = next((f for f in self.faults if request.path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.status:
            call.status = fault.status
            return web.json_response({"error": "fault"}, status=fault.status, headers=fault.headers)
        path = request.path
        if path == "/v1/.well-known/openidconfiguration":
            return web.json_response(
                {"issuer": ISSUER, "jwks_uri": f"{self.base}/v1/.well-known/keys"}
            )
        if path == "/v1/.well-known/keys":
            return web.json_response(self._jwks())
        if path.endswith("/oauth2/v2.0/token"):
            form = body or {}
            if form.get("client_id") != APP_ID or form.get("client_secret") != APP_PASSWORD:
                return web.json_response({"error": "invalid_client"}, status=401)
            self.tokens_issued += 1
            return web.json_response(
                {
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "access_token": f"{BOT_TOKEN_PREFIX}{self.tokens_issued}",
                }
            )
        if path.startswith("/amer/v3/conversations"):
            if not (call.authorization or "").startswith(f"Bearer {BOT_TOKEN_PREFIX}"):
                return web.json_response({"error": "unauthorized"}, status=401)
            number = next(self._ids)
            if path == "/amer/v3/conversations":
                return web.json_response({"id": f"a:personal-{number}"}, status=201)
            return web.json_response({"id": f"activity-{number}"}, status=201)
        return web.json_response({"error": "not found"}, status=404)
