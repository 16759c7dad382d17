"""The HTTP endpoint: check the Bot Connector's token, then the activity's shape, then answer.

Nothing in a request is read before its token checks out (adapters/teams/auth.py), except the
activity's serviceUrl, which the token must name. A bad token is a 401 and nothing is sent
anywhere; an activity the SDK's schema cannot read is a 400; nothing a caller sends is a 5xx.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pydantic
from aiohttp import web
from microsoft_agents.activity import Activity

from adapters.teams.auth import (
    KeysUnavailable,
    Refused,
    TokenCheck,
    bearer_token,
    check_service_url,
)
from adapters.teams.conversations import NotUsable, TeamsConversations
from adapters.web_server import HEALTH_PATH

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
MAX_BODY_BYTES = 256 * 1024
KEYS_RETRY_SECONDS = 30


def build_web_app(
    conversations: TeamsConversations,
    tokens: TokenCheck,
    on_trouble: Callable[[str], None] | None = None,
) -> web.Application:
    """An aiohttp application serving the bot at /api/messages (and /healthz)."""

    def trouble(line: str) -> None:
        (on_trouble or log.warning)(line)

    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            token = bearer_token(request.headers.get("Authorization"))
            claims = await tokens.claims(token)
        except Refused as exc:
            log.debug("refused a request: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        except KeysUnavailable as exc:
            trouble(str(exc))
            return web.json_response(
                {"error": "cannot check tokens just now"},
                status=503,
                headers={"Retry-After": str(KEYS_RETRY_SECONDS)},
            )
        try:
            body = await request.read()
            raw = json.loads(body)
        except (ValueError, RecursionError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        except web.HTTPRequestEntityTooLarge:
            return web.json_response({"error": "the body is too large"}, status=413)
        try:
            check_service_url(claims, raw.get("serviceUrl") if isinstance(raw, dict) else None)
        except Refused as exc:
            log.debug("refused a request: %s", exc)
            return web.json_response({"error": "unauthorized"}, status=401)
        try:
            activity = Activity.model_validate(raw)
        except (pydantic.ValidationError, TypeError, ValueError, RecursionError):
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            answer = await conversations.on_activity(activity)
        except NotUsable as exc:
            return web.json_response({"error": f"the activity has {exc}"}, status=400)
        except Exception as exc:
            log.error("a Teams activity failed: %s", type(exc).__name__)
            return web.json_response({"error": "internal error"}, status=500)
        if answer.body is None:
            return web.Response(status=answer.status)
        return web.json_response(answer.body, status=answer.status)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post(MESSAGES_PATH, messages)
    web_app.router.add_get(HEALTH_PATH, health)
    return web_app
