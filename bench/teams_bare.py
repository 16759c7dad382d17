"""The bare handler the Teams benchmark compares against, run as a process of its own.

A plain aiohttp endpoint at /api/messages on the same SDK our bot uses (the Agents SDK's activity
schema to read each request, its ConnectorClient to reply), as the SDK's samples wire one. It
sends the cards of a recorded walk-through (recorded from coach-or-therapy itself, so the bytes
are the same), keeps each person's step in a dict, and answers each click's invoke with the next
card. It checks no token (the SDK's own validator fetches Microsoft's keys from fixed addresses),
so what it saves is the signature check our bot makes on every request. It imports nothing of
coach-or-therapy.

    TEAMS_APP_ID=... TEAMS_APP_PASSWORD=... TEAMS_TOKEN_URL=... PORT=... \\
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
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core.connector.client import ConnectorClient

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


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

    async def messages(request: web.Request) -> web.Response:
        activity = Activity.model_validate(await request.json())
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
    web.run_app(
        build(script), host="127.0.0.1", port=int(os.environ["PORT"]), print=None, access_log=None
    )


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
