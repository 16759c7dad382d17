"""`coach-or-therapy post-card`, `manifest slack` and `card --format slack`, run as people do."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.manifest import print_manifest
from tests.loopback import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]


async def run_cli(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        *args,
        cwd=cwd,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


def slack_env(fake, tmp_path):
    return {
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake.api_url,
        "STATE_SECRET": "state-secret-for-the-tests",
        "DATA_DIR": str(tmp_path),
    }


async def test_post_card_posts_the_card(fake_slack, tmp_path):
    code, out, err = await run_cli(
        "post-card", "--slack-channel", "C0HR", env=slack_env(fake_slack, tmp_path), cwd=tmp_path
    )
    assert code == 0, err
    assert "Posted the comparison card to C0HR" in out
    posted = fake_slack.api_method("chat.postMessage")
    assert len(posted) == 1
    assert posted[0]["channel"] == "C0HR"
    assert posted[0]["text"] == "Coaching and therapy, side by side"
    rows = [b for b in posted[0]["blocks"] if b.get("block_id", "").startswith("row-")]
    assert len(rows) == 17


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("not_in_channel", "/invite @coach-or-therapy"),
        ("channel_not_found", "check the id"),
        ("invalid_auth", "SLACK_BOT_TOKEN was not accepted"),
    ],
)
async def test_post_card_errors_become_one_line_with_the_fix(fake_slack, tmp_path, error, fix):
    fake_slack.api_errors["chat.postMessage"] = error
    code, _, err = await run_cli(
        "post-card", "--slack-channel", "C0HR", env=slack_env(fake_slack, tmp_path), cwd=tmp_path
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert error in lines[0] and fix in lines[0]
    assert "Traceback" not in err


async def test_post_card_retries_a_500_then_posts(fake_slack, tmp_path):
    fake_slack.fail("/api/chat.postMessage", 500)
    code, _, err = await run_cli(
        "post-card", "--slack-channel", "C0HR", env=slack_env(fake_slack, tmp_path), cwd=tmp_path
    )
    assert code == 0, err
    assert len(fake_slack.api_method("chat.postMessage")) == 2


async def test_post_card_without_a_token_says_what_to_set(tmp_path):
    code, _, err = await run_cli(
        "post-card", "--slack-channel", "C0HR", env={"DATA_DIR": str(tmp_path)}, cwd=tmp_path
    )
    assert code == 2
    assert "SLACK_BOT_TOKEN" in err and "Traceback" not in err


async def test_post_card_when_slack_is_unreachable(tmp_path):
    env = {
        "SLACK_BOT_TOKEN": "xoxb-t",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "DATA_DIR": str(tmp_path),
    }
    code, _, err = await run_cli("post-card", "--slack-channel", "C1", env=env, cwd=tmp_path)
    assert code == 1
    assert "could not reach Slack" in err and "Traceback" not in err


def test_manifest_for_socket_mode():
    out = io.StringIO()
    assert print_manifest(socket=True, url=None, out=out) == 0
    manifest = yaml.safe_load(out.getvalue())
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert manifest["features"]["slash_commands"][0]["command"] == "/coach-or-therapy"
    assert "url" not in manifest["features"]["slash_commands"][0]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "commands",
        "chat:write",
        "chat:write.public",
        "users:read",
    ]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
    ]


def test_manifest_for_http_points_every_url_at_the_events_path():
    out = io.StringIO()
    assert print_manifest(socket=False, url="https://bot.example.com/", out=out) == 0
    manifest = yaml.safe_load(out.getvalue())
    url = "https://bot.example.com/slack/events"
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert manifest["features"]["slash_commands"][0]["url"] == url
    assert manifest["settings"]["interactivity"]["request_url"] == url
    assert manifest["settings"]["event_subscriptions"]["request_url"] == url
    command = manifest["features"]["slash_commands"][0]["command"]
    assert 2 <= len(command.lstrip("/")) <= 32


def test_manifest_refuses_a_url_that_is_not_https(capsys):
    assert print_manifest(socket=False, url="http://bot.example.com", out=io.StringIO()) == 2
    assert "https" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.com?x=1",
        "https://bot.example.com/?x=1",
        "https://bot.example.com?",
        "https://bot.example.com#top",
        "https://bot.example.com/coach#",
        "https://user:secret@bot.example.com",
        "https://bot.example.com/co ach",
        "https://bot.example.com:99999",
        "https://",
        "https://bot.example.com;[",
    ],
)
def test_manifest_refuses_a_url_no_path_can_be_added_to_in_one_line(capsys, url):
    out = io.StringIO()
    assert print_manifest(socket=False, url=url, out=out) == 2
    err = capsys.readouterr().err
    assert err.startswith("coach-or-therapy: --url ")
    assert err.count("\n") == 1
    assert out.getvalue() == ""


_URL_CHARACTERS = st.characters(codec="utf-8", exclude_categories=["Cs"])


@settings(max_examples=300, deadline=None)
@given(
    host=st.from_regex(
        r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}", fullmatch=True
    ),
    port=st.one_of(st.just(""), st.integers(0, 70000).map(lambda n: f":{n}")),
    # what follows the host and port starts a path, a query, a fragment, or garbles the host
    rest=st.one_of(
        st.just(""),
        st.tuples(
            st.sampled_from(["/", "?", "#", ";", "@", ":", "%"]),
            st.text(_URL_CHARACTERS, max_size=30),
        ).map("".join),
    ),
)
def test_every_url_the_manifest_takes_yields_request_urls_under_it(host, port, rest):
    url = f"https://{host}{port}{rest}"
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = print_manifest(socket=False, url=url, out=out)
    if code == 2:
        assert err.getvalue().count("\n") == 1
        assert out.getvalue() == ""
        return
    assert code == 0
    request_url = yaml.safe_load(out.getvalue())["settings"]["event_subscriptions"]["request_url"]
    parts = urlsplit(request_url)
    assert parts.scheme == "https"
    assert parts.netloc == urlsplit(url).netloc
    assert parts.hostname is not None and parts.hostname.startswith(host)
    assert parts.path.endswith("/slack/events")
    assert parts.query == "" and parts.fragment == ""
    assert request_url == url.rstrip("/") + "/slack/events"


async def test_card_format_slack_prints_a_postable_payload(tmp_path):
    code, out, err = await run_cli(
        "card", "--format", "slack", env={"DATA_DIR": str(tmp_path)}, cwd=tmp_path
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["text"] and len(payload["blocks"]) <= 50


async def test_slack_command_serves_http_and_stops_cleanly_on_sigterm(fake_slack, tmp_path):
    import signal

    from tests.slack.conftest import SIGNING_SECRET, sign

    port = free_port()
    env = {
        **slack_env(fake_slack, tmp_path),
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "adapters.cli",
        "slack",
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            await wait_until_healthy(http, base, lambda: process.returncode is None)
            body = "command=%2Fcoach-or-therapy&text=&user_id=U1&team_id=T1&channel_id=C1"
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
            ) as resp:
                assert resp.status == 200
                reply = await resp.json()
        assert reply["response_type"] == "ephemeral"
        assert "Question 1 of 9" in json.dumps(reply)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    # with SLACK_BOT_TOKEN in the environment, as an operator sets it; a healthy start warns of
    # nothing
    assert "WARNING" not in err.decode(), err.decode()
    assert "Slack app listening on http://127.0.0.1:" in err.decode()
