"""Two real `coach-or-therapy slack` processes sharing one PostgreSQL, as behind a load balancer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from adapters.storage import rows
from adapters.storage.database import make_engine
from adapters.storage.interface import MonthCounts
from adapters.storage.rows import month_of
from adapters.storage.settings_cache import SEEN_WITHIN_SECONDS
from tests.conftest import words
from tests.loopback import free_port, wait_until_healthy
from tests.slack.conftest import SIGNING_SECRET, Person, SlackServer, buttons, shown_text
from tests.storage.postgres import Server
from tests.storage.slack_fake import (
    InstallingSlack,
    admin_reply,
    form_outcome,
    serve_fake,
    submit_view,
    type_command,
)
from tests.storage.test_slack_install import install

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = [2, 0, 0, 0, 0, 0, 0, 0, 0]


@pytest.fixture
def shared_database(postgres_server: Server) -> Iterator[str]:
    janitor = postgres_server.janitor("replicas")
    janitor.init()
    try:
        yield postgres_server.url("replicas")
    finally:
        janitor.drop()


@pytest.fixture
async def fake() -> AsyncIterator[InstallingSlack]:
    async for served in serve_fake(InstallingSlack(admins={"UADMIN"})):
        yield served


def _environment(database_url: str, fake: InstallingSlack, data_dir: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="shh",
        SLACK_API_URL=fake.api_url,
        STATE_SECRET="one-secret-shared-by-every-replica",
        DATA_DIR=str(data_dir),
        DEFAULT_REGION="GB",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="INFO",
    )
    return env


def _run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def labels(message: dict) -> list[str]:
    """Button labels in order: the answers first, then the controls."""
    return [b["text"]["text"] for b in buttons(message)]


async def test_two_replicas_share_installs_conversations_and_totals(
    shared_database, fake, tmp_path, content
):
    ports = [free_port(), free_port()]
    envs = [_environment(shared_database, fake, tmp_path / f"r{n}", p) for n, p in enumerate(ports)]

    before = _run(["slack"], envs[0], tmp_path)
    assert before.returncode == 2
    assert before.stderr.strip() == (
        "coach-or-therapy: the database schema is behind; run: coach-or-therapy db upgrade"
    )
    upgraded = _run(["db", "upgrade"], envs[0], tmp_path)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr

    processes: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / "replica-0.log", tmp_path / "replica-1.log"]
    try:
        for env, log in zip(envs, logs, strict=True):
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "adapters.cli", "slack"],
                        env=env,
                        cwd=tmp_path,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        async with aiohttp.ClientSession() as http:
            for base, process, log in zip(bases, processes, logs, strict=True):
                await wait_until_healthy(
                    http, base, lambda p=process: p.poll() is None, log.read_text
                )
        await _exercise(bases, fake, content.outcomes["coaching"].title, shared_database)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    for log in logs:
        text = log.read_text()
        assert "Traceback" not in text
        assert "xoxb-T2-installed" not in text


async def _exercise(
    bases: list[str], fake: InstallingSlack, coaching: str, database_url: str
) -> None:
    async with aiohttp.ClientSession() as http:
        replicas = [SlackServer(f"{b}/slack/events", fake, http) for b in bases]

        # Installed through the first replica (Slack sending the browser back to the second)...
        status, page = await install(bases[0], back_to=bases[1])
        assert status == 200, page
        # ...and served by both.
        assert "Question 1 of 9" in shown_text(await type_command(replicas[0], "", team="T2"))
        person = Person(replicas[1], user="U7", team="T2")
        first = await person.start()
        assert "Question 1 of 9" in shown_text(first)

        # Every click lands on the other replica from the one before.
        for n, answer in enumerate(ANSWERS):
            person.server = replicas[n % 2]
            await person.click(labels(person.message)[answer])
        assert coaching in shown_text(person.message)

        for n in range(5):
            await type_command(replicas[n % 2], "", user=f"U{n}", team="T2")

        # each replica writes its counts within a second or two, into the one database
        engine = make_engine(database_url)
        try:
            deadline = time.monotonic() + 15
            while rows.read_months(engine, "slack", "T2", 1) != [
                MonthCounts(month_of(time.time()), {"started": 7, "finished": 1, "coaching": 1})
            ]:
                assert time.monotonic() < deadline, rows.read_months(engine, "slack", "T2", 1)
                await asyncio.sleep(0.2)
        finally:
            engine.dispose()
        stats = [await admin_reply(r, "stats", user="UADMIN", team="T2") for r in replicas]
    texts = [shown_text(s) for s in stats]
    assert texts[0] == texts[1]
    assert "No month has ended since counting began" in texts[0]

    # an admin saves a region through one replica; the other uses it within the bound
    async with aiohttp.ClientSession() as http:
        replicas = [SlackServer(f"{b}/slack/events", fake, http) for b in bases]
        saved = await submit_view(replicas[0], region_form("US"), user="UADMIN", team="T2")
        assert saved["response_action"] == "update"
        assert await form_outcome(fake) == words("en")["slack.saved"]
        began = time.monotonic()
        while True:
            person = Person(replicas[1], user="U8", team="T2")
            await person.start()
            if "call 911" in shown_text(await person.click("Get help now")):
                break
            # generous, so a loaded machine cannot fail it; the design bound is 2 s
            assert time.monotonic() - began < 3 * SEEN_WITHIN_SECONDS, "never used"
            await asyncio.sleep(0.1)


def region_form(region: str) -> dict:
    """The settings form's values with only the region chosen."""
    return {"region": {"setting": {"type": "static_select", "selected_option": {"value": region}}}}
