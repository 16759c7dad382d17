"""Slack in HTTP mode and Teams in one `coach-or-therapy` process (no command), on one HOST:PORT:
each platform's person gets the first question, /healthz answers once, SIGTERM stops both."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from adapters.slack.server import EVENTS_PATH
from adapters.teams.server import MESSAGES_PATH
from tests.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    SlackServer,
    serving_fake_slack,
    sign,
)
from tests.slack.conftest import shown_text as slack_text
from tests.teams.conftest import Person, TeamsProcess, shown_text, teams_env

pytestmark = pytest.mark.slow


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """Slack's Web API on loopback, as tests/slack has it."""
    async with serving_fake_slack() as fake:
        yield fake


def _slack_env(fake_slack_api: str) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack_api,
    }


async def test_one_process_serves_slack_and_teams_on_one_port(
    microsoft, fake_slack, tmp_path, http
):
    both = TeamsProcess(microsoft, tmp_path, command=(), **_slack_env(fake_slack.api_url))
    both.start()
    try:
        async with http.get(f"{both.base}/healthz") as answer:
            assert (answer.status, await answer.text()) == (200, "ok")

        # a person in Teams: the card the Bot Connector was asked to deliver
        teams_person = Person(both, microsoft, http)
        (card,) = await teams_person.say("hi")
        assert "Question 1 of 9" in shown_text(card)

        # a person in Slack: the slash command's reply, signed as Slack signs it
        slack = SlackServer(url=both.base + EVENTS_PATH, fake=fake_slack, http=http)
        reply = await slack.command()
        assert reply["response_type"] == "ephemeral"
        assert "Question 1 of 9" in slack_text(reply)

        # each keeps its own limit on a body's size, though they share one listener
        big = "x" * (300 * 1024)
        headers = {"Authorization": f"Bearer {microsoft.mint()}"}
        async with http.post(both.url, data=big, headers=headers) as answer:
            assert answer.status == 413
        body = f"command=%2Fcoach-or-therapy&text={big}&user_id=U1&team_id=T1&channel_id=C1"
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with http.post(slack.url, data=body, headers=headers) as answer:
            assert answer.status != 413
    finally:
        code, output = both.terminate()
    assert code == 0, output
    assert "Traceback" not in output
    assert " WARNING " not in output, output
    where = f"http://127.0.0.1:{both.port}"
    assert f"Slack app listening on {where}{EVENTS_PATH}" in output
    assert f"Teams bot listening on {where}{MESSAGES_PATH}" in output
    assert "cannot listen" not in output


def test_a_port_taken_is_one_line_with_both_platforms(microsoft, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # nothing answers on port 9: Slack is not called before the app listens
        env = teams_env(microsoft, tmp_path, port, **_slack_env("http://127.0.0.1:9/api/"))
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env=env,
        )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "cannot listen" in line]
    assert line.startswith(f"coach-or-therapy: cannot listen on 127.0.0.1:{port} (")
    assert line.endswith("in use); set HOST and PORT to a free address")
    assert done.stderr.splitlines()[-1] == line
