"""Real discord.py clients logged in against a fake Discord REST server on loopback.

Interactions go in the way the gateway delivers them (INTERACTION_CREATE payloads to the client's
parser); what comes out is whatever the fake received, which is what Discord would show.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord.client import CoachOrTherapyClient, make_client
from adapters.runtime import Runtime, build_runtime
from adapters.settings import Settings
from adapters.storage.interface import Storage
from tests.configured import settings_of
from tests.discord.fake_discord import APP_ID, GUILD_ID, FakeDiscord, Message

TEXT_CHANNEL_ID = "700000000000000001"
THREAD_CHANNEL_ID = "700000000000000002"
DM_CHANNEL_ID = "700000000000000003"
NEEDED = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_private_threads=True,
    embed_links=True,
    read_message_history=True,
)
MEMBER = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)
MODERATOR = discord.Permissions(MEMBER.value | discord.Permissions(manage_messages=True).value)

_ids = itertools.count(600000000000000000)


@dataclass(frozen=True)
class Person:
    """Someone on the server."""

    id: str
    name: str
    locale: str = "en-GB"
    roles: tuple[str, ...] = ()
    permissions: discord.Permissions = MEMBER

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.name.lower(),
            "discriminator": "0",
            "avatar": None,
            "global_name": self.name,
        }


ALEX = Person("500000000000000001", "Alex")
SAM = Person("500000000000000002", "Sam")
HR = Person("500000000000000003", "Robin", permissions=MODERATOR)


def text_channel(channel_id: str = TEXT_CHANNEL_ID, name: str = "general") -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": GUILD_ID,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        "flags": 0,
    }


def thread_channel(channel_id: str = THREAD_CHANNEL_ID) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 12,
        "guild_id": GUILD_ID,
        "name": "a thread",
        "parent_id": TEXT_CHANNEL_ID,
        "owner_id": "1",
        "member_count": 1,
        "message_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-01-01T00:00:00+00:00",
            "locked": False,
            "invitable": False,
        },
    }


def dm_channel(person: Person) -> dict[str, Any]:
    return {"id": DM_CHANNEL_ID, "type": 1, "recipients": [person.user()], "flags": 0}


@dataclass
class Seen:
    """What one interaction showed: the message the person now looks at, and every call made."""

    message: Message
    callback: dict[str, Any] | None


class Discord:
    """Feeds gateway interactions to a real client and reads back what the fake received."""

    def __init__(self, fake: FakeDiscord, client: CoachOrTherapyClient) -> None:
        self.fake = fake
        self.client = client
        self.guild_locale = "en-US"
        """What the server's own language is (Discord's default for servers that chose none)."""

    def payload(
        self,
        person: Person,
        kind: int,
        data: dict[str, Any],
        channel: dict[str, Any],
        app_permissions: discord.Permissions,
        message: Message | None = None,
    ) -> dict[str, Any]:
        interaction_id = str(next(_ids))
        # shaped like Discord's: base64 of "interaction:<id>:<secret>", a few hundred characters
        secret = f"interaction:{interaction_id}:{'s' * 40}{interaction_id}".encode()
        token = base64.urlsafe_b64encode(secret * 3).decode().rstrip("=")
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": APP_ID,
            "type": kind,
            "token": token,
            "version": 1,
            "attachment_size_limit": 8388608,
            "locale": person.locale,
            "data": data,
            "channel": channel,
            "channel_id": channel["id"],
            "app_permissions": str(app_permissions.value),
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
        }
        if channel.get("guild_id"):
            payload["guild_id"] = channel["guild_id"]
            payload["guild_locale"] = self.guild_locale
            payload["member"] = {
                "user": person.user(),
                "roles": list(person.roles),
                "permissions": str(person.permissions.value),
                "flags": 0,
                "nick": None,
                "avatar": None,
                "joined_at": "2025-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "pending": False,
                "premium_since": None,
            }
        else:
            payload["user"] = person.user()
            payload["context"] = 1
        if message is not None:
            payload["message"] = message.payload()
        return payload

    def feed(self, payload: dict[str, Any]) -> None:
        source = payload.get("message", {}).get("id")
        self.fake.expect_interaction(payload["token"], source, payload["channel_id"])
        self.client._connection.parsers["INTERACTION_CREATE"](payload)

    async def answered(self, payload: dict[str, Any], timeout: float = 10) -> Seen:
        """Wait until the person sees a reply to this interaction."""
        token = payload["token"]
        visible = (
            rf"/(interactions/\d+/{token}/callback|webhooks/\d+/{token}(/messages/@original)?)$"
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            calls = [
                c
                for c in self.fake.calls_for("POST", visible)
                + self.fake.calls_for("PATCH", visible)
                if not (c.path.endswith("/callback") and c.body["type"] in (5, 6))
            ]
            if calls:
                await asyncio.sleep(0.02)
                record = self.fake.interactions[token]
                callback = next(
                    (
                        c.body
                        for c in self.fake.calls_for("POST", visible)
                        if c.path.endswith("/callback")
                    ),
                    None,
                )
                followups = [
                    c
                    for c in self.fake.calls_for("POST", visible)
                    if not c.path.endswith("callback")
                ]
                if followups:
                    latest = [
                        m
                        for m in self.fake.messages.values()
                        if m.channel_id == payload["channel_id"]
                    ][-1]
                    return Seen(latest, callback)
                return Seen(self.fake.messages[record.original or ""], callback)
            await asyncio.sleep(0.002)
        raise AssertionError(f"no reply to the interaction; calls: {self.fake.summary()}")

    async def command(
        self,
        person: Person,
        show: str | None = None,
        channel: dict[str, Any] | None = None,
        app_permissions: discord.Permissions = NEEDED,
    ) -> Seen:
        """/coach-or-therapy [show], typed by `person` in `channel`."""
        data: dict[str, Any] = {"id": "400000000000000001", "name": "coach-or-therapy", "type": 1}
        if show is not None:
            data["options"] = [{"name": "show", "type": 3, "value": show}]
        payload = self.payload(person, 2, data, channel or text_channel(), app_permissions)
        self.feed(payload)
        return await self.answered(payload)

    def click_payload(
        self,
        person: Person,
        message: Message,
        label: str,
        channel: dict[str, Any] | None = None,
        app_permissions: discord.Permissions = NEEDED,
    ) -> dict[str, Any]:
        custom_id = message.button(label)["custom_id"]
        data = {"custom_id": custom_id, "component_type": 2}
        if channel is None:
            channel = self.channel_of(message)
        return self.payload(person, 3, data, channel, app_permissions, message)

    async def click(
        self,
        person: Person,
        message: Message,
        label: str,
        channel: dict[str, Any] | None = None,
        app_permissions: discord.Permissions = NEEDED,
    ) -> Seen:
        """`person` presses the button labelled `label` on `message`."""
        payload = self.click_payload(person, message, label, channel, app_permissions)
        self.feed(payload)
        return await self.answered(payload)

    def channel_of(self, message: Message) -> dict[str, Any]:
        if message.channel_id in self.fake.threads:
            return {
                **thread_channel(message.channel_id),
                "name": self.fake.threads[message.channel_id]["name"],
            }
        if message.channel_id == DM_CHANNEL_ID:
            return {"id": DM_CHANNEL_ID, "type": 1, "flags": 0}
        return text_channel(message.channel_id)

    def thread_messages(self) -> list[Message]:
        """Every message posted in a thread the bot opened."""
        return [m for m in self.fake.messages.values() if m.channel_id in self.fake.threads]


@pytest.fixture
def fake() -> Iterator[FakeDiscord]:
    server = FakeDiscord().start()
    yield server
    server.stop()


@pytest.fixture
def api_base(fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> str:
    """discord.py's REST base pointed at the fake (and restored afterwards)."""
    monkeypatch.setattr(discord.http.Route, "BASE", fake.base)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    return fake.base


@pytest.fixture
def settings(tmp_path: Any, fake: FakeDiscord) -> Settings:
    return settings_of(
        discord_token="fake-token",
        discord_api_url=fake.base,
        state_secret="discord-test-secret",
        data_dir=tmp_path,
        default_region="GB",
    )


@pytest.fixture
def runtime(settings: Settings) -> Runtime:
    return build_runtime(settings)


async def logged_in(runtime: Runtime, workspaces: Storage | None = None) -> CoachOrTherapyClient:
    client = make_client(runtime, workspaces)
    await client.login("fake-token")
    return client


@pytest.fixture
async def bot(fake: FakeDiscord, runtime: Runtime, api_base: str) -> AsyncIterator[Discord]:
    client = await logged_in(runtime)
    yield Discord(fake, client)
    await client.close()
