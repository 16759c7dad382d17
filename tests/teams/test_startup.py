"""Starting and stopping `coach-or-therapy teams`: a missing or wrong setting is one line naming
it, refused credentials stop it, Microsoft out of reach is one warning, SIGTERM stops it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.loopback import free_port
from tests.teams.conftest import Person, TeamsProcess, actions, shown_text, teams_env

pytestmark = pytest.mark.slow


def _run_once(microsoft, tmp_path, **env):
    full = teams_env(microsoft, tmp_path, free_port(), **env)
    full = {name: value for name, value in full.items() if value}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "teams"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=full,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"TEAMS_APP_ID": "", "TEAMS_APP_PASSWORD": ""}, "TEAMS_APP_ID"),
        ({"TEAMS_APP_PASSWORD": ""}, "TEAMS_APP_PASSWORD"),
        ({"TEAMS_APP_ID": ""}, "TEAMS_APP_ID"),
        ({"TEAMS_APP_ID": "my-bot"}, "TEAMS_APP_ID"),
        ({"TEAMS_OPENID_URL": "login.botframework.com"}, "TEAMS_OPENID_URL"),
        ({"TEAMS_TOKEN_URL": "ftp://x"}, "TEAMS_TOKEN_URL"),
        ({"TEAMS_TENANT_ID": "not a tenant"}, "TEAMS_TENANT_ID"),
    ],
)
def test_a_missing_or_wrong_setting_is_one_line_naming_it(microsoft, tmp_path, env, named):
    done = _run_once(microsoft, tmp_path, **env)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert named in line
    assert line.startswith("coach-or-therapy: ")


@pytest.mark.parametrize(
    "admins",
    [
        "sam@contoso.com",
        "5e2f3a10-8c4b-4d6e-9f01-23456789abcd,29:alex",
        "5e2f3a10-8c4b-4d6e-9f01-23456789abcd;0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",
        "{5e2f3a10-8c4b-4d6e-9f01-23456789abcd}",
        "5e2f3a10-8c4b-4d6e-9f01-23456789abc",
    ],
)
def test_teams_admins_that_are_not_object_ids_are_one_line_saying_where_to_find_them(
    microsoft, tmp_path, admins
):
    done = _run_once(microsoft, tmp_path, TEAMS_ADMINS=admins)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("coach-or-therapy: TEAMS_ADMINS must be")
    assert "Object ID" in line and "Entra" in line


def test_refused_credentials_stop_it_with_one_line(microsoft, tmp_path):
    done = _run_once(microsoft, tmp_path, TEAMS_APP_PASSWORD="not-the-password")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "TEAMS_APP_PASSWORD" in line]
    assert len(lines) == 1 and "refused" in lines[0]


async def test_microsoft_out_of_reach_is_one_warning_and_it_serves_when_back(
    microsoft, tmp_path, http
):
    away = f"http://127.0.0.1:{free_port()}"
    process = TeamsProcess(
        microsoft,
        tmp_path / "away",
        TEAMS_OPENID_URL=f"{away}/v1/.well-known/openidconfiguration",
        TEAMS_TOKEN_URL=f"{away}/token",
    ).start()
    try:
        output = process.output()
        assert "Traceback" not in output
        (line,) = [line for line in output.splitlines() if " WARNING " in line]
        assert "could not fetch Microsoft's signing keys" in line
        assert "could not get the bot's token" in line and "TEAMS_TOKEN_URL" in line
        # a request meanwhile cannot be checked: refused, and Teams is told to try again later
        person = Person(process, microsoft, http)
        status, _ = await person.post(person.activity("message", text="hi"))
        assert status == 503
    finally:
        code, output = process.terminate()
    assert code == 0, output
    assert "Traceback" not in output


async def test_sigterm_stops_it_and_a_restart_continues_the_walk_through(microsoft, tmp_path, http):
    folder = tmp_path / "restart"
    first = TeamsProcess(microsoft, folder).start()
    person = Person(first, microsoft, http)
    await person.say("hi")
    card = await person.click("No")
    code, output = first.terminate()
    assert code == 0, output
    assert "Traceback" not in output
    second = TeamsProcess(microsoft, folder).start()
    try:
        person.bot = second
        answer = await person.click(_first_answer(card), card)
        assert "Question 3 of 9" in shown_text(answer)
    finally:
        second.kill()


def _first_answer(card):
    return next(a["title"] for a in actions(card) if a["verb"] == "cot:c0")


def test_port_taken_is_one_line(microsoft, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = teams_env(microsoft, tmp_path, port)
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli", "teams"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={**env, "PATH": os.environ.get("PATH", "")},
        )
    assert done.returncode == 1
    assert "cannot listen on 127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr
