"""Discord: members with Manage Server change the server's settings and read its totals."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from adapters.storage import rows
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.rows import month_of
from adapters.storage.stats import shown
from adapters.storage.store import DatabaseStorage
from tests.conftest import words
from tests.discord.conftest import (  # noqa: F401  (fixtures)
    MEMBER,
    Discord,
    Person,
    api_base,
    fake,
    logged_in,
    runtime,
    settings,
    text_channel,
)
from tests.discord.fake_discord import GUILD_ID
from tests.storing import last_month, shown_for

OWNER = Person(
    "500000000000000009",
    "Sam",
    permissions=discord.Permissions(MEMBER.value | discord.Permissions(manage_guild=True).value),
)
ALEX = Person("500000000000000001", "Alex")
ROLE = "123456789012345678"


@pytest.fixture
async def admin_bot(fake, runtime, api_base, engine) -> AsyncIterator[tuple[Discord, Any]]:  # noqa: F811
    workspaces = DatabaseStorage(engine)
    client = await logged_in(runtime, workspaces)
    yield Discord(fake, client), workspaces
    await client.close()


def admin_command(bot: Discord, person: Person, action: str) -> dict[str, Any]:
    data = {
        "id": "400000000000000002",
        "name": "coach-or-therapy-admin",
        "type": 1,
        "options": [{"name": "action", "type": 3, "value": action}],
    }
    payload = bot.payload(person, 2, data, text_channel(), discord.Permissions.all())
    bot.feed(payload)
    return payload


async def callback(bot: Discord, payload: dict[str, Any]) -> dict[str, Any]:
    """The interaction's first response, as Discord received it."""
    pattern = rf"/interactions/\d+/{payload['token']}/callback$"
    for _ in range(500):
        calls = bot.fake.calls_for("POST", pattern)
        if calls:
            return calls[0].body
        await asyncio.sleep(0.01)
    raise AssertionError(f"no response; calls: {bot.fake.summary()}")


def said(reply: dict[str, Any]) -> tuple[int, str, int]:
    """A message response as (type, text, flags): 64 means only the person sees it."""
    return reply["type"], reply["data"].get("content"), reply["data"].get("flags", 0)


async def submit(
    bot: Discord, person: Person, modal: dict[str, Any], **values: str
) -> dict[str, Any]:
    """Fill in the form Discord showed and press Submit.

    Discord shows a form once the bot's answer has come back, so no one can submit it before
    the bot holds it; here the fake answers at once, and the submission waits for that too.
    """
    forms = bot.client._connection._view_store._modals
    for _ in range(1000):
        if modal["custom_id"] in forms:
            break
        await asyncio.sleep(0.01)
    rows = []
    for row in modal["components"]:
        for field in row["components"]:
            name = field["custom_id"]
            value = values.get(field["label"], field.get("value", ""))
            rows.append({"type": 1, "components": [{"type": 4, "custom_id": name, "value": value}]})
    data = {"custom_id": modal["custom_id"], "components": rows}
    payload = bot.payload(person, 5, data, text_channel(), discord.Permissions.all())
    bot.feed(payload)
    return payload


async def test_members_without_manage_server_are_refused_privately(admin_bot):
    bot, _ = admin_bot
    for action in ("settings", "stats"):
        reply = await callback(bot, admin_command(bot, ALEX, action))
        assert said(reply) == (4, words("en")["discord.admin.not_admin"], 64)


async def test_the_command_is_registered_for_manage_server_in_servers_only(admin_bot):
    bot, _ = admin_bot
    command = bot.client.tree.get_command("coach-or-therapy-admin")
    payload = command.to_dict(bot.client.tree)
    assert (
        int(payload["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    )
    assert payload["contexts"] == [0]


async def test_the_form_opens_filled_in_and_saves_what_people_then_see(admin_bot):
    bot, workspaces = admin_bot
    await workspaces.save_settings(
        "discord", GUILD_ID, WorkspacePrefs(eap_contact="Call HR on 1234")
    )
    await bot.command(ALEX)
    (before,) = bot.thread_messages()
    assert "call 999" in (await bot.click(ALEX, before, "Get help now")).message.content
    reply = await callback(bot, admin_command(bot, OWNER, "settings"))
    assert reply["type"] == 9
    modal = reply["data"]
    shown = {f["label"]: f.get("value") for row in modal["components"] for f in row["components"]}
    assert shown["EAP contact"] == "Call HR on 1234"
    assert shown["Region for urgent helplines"] in (None, "")

    saved = await bot.answered(
        await submit(
            bot,
            OWNER,
            modal,
            **{"Region for urgent helplines": "us", "Roles that may post the card": ROLE},
        ),
    )
    # the answer is deferred first, so a slow database cannot outlast Discord's 3 seconds
    assert saved.callback == {"type": 5, "data": {"flags": 64}}
    assert saved.message.content == words("en")["discord.admin.saved"]
    assert await workspaces.settings("discord", GUILD_ID) == WorkspacePrefs(
        region="US", eap_contact="Call HR on 1234", card_roles=(ROLE,)
    )

    await bot.command(ALEX)
    message = bot.thread_messages()[-1]
    seen = await bot.click(ALEX, message, "Get help now")
    assert "call 911" in seen.message.content
    assert "Call HR on 1234" in seen.message.content


async def test_wrong_input_saves_nothing_and_says_what_to_fix(admin_bot):
    bot, workspaces = admin_bot
    modal = (await callback(bot, admin_command(bot, OWNER, "settings")))["data"]
    reply = await bot.answered(
        await submit(
            bot,
            OWNER,
            modal,
            **{"Region for urgent helplines": "ZZ", "EAP contact": "http://x.example.com"},
        ),
    )
    text = reply.message.content
    assert text.startswith("Nothing was saved. Please fix:")
    assert "• Region for urgent helplines: We have no helplines for 'ZZ'" in text
    assert "• EAP contact: A link here must start with https://" in text
    assert reply.callback == {"type": 5, "data": {"flags": 64}}
    assert await workspaces.settings("discord", GUILD_ID) == WorkspacePrefs()


async def test_the_totals_are_rounded_and_this_month_is_held_back(admin_bot):
    bot, workspaces = admin_bot
    month = last_month()
    rows.add_counts(workspaces.engine, Counter({("discord", GUILD_ID, month, "started"): 12}))
    for _ in range(5):
        await bot.command(ALEX)
    seen = await bot.answered(admin_command(bot, OWNER, "stats"))
    assert seen.message.ephemeral or seen.callback == {"type": 5, "data": {"flags": 64}}
    started = shown_for(workspaces.engine, "discord", GUILD_ID, month, "started", 12)
    assert f"Walk-throughs started: {shown(started, words('en'))}" in seen.message.content
    assert "Finished: fewer than 5" in seen.message.content
    assert month in seen.message.content
    assert month_of(time.time()) not in seen.message.content


async def test_uk_typed_in_the_form_is_saved_as_gb(admin_bot):
    bot, workspaces = admin_bot
    modal = (await callback(bot, admin_command(bot, OWNER, "settings")))["data"]
    submitted = await submit(bot, OWNER, modal, **{"Region for urgent helplines": "uk"})
    saved = await bot.answered(submitted)
    assert saved.message.content == words("en")["discord.admin.saved"]
    assert (await workspaces.settings("discord", GUILD_ID)).region == "GB"
