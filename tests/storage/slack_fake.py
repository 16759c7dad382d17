"""The Slack test fake, taught the few Web API methods installing and admin commands use."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from aiohttp import web

from tests.loopback import listen
from tests.slack.conftest import Call, FakeSlack, SlackServer


@dataclass
class InstallingSlack(FakeSlack):
    """Also answers users.info (who is an admin) and oauth.v2.access (which team installs)."""

    admins: set[str] = field(default_factory=set)
    installing_team: str = "T2"
    tokens: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.tokens.append(request.headers.get("Authorization", ""))
        method = request.path.removeprefix("/api/")
        if method not in ("users.info", "oauth.v2.access"):
            return await super().handle(request)
        body = {k: v[0] for k, v in parse_qs(await request.text()).items()}
        body.update(request.query)
        async with self._arrived:
            self.calls.append(Call(request.path, body))
            self._arrived.notify_all()
        if method == "users.info":
            user = body.get("user", "")
            return web.json_response(
                {
                    "ok": True,
                    "user": {
                        "id": user,
                        "is_admin": user in self.admins,
                        "is_owner": False,
                        "is_primary_owner": False,
                    },
                }
            )
        team = self.installing_team
        return web.json_response(
            {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "commands,chat:write,chat:write.public,users:read",
                "token_type": "bot",
                "access_token": f"xoxb-{team}-installed",
                "bot_user_id": "UBOT",
                "team": {"id": team, "name": f"Team {team}"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        )


async def serve_fake(fake: InstallingSlack) -> AsyncIterator[InstallingSlack]:
    """Serve the fake on a loopback port (GET too: some Web API methods use it)."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    runner, fake.base = await listen(app)
    try:
        yield fake
    finally:
        await runner.cleanup()


async def type_command(server: SlackServer, text: str, user: str = "U1", team: str = "T1") -> Any:
    """Type `/coach-or-therapy <text>`; the ack body (None when the ack was empty)."""
    body = urlencode(
        {
            "team_id": team,
            "channel_id": "C0123ABCD",
            "user_id": user,
            "command": "/coach-or-therapy",
            "text": text,
            "api_app_id": "A1",
            "response_url": server.fake.response_url(),
            "trigger_id": "trigger-1",
        }
    )
    status, reply = await server.post(body, "application/x-www-form-urlencoded")
    assert status == 200, reply
    return json.loads(reply) if reply else None


async def submit_view(
    server: SlackServer, values: dict[str, Any], user: str = "U1", team: str = "T1"
) -> Any:
    """Press Save on the settings modal with these block values; the ack body (None if empty)."""
    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "trigger_id": "trigger-2",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "cot_settings",
            "private_metadata": "",
            "hash": "h",
            "state": {"values": values},
        },
    }
    body = urlencode({"payload": json.dumps(payload)})
    status, reply = await server.post(body, "application/x-www-form-urlencoded")
    assert status == 200, reply
    return json.loads(reply) if reply else None
