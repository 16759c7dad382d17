"""The bare handler the Teams benchmark compares against, run as a process of its own.

A plain aiohttp endpoint at /api/messages on the same SDK our bot uses (the Agents SDK's activity
schema to read each request, its ConnectorClient to reply), as the SDK's samples wire one. It
sends the cards of a recorded walk-through (recorded from coach-or-therapy itself, so the bytes
are the same), keeps each person's step in a dict, and answers each click's invoke with the next
card. Every request's token is checked by the SDK's own validator (`JwtTokenValidator`: the
RS256 signature against the JWKS, the audience, expiry), as its aiohttp hosting does, and its
`serviceurl` claim compared with the activity's; the only change is where the validator fetches
the Bot Framework's keys: the SDK names Microsoft's address in a table, which here names the JWKS
that TEAMS_OPENID_URL's metadata points to (the loopback fake). A bad token is a 401. It imports
nothing of coach-or-therapy.

    TEAMS_APP_ID=... TEAMS_APP_PASSWORD=... TEAMS_OPENID_URL=... TEAMS_TOKEN_URL=... PORT=... \\
        .venv/bin/python bench/teams_bare.py SCRIPT.json

SCRIPT.json is {"first": <the first message's card>, "replies": [<each click's card>]}.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from jwt import PyJWTError
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization.jwt import jwt_token_validator
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import JwtTokenValidator
from microsoft_agents.hosting.core.connector.client import ConnectorClient

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


async def point_the_validator_at_the_keys() -> None:
    """Have the SDK's validator take the Bot Framework's keys from TEAMS_OPENID_URL's JWKS."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(os.environ["TEAMS_OPENID_URL"]) as response,
    ):
        jwks_uri = (await response.json())["jwks_uri"]
    jwt_token_validator.BOTFRAMEWORK_JWKS_URIS[BOT_FRAMEWORK_ISSUER] = jwks_uri


async def bot_token(session: aiohttp.ClientSession) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": os.environ["TEAMS_APP_ID"],
        "client_secret": os.environ["TEAMS_APP_PASSWORD"],
        "scope": "https://api.botframework.com/.default",
    }
    async with session.post(os.environ["TEAMS_TOKEN_URL"], data=form) as response:
        token: str = (await response.json())["access_token"]
        return token


def build(script: dict[str, Any]) -> web.Application:
    progress: dict[str, int] = {}
    clients: dict[str, ConnectorClient] = {}
    token: list[str] = []
    validator = JwtTokenValidator(AgentAuthConfiguration(client_id=os.environ["TEAMS_APP_ID"]))

    async def messages(request: web.Request) -> web.Response:
        scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise ValueError("no bearer token")
            claims = await validator.validate_token(bearer)
        except (PyJWTError, ValueError):
            return web.json_response({"error": "unauthorized"}, status=401)
        activity = Activity.model_validate(await request.json())
        if claims.claims.get("serviceurl") != activity.service_url:
            return web.json_response({"error": "unauthorized"}, status=401)
        user = activity.from_property.id if activity.from_property else ""
        if activity.type == "message":
            progress[user] = 0
            service_url = activity.service_url or ""
            if service_url not in clients:
                if not token:
                    async with aiohttp.ClientSession() as session:
                        token.append(await bot_token(session))
                session = aiohttp.ClientSession(base_url=service_url.rstrip("/") + "/")
                clients[service_url] = ConnectorClient(service_url, token[0], session=session)
            reply = Activity.model_validate(
                {
                    "type": "message",
                    "attachments": [{"contentType": CARD_TYPE, "content": script["first"]}],
                }
            )
            assert activity.conversation is not None and activity.id is not None
            await clients[service_url].conversations.reply_to_activity(
                activity.conversation.id, activity.id, reply
            )
            return web.Response(status=200)
        if activity.type == "invoke" and activity.name == "adaptiveCard/action":
            step = progress[user]
            progress[user] = step + 1
            card = script["replies"][step]
            return web.json_response({"statusCode": 200, "type": CARD_TYPE, "value": card})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def main() -> None:
    script = json.loads(Path(sys.argv[1]).read_text())
    asyncio.get_event_loop().run_until_complete(point_the_validator_at_the_keys())
    web.run_app(
        build(script), host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
