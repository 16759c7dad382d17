"""The Slack test fake, taught the few Web API methods installing and admin commands use."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from tests.loopback import listen
from tests.slack.conftest import FakeSlack, SlackServer

AUTH_TEST = {"url": "https://test.slack.com/", "user": "coach-or-therapy", "user_id": "UBOT"}


@dataclass
class InstallingSlack(FakeSlack):
    """Also answers users.info (who is an admin, and where) and oauth.v2.access (who installs).

    A person's own workspace is `homes[user]`, else the workspace of the bot token asking
    (``xoxb-T2-installed`` asks from T2), else T1.
    """

    admins: set[str] = field(default_factory=set)
    homes: dict[str, str] = field(default_factory=dict)
    installing_team: str = "T2"
    tokens: list[str] = field(default_factory=list)

    def _home(self, user: str, authorization: str) -> str:
        if user in self.homes:
            return self.homes[user]
        token = authorization.removeprefix("Bearer ")
        if token.startswith("xoxb-") and token.endswith("-installed"):
            return token.removeprefix("xoxb-").removesuffix("-installed")
        return "T1"

    async def handle(self, request: web.Request) -> web.Response:
        self.tokens.append(request.headers.get("Authorization", ""))
        return await super().handle(request)

    async def answer(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        method = request.path.removeprefix("/api/")
        if method not in ("users.info", "oauth.v2.access", "auth.test"):
            return await super().answer(request, body)
        if method == "auth.test":
            # a token answers for the workspace it was installed into
            team = self._home("", request.headers.get("Authorization", ""))
            return web.json_response({"ok": True, **AUTH_TEST, "team_id": team, "team": team})
        if method == "users.info":
            user = body.get("user", "")
            return web.json_response(
                {
                    "ok": True,
                    "user": {
                        "id": user,
                        "team_id": self._home(user, request.headers.get("Authorization", "")),
                        "is_admin": user in self.admins,
                        "is_owner": False,
                        "is_primary_owner": False,
                        **({"locale": self.locales[user]} if user in self.locales else {}),
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


async def admin_reply(
    server: SlackServer, text: str, user: str = "U1", team: str = "T1"
) -> dict[str, Any]:
    """Type an admin command: Slack gets an empty ack at once, then the answer at the
    command's response_url, which is returned."""
    response_url = server.fake.response_url()
    body = urlencode(
        {
            "team_id": team,
            "channel_id": "C0123ABCD",
            "user_id": user,
            "command": "/coach-or-therapy",
            "text": text,
            "api_app_id": "A1",
            "response_url": response_url,
            "trigger_id": "trigger-1",
        }
    )
    status, ack = await server.post(body, "application/x-www-form-urlencoded")
    assert (status, ack) == (200, ""), ack
    return (await server.fake.wait_for(response_url))[0]


def view_ids(team: str = "T1") -> dict[str, Any]:
    """Every workspace id a settings submission carries, all naming one workspace."""
    return {
        "team": {"id": team, "domain": "test"},
        "user_team": team,
        "view_team": team,
        "installed_team": team,
        "opened_for": team,
    }


async def submit_view(
    server: SlackServer,
    values: dict[str, Any],
    user: str = "U1",
    team: str = "T1",
    ids: dict[str, Any] | None = None,
) -> Any:
    """Press Save on the settings modal with these block values; the ack body (None if empty).

    `ids` replaces the workspace ids the payload carries (see view_ids)."""
    chosen = {**view_ids(team), **(ids or {})}
    payload = {
        "type": "view_submission",
        "team": chosen["team"],
        "user": {"id": user, "team_id": chosen["user_team"]},
        "api_app_id": "A1",
        "trigger_id": "trigger-2",
        "view": {
            "id": "V1",
            "type": "modal",
            "team_id": chosen["view_team"],
            "app_installed_team_id": chosen["installed_team"],
            "callback_id": "cot_settings",
            "private_metadata": chosen["opened_for"],
            "hash": "h",
            "state": {"values": values},
        },
    }
    body = urlencode({"payload": json.dumps(payload)})
    status, reply = await server.post(body, "application/x-www-form-urlencoded")
    assert status == 200, reply
    return json.loads(reply) if reply else None


async def form_outcome(fake: FakeSlack, n: int = 1) -> str:
    """What the settings form says once it has finished (its n-th views.update)."""
    updates = await fake.wait_for(fake.api_url + "views.update", n)
    return str(updates[n - 1]["view"]["blocks"][0]["text"]["text"])
