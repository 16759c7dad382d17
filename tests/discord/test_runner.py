"""The command line's Discord parts against the fake: sync, invite, start-up checks, gateway URL."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import sys
from pathlib import Path

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket

from adapters.cli import main
from adapters.discord.client import CoachOrTherapyClient, ShardedCoachOrTherapyClient, make_client
from adapters.discord.runner import print_invite, serve_discord, sync_commands
from adapters.runtime import build_runtime
from adapters.settings import Settings
from tests.configured import changed
from tests.conftest import words
from tests.discord.conftest import ALEX, NEEDED, Discord, text_channel
from tests.discord.fake_discord import APP_ID

ROOT = Path(__file__).resolve().parents[2]


def test_sync_registers_one_command_with_a_show_choice(fake, runtime, api_base):
    out = io.StringIO()
    assert sync_commands(runtime, None, out) == 0

    (put,) = fake.calls_for("PUT", r"/commands$")
    assert put.path == f"/applications/{APP_ID}/commands"
    command, admin = put.body
    assert command["name"] == "coach-or-therapy"
    assert admin["name"] == "coach-or-therapy-admin"
    assert command["type"] == 1
    assert len(command["description"]) <= 100
    (option,) = command["options"]
    assert option["name"] == "show"
    assert option["type"] == 3
    assert option["required"] is False
    assert [c["value"] for c in option["choices"]] == ["quiz", "card", "help"]
    assert command["contexts"] == [0, 1]
    assert "/coach-or-therapy" in out.getvalue()


def test_guild_sync_is_for_that_server(fake, runtime, api_base):
    out = io.StringIO()
    assert sync_commands(runtime, 123456789012345678, out) == 0
    (put,) = fake.calls_for("PUT", r"/commands$")
    assert put.path == f"/applications/{APP_ID}/guilds/123456789012345678/commands"
    assert [c["name"] for c in put.body] == ["coach-or-therapy", "coach-or-therapy-admin"]
    assert "server 123456789012345678" in out.getvalue()


def test_guild_sync_uses_discord_guild_id(fake, settings, api_base):
    runtime = build_runtime(changed(settings, discord_guild_id=42))
    assert sync_commands(runtime, None, io.StringIO()) == 0
    (put,) = fake.calls_for("PUT", r"/commands$")
    assert put.path == f"/applications/{APP_ID}/guilds/42/commands"


def test_a_refused_sync_is_one_line(fake, runtime, api_base, capsys):
    fake.fail("PUT", r"/commands$", 403, body={"message": "Missing Access", "code": 50001})
    assert sync_commands(runtime, None, io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "HTTP 403" in err


def test_invite_url_has_exactly_the_needed_permissions(fake, settings, api_base):
    out = io.StringIO()
    assert print_invite(settings, out) == 0
    url = yarl.URL(out.getvalue().strip())
    assert str(url.with_query(None)) == "https://discord.com/oauth2/authorize"
    assert url.query["client_id"] == APP_ID
    assert url.query["scope"] == "bot applications.commands"
    wanted = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 36) | (1 << 38)
    assert int(url.query["permissions"]) == wanted
    assert fake.calls_for("GET", r"/oauth2/applications/@me$")


def test_a_bad_token_is_one_line(fake, settings, api_base, capsys):
    fake.fail("GET", r"/users/@me$", 401, body={"message": "401: Unauthorized", "code": 0})
    assert print_invite(settings, io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN was refused" in err
    assert err.count("\n") == 1


def test_without_a_token_the_bot_says_how_to_get_one(tmp_path, capsys, monkeypatch):
    runtime = build_runtime(Settings(state_secret="s", data_dir=tmp_path))
    assert sync_commands(runtime, None, io.StringIO()) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("DISCORD_", "SLACK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["discord"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("coach-or-therapy: DISCORD_TOKEN is missing")


def test_cli_invite_discord(fake, api_base, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.base)
    monkeypatch.setenv("STATE_SECRET", "a-state-secret-of-enough-length")
    assert main(["invite", "discord"]) == 0
    assert f"client_id={APP_ID}" in capsys.readouterr().out


async def test_login_takes_the_gateway_from_the_rest_base(fake, runtime, api_base):
    client = make_client(runtime)
    await client.login("fake-token")
    try:
        assert yarl.URL(fake.gateway_url) == DiscordWebSocket.DEFAULT_GATEWAY
        assert client.intents == discord.Intents.default()
        assert fake.calls_for("PUT", r"/commands") == [], "commands are never synced on start"
    finally:
        await client.close()


def test_shard_settings_reach_the_sharded_client(settings):
    runtime = build_runtime(changed(settings, discord_shard_count=4, discord_shard_ids=(0, 1)))
    client = make_client(runtime)
    assert isinstance(client, ShardedCoachOrTherapyClient)
    assert isinstance(client, discord.AutoShardedClient)
    assert client.shard_count == 4
    assert client.shard_ids == [0, 1]
    unsharded = make_client(build_runtime(settings))
    assert isinstance(unsharded, CoachOrTherapyClient)
    assert unsharded.shard_count is None, "Discord's recommendation is asked for at start"


@pytest.mark.parametrize("value", ["0", "x"])
def test_bad_shard_count_is_refused_at_start_up(value, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_SHARD_COUNT", value)
    assert main(["invite", "discord"]) == 2
    assert "DISCORD_SHARD_COUNT" in capsys.readouterr().err


async def test_the_bot_serves_over_the_gateway_and_stops_cleanly(fake, runtime, api_base):
    serving = asyncio.create_task(serve_discord(runtime))
    identify = await fake.wait_for_gateway(op=2)
    assert identify["d"]["token"] == "fake-token"
    assert identify["d"]["intents"] == discord.Intents.default().value
    assert identify["d"]["shard"] == [0, 1], "one shard, as the fake's /gateway/bot recommends"

    person = Discord(fake, None)  # type: ignore[arg-type]
    command = person.payload(
        ALEX, 2, {"id": "1", "name": "coach-or-therapy", "type": 1}, text_channel(), NEEDED
    )
    fake.expect_interaction(command["token"], None, command["channel_id"])
    fake.dispatch("INTERACTION_CREATE", command)
    await fake.wait_for("PATCH", r"/messages/@original$")
    assert len(fake.calls_for("POST", r"/channels/\d+/messages$")) == 1
    assert fake.calls_for("PUT", r"/commands") == [], "commands are never synced on start"

    serving.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await serving
    assert await asyncio.to_thread(fake.gateway_closed.wait, 5)


async def test_coach_or_therapy_discord_runs_until_sigterm(fake, tmp_path):
    env = {
        **os.environ,
        "DISCORD_TOKEN": "fake-token",
        "DISCORD_API_URL": fake.base,
        "STATE_SECRET": "a-state-secret-of-enough-length",
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "discord",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for_gateway(op=2)
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 20)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0, err.decode()
    assert await asyncio.to_thread(fake.gateway_closed.wait, 5)
    assert b"Traceback" not in err
    assert b"WARNING" not in err, err.decode()


def test_sync_lists_the_commands_in_each_language_the_content_has(fake, runtime, api_base):
    assert sync_commands(runtime, None, io.StringIO()) == 0
    (put,) = fake.calls_for("PUT", r"/commands$")
    command, admin = put.body
    described = command["description_localizations"]
    assert described["de"] == words("de")["discord.command.description"]
    assert described["fr"] == words("fr")["discord.command.description"]
    # both Spanish clients read the one Spanish content
    assert described["es-ES"] == described["es-419"] == words("es")["discord.command.description"]
    assert command["description"] == words("en")["discord.command.description"]
    (option,) = command["options"]
    assert option["description_localizations"]["de"] == words("de")["discord.command.show"]
    card = next(c for c in option["choices"] if c["value"] == "card")
    assert card["name_localizations"]["fr"] == words("fr")["discord.command.card"]
    assert (
        admin["description_localizations"]["es-419"]
        == words("es")["discord.command.admin_description"]
    )
    # a language the content does not have gets Discord's default, the English
    assert "ja" not in described
