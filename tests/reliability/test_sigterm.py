"""SIGTERM while replies are on their way: the real `coach-or-therapy slack` process finishes
them, exits 0, and after a restart every open conversation carries on from its buttons.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.server import EVENTS_PATH
from tests.reliability.conftest import FaultySlack, finish_on_slack
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, Person, SlackServer, button, shown_text

pytestmark = pytest.mark.slow

SLOW_REPLY_SECONDS = 2.0
PEOPLE = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SlackProcess:
    """`python -m adapters.cli slack` in HTTP mode, pointed at the loopback fake Slack."""

    def __init__(self, fake: FaultySlack, folder: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.folder = folder
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "STATE_SECRET": "sigterm-test-state-secret",
            "DATA_DIR": str(folder / "data"),
            "DEFAULT_REGION": "GB",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": "INFO",
        }
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.cli",
            "slack",
            env=self.env,
            cwd=self.folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        last: Exception | None = None
        while True:
            assert self.process.returncode is None, await self.process.communicate()
            try:
                async with http.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError as exc:
                last = exc
            if loop.time() > deadline:
                self.process.kill()
                _, stderr = await self.process.communicate()
                raise AssertionError(f"the Slack app never started listening: {last!r} {stderr!r}")
            await asyncio.sleep(0.1)

    async def terminate(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and stderr once it has exited."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(self.process.communicate(), 60)
        assert self.process.returncode is not None
        return self.process.returncode, stderr.decode(errors="replace")

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()


@pytest.fixture
async def app_process(
    fake_slack: FaultySlack, tmp_path: Path
) -> AsyncIterator[tuple[SlackProcess, aiohttp.ClientSession]]:
    process = SlackProcess(fake_slack, tmp_path)
    async with aiohttp.ClientSession() as http:
        try:
            yield process, http
        finally:
            process.kill()


async def test_sigterm_finishes_replies_in_flight_and_conversations_survive_a_restart(
    app_process: tuple[SlackProcess, aiohttp.ClientSession], fake_slack: FaultySlack, content: Any
):
    process, http = app_process
    await process.start(http)
    server = SlackServer(process.url, fake_slack, http)
    people = [Person(server, user=f"U{n}") for n in range(1, PEOPLE + 1)]
    for person in people:
        await person.start()
        await person.click("No")

    in_flight: list[tuple[Person, str]] = []
    for person in people:
        fake_slack.slow_next_response(SLOW_REPLY_SECONDS)
        label = content.questions[0].answers[1].label
        url = await server.click(button(person.message, label), user=person.user)
        in_flight.append((person, url))
    while len([u for _, u in in_flight if fake_slack.tries(u)]) < PEOPLE:
        await asyncio.sleep(0.01)

    code, stderr = await process.terminate()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    for person, url in in_flight:
        replies = fake_slack.at(url)
        assert replies, "the reply in flight at SIGTERM was finished before exiting"
        assert "Question 3 of 9" in shown_text(replies[0])
        person.message = replies[0]

    restarted = SlackProcess(fake_slack, process.folder, process.port)
    await restarted.start(http)
    try:
        for person in people:
            result = await finish_remaining(person, content)
            assert "Where to go next" in shown_text(result)
        await finish_on_slack(Person(server, user="UNEW"), content)
    finally:
        code, stderr = await restarted.terminate()
    assert code == 0, stderr


async def finish_remaining(person: Person, content: Any) -> dict[str, Any]:
    while "Where to go next" not in shown_text(person.message):
        text = shown_text(person.message)
        question = next(q for q in content.questions if q.text in text)
        await person.click(question.answers[0].label)
    return person.message
