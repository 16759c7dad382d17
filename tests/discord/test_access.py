"""Who may post the card: Manage Messages by default, or the roles and channels a server chose."""

from __future__ import annotations

import pytest

from adapters.discord.access import Poster, card_refusal
from adapters.runtime import build_runtime
from bot.settings import Settings
from tests.discord.conftest import ALEX, MODERATOR, Discord, Person, logged_in, text_channel


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
    runtime = build_runtime(Settings(**{**settings.__dict__, "discord_card_roles": ("4242",)}))
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
    runtime = build_runtime(
        Settings(**{**settings.__dict__, "discord_card_channels": ("wellbeing",)})
    )
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
