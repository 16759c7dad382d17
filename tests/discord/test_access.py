"""Who may post the card: Manage Messages by default, or the roles and channels a server chose."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from adapters.discord.access import Poster, card_refusal
from adapters.discord.runner import serve_discord
from adapters.runtime import build_runtime
from adapters.settings import load_settings
from tests.configured import changed
from tests.discord.conftest import (
    ALEX,
    MODERATOR,
    NEEDED,
    Discord,
    Person,
    logged_in,
    text_channel,
    thread_channel,
)
from tests.discord.fake_discord import GUILD_ID


def poster(
    manage: bool = False,
    roles: tuple[int, ...] = (),
    names: tuple[str, ...] = (),
    channel: str = "general",
    in_server: bool = True,
) -> Poster:
    return Poster(in_server, roles, names, manage, 77, channel)


@pytest.mark.parametrize(
    ("who", "roles", "channels", "expected"),
    [
        (poster(manage=True), (), (), None),
        (poster(), (), (), "card_not_allowed"),
        (poster(in_server=False), (), (), None),
        (poster(roles=(5,)), ("5",), (), None),
        (poster(names=("People Team",)), ("@people team",), (), None),
        (poster(manage=True), ("5",), (), "card_not_allowed"),
        (poster(manage=True, channel="general"), (), ("#wellbeing",), "card_not_here"),
        (poster(manage=True, channel="wellbeing"), (), ("#wellbeing",), None),
        (poster(manage=True), (), ("77",), None),
    ],
)
def test_card_refusal(who, roles, channels, expected):
    assert card_refusal(who, roles, channels) == expected


async def test_a_configured_role_may_post_the_card(fake, settings, api_base):
    runtime = build_runtime(changed(settings, discord_card_roles=("4242",)))
    client = await logged_in(runtime)
    try:
        bot = Discord(fake, client)
        hr = Person("500000000000000009", "Kim", roles=("4242",))
        seen = await bot.command(hr, show="card")
        assert seen.message.embeds and not seen.message.ephemeral
        refused = await bot.command(ALEX, show="card")
        assert refused.callback["data"]["flags"] == 64
    finally:
        await client.close()


async def test_the_card_only_goes_to_configured_channels(fake, settings, api_base):
    runtime = build_runtime(changed(settings, discord_card_channels=("wellbeing",)))
    client = await logged_in(runtime)
    try:
        bot = Discord(fake, client)
        hr = Person("500000000000000009", "Kim", permissions=MODERATOR)
        refused = await bot.command(hr, show="card")
        assert "can't be posted in this channel" in refused.callback["data"]["content"]
        seen = await bot.command(
            hr, show="card", channel=text_channel("700000000000000010", "wellbeing")
        )
        assert seen.message.embeds
    finally:
        await client.close()


PEOPLE_TEAM = "910000000000000777"


def _guild(channels: list[dict]) -> dict:
    """A GUILD_CREATE payload: the server, its roles (one named People Team) and its channels."""
    role = {
        "id": PEOPLE_TEAM,
        "name": "People Team",
        "permissions": "0",
        "position": 1,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    everyone = {**role, "id": GUILD_ID, "name": "@everyone", "position": 0}
    return {
        "id": GUILD_ID,
        "name": "Test server",
        "icon": None,
        "owner_id": "1",
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [everyone, role],
        "emojis": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_flags": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "nsfw_level": 0,
        "unavailable": False,
        "member_count": 2,
        "members": [],
        "channels": channels,
        "threads": [],
        "stickers": [],
        "joined_at": "2025-01-01T00:00:00+00:00",
        "large": False,
    }


@pytest.mark.parametrize(
    ("roles", "channels"),
    [("People Team", "wellbeing"), ("@people team", "#Wellbeing"), (PEOPLE_TEAM, "wellbeing")],
)
async def test_card_roles_and_channels_may_be_names_as_the_readme_says(
    fake, tmp_path, api_base, roles, channels
):
    settings = load_settings(
        {
            "DISCORD_TOKEN": "fake-token",
            "DISCORD_API_URL": fake.base,
            "STATE_SECRET": "discord-test-secret",
            "DATA_DIR": str(tmp_path),
            "DISCORD_CARD_ROLES": roles,
            "DISCORD_CARD_CHANNELS": channels,
        },
        None,
    )
    wellbeing = text_channel("700000000000000010", "wellbeing")
    general = text_channel()
    thread = {**thread_channel("700000000000000011"), "name": "wellbeing"}
    serving = asyncio.create_task(serve_discord(build_runtime(settings)))
    try:
        await fake.wait_for_gateway(op=2)
        fake.dispatch("GUILD_CREATE", _guild([wellbeing, general]))
        bot = Discord(fake, None)  # type: ignore[arg-type]
        kim = Person("500000000000000009", "Kim", roles=(PEOPLE_TEAM,))

        async def card(person: Person, channel: dict) -> dict:
            data = {"id": "400000000000000001", "name": "coach-or-therapy", "type": 1}
            data["options"] = [{"name": "show", "type": 3, "value": "card"}]
            payload = bot.payload(person, 2, data, channel, NEEDED)
            fake.expect_interaction(payload["token"], None, payload["channel_id"])
            fake.dispatch("INTERACTION_CREATE", payload)
            return (await bot.answered(payload)).callback or {}

        posted = await card(kim, wellbeing)
        assert posted["type"] == 4 and not posted["data"].get("flags"), "the card, for everyone"
        assert posted["data"]["embeds"]
        for who, where in ((kim, general), (kim, thread), (ALEX, wellbeing)):
            refused = await card(who, where)
            assert refused["data"].get("flags") == 64, (who.name, where["name"])
            assert not refused["data"].get("embeds")
    finally:
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
