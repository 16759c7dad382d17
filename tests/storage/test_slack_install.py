"""Installing into another workspace through Slack's OAuth flow, and uninstalling again."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import event, func, insert, select, update

from adapters.storage.installations import MOST_LIVE_STATES, STATE_SECONDS
from adapters.storage.interface import Storage, WorkspacePrefs
from adapters.storage.schema import slack_installations, slack_oauth_states
from tests.storage.slack_fake import type_command

CLIENT = {"slack_bot_token": None, "slack_client_id": "111.222", "slack_client_secret": "shh"}


async def install(base: str, code: str = "code-1", back_to: str | None = None) -> tuple[int, str]:
    """What a browser does: open the install page, go to Slack, come back to the redirect URL.

    `back_to` is where Slack sends the browser back (another replica behind the same address).
    """
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{base}/slack/install") as page:
            assert page.status == 200
            html = await page.text()
            cookie = page.headers.get("Set-Cookie", "").split(";")[0]
        link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', html)
        assert link, html
        state = re.search(r"state=([^&\"]+)", link.group(1)).group(1)  # type: ignore[union-attr]
        async with browser.get(
            f"{back_to or base}/slack/oauth_redirect",
            params={"code": code, "state": state},
            headers={"Cookie": cookie},
        ) as back:
            return back.status, await back.text()


async def gone(
    store: SQLAlchemyInstallationStore, storage: Storage, team: str, seconds: float = 10
) -> bool:
    """Whether the bot and the settings are forgotten within `seconds` (Bolt runs event
    listeners after the ack)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (
        store.find_bot(enterprise_id=None, team_id=team) is not None
        or await storage.settings("slack", team) != WorkspacePrefs()
    ):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def first_question(reply: Any) -> bool:
    return isinstance(reply, dict) and "Question 1 of 9" in str(reply.get("blocks"))


async def test_a_workspace_installs_then_uses_it_then_uninstalls(
    serve_stored, installing_slack, engine
):
    stored = await serve_stored(**CLIENT)
    before = await type_command(stored.server, "", team="T2")
    assert not first_question(before)

    status, page = await install(stored.base)
    assert status == 200, page
    access = installing_slack.api_method("oauth.v2.access")
    assert access and access[0]["code"] == "code-1"

    reply = await type_command(stored.server, "", team="T2")
    assert first_question(reply)
    assert "Bearer xoxb-T2-installed" in installing_slack.tokens
    # Only the workspace's bot is kept; the installing person is not.
    with engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(slack_installations))
        assert kept.scalar_one() == 0

    await stored.workspaces.save_settings("slack", "T2", WorkspacePrefs(region="US"))
    status = await stored.server.event({"type": "app_uninstalled"}, team="T2")
    assert status == 200
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    assert await gone(store, stored.workspaces, "T2")
    assert await stored.workspaces.settings("slack", "T2") == WorkspacePrefs()
    assert not first_question(await type_command(stored.server, "", team="T2"))


async def test_a_return_from_slack_without_a_valid_state_installs_nothing(
    serve_stored, installing_slack, engine
):
    stored = await serve_stored(**CLIENT)
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(
            f"{stored.base}/slack/oauth_redirect", params={"code": "c", "state": "forged"}
        ) as back,
    ):
        assert back.status == 400
    assert installing_slack.api_method("oauth.v2.access") == []
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    assert store.find_bot(enterprise_id=None, team_id="T2") is None


async def test_revoking_the_bot_token_forgets_the_workspace(serve_stored, installing_slack, engine):
    stored = await serve_stored(**CLIENT)
    await install(stored.base)
    await stored.workspaces.save_settings("slack", "T2", WorkspacePrefs(region="US"))
    event = {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}
    assert await stored.server.event(event, team="T2") == 200
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=engine)
    assert await gone(store, stored.workspaces, "T2")
    assert await stored.workspaces.settings("slack", "T2") == WorkspacePrefs()
    assert await gone(store, stored.workspaces, "T2")
    assert await stored.workspaces.settings("slack", "T2") == WorkspacePrefs()


def _states(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(slack_oauth_states)).scalar_one()


async def _open_install_pages(base: str, times: int) -> list[int]:
    async with aiohttp.ClientSession() as browser:

        async def visit() -> int:
            async with browser.get(f"{base}/slack/install", allow_redirects=False) as page:
                await page.read()
                return page.status

        return [await visit() for _ in range(times)]


async def test_expired_install_links_are_deleted_when_a_new_one_is_made(serve_stored, engine):
    stored = await serve_stored(**CLIENT)
    long_ago = datetime(2020, 1, 1)
    with engine.begin() as connection:
        connection.execute(
            insert(slack_oauth_states),
            [{"state": f"old-{n}", "expire_at": long_ago} for n in range(500)],
        )
    assert _states(engine) == 500
    assert await _open_install_pages(stored.base, 3) == [200, 200, 200]
    assert _states(engine) == 3
    status, _ = await install(stored.base)
    assert status == 200, "a fresh link still installs"


async def test_install_links_are_bounded_and_the_rest_told_to_come_back_later(
    serve_stored, engine, caplog
):
    caplog.set_level(logging.INFO)
    stored = await serve_stored(**CLIENT)
    statuses = await _open_install_pages(stored.base, MOST_LIVE_STATES + 25)
    assert statuses == [200] * MOST_LIVE_STATES + [429] * 25
    assert _states(engine) == MOST_LIVE_STATES
    refusals = [r for r in caplog.records if "install links refused" in r.getMessage()]
    assert len(refusals) == 1, "one warning for the whole burst"
    async with (
        aiohttp.ClientSession() as browser,
        browser.get(f"{stored.base}/slack/install") as page,
    ):
        assert page.status == 429
        assert page.headers["Retry-After"] == str(STATE_SECONDS)
        assert "try again" in await page.text()
    # ten minutes later the links have expired, and installing works again
    with engine.begin() as connection:
        connection.execute(update(slack_oauth_states).values(expire_at=datetime(2020, 1, 1)))
    status, _ = await install(stored.base)
    assert status == 200
    assert _states(engine) == 0, "the one used was consumed, the expired ones deleted"


async def test_a_workspace_without_the_app_installed_is_told_kindly_and_logged_as_a_warning(
    serve_stored, installing_slack, engine, caplog
):
    caplog.set_level(logging.INFO)
    stored = await serve_stored(**CLIENT)
    reply = await type_command(stored.server, "", team="TGONE")
    assert reply["response_type"] == "ephemeral"
    assert "not installed in this workspace" in reply["text"]
    assert await stored.server.event({"type": "app_home_opened", "user": "U1"}, team="TGONE")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("not installed" in w for w in warnings), warnings
    assert installing_slack.api_method("views.publish") == []
    # an installed workspace is unaffected, and its installation is read once per request
    await install(stored.base)
    lookups: list[str] = []

    def note(connection, cursor, statement, *args):
        if "FROM slack_bots" in statement:
            lookups.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert first_question(await type_command(stored.server, "", team="T2"))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert len(lookups) == 1
