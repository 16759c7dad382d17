"""Reliability tests reuse the loopback fakes and servers of the Slack and Discord suites.

The fakes are extended here (answering slowly, hanging up) rather than in those suites, and the
real `coach-or-therapy slack` process can be started against them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import hypothesis
import pytest
from aiohttp import web
from hypothesis import HealthCheck

from adapters.slack.server import EVENTS_PATH
from bot.model import Content
from tests.discord.conftest import api_base, bot, runtime, settings
from tests.discord.fake_discord import FakeDiscord
from tests.loopback import free_port, listen, wait_until_healthy
from tests.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    serve,
    shown_text,
    slack,
)

__all__ = [
    "api_base",
    "bot",
    "runtime",
    "serve",
    "settings",
    "slack",
]

SLACK_STATE_SECRET = "state-secret-for-tests"
SECRETS = (SIGNING_SECRET, BOT_TOKEN, SLACK_STATE_SECRET, "discord-test-secret", "fake-token")
"""Every secret the servers under test hold; none may reach a log line."""

FUZZ_EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "60"))
"""Inputs per fuzz test; set RELIABILITY_EXAMPLES=1000 for a long run."""

hypothesis.settings.register_profile(
    "reliability",
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def fuzz_settings() -> hypothesis.settings:
    """Hypothesis settings for one fuzz test: bounded, no deadline, one server for every input."""
    return hypothesis.settings.get_profile("reliability")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log line at DEBUG, the app's and the libraries'."""
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "aiohttp", "discord", "adapters", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """All captured log text, tracebacks included."""
    return "\n".join(
        record.getMessage() + "\n" + (record.exc_text or "") for record in caplog.records
    )


async def wait_for_log(caplog: pytest.LogCaptureFixture, words: str, timeout: float = 10) -> None:
    """Wait until `words` have been logged (the app logs some failures after its reply)."""
    deadline = time.monotonic() + timeout
    while words not in caplog.text and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert words in caplog.text


RESULT_TITLES = (
    "Coaching might be worth exploring",
    "Therapy or counselling might be worth exploring",
    "Both might be worth exploring",
)


async def finish_on_slack(person: Any, content: Content, answer: int = 0) -> dict[str, Any]:
    """Walk `person` from the safety question to a result; the result message they see."""
    if not person.message:
        await person.start()
    await person.click("No")
    for question in content.questions:
        await person.click(question.answers[answer].label)
    text = shown_text(person.message)
    assert any(title in text for title in RESULT_TITLES), text
    return person.message


async def finish_remaining(person: Any, content: Content) -> dict[str, Any]:
    """Answer the rest of the questions with the first answer; the result message."""
    while "Where to go next" not in shown_text(person.message):
        text = shown_text(person.message)
        question = next(q for q in content.questions if q.text in text)
        await person.click(question.answers[0].label)
    return person.message


class FaultySlack(FakeSlack):
    """The loopback fake Slack, able to answer slowly or hang up, and noting every attempt."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: dict[str, list[float]] = {}
        self.hang_ups: dict[str, int] = {}
        self.attempts: list[tuple[str, float]] = []

    def slow(self, path: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` requests to `path` only after `seconds`."""
        self.delays.setdefault(path, []).extend([seconds] * times)

    def slow_next_response(self, seconds: float, times: int = 1) -> None:
        """Answer the next response_url handed out (the next click's) only after `seconds`."""
        self.slow(f"/respond/{self._next}", seconds, times)

    def hang_up(self, path: str, times: int = 1) -> None:
        """Close the connection on the next `times` requests to `path` without answering."""
        self.hang_ups[path] = self.hang_ups.get(path, 0) + times

    def tries(self, url: str) -> list[float]:
        """When each request to `url` arrived (time.monotonic), answered or not."""
        path = url.removeprefix(self.base)
        return [at for p, at in self.attempts if p == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.attempts.append((request.path, time.monotonic()))
        if self.hang_ups.get(request.path):
            self.hang_ups[request.path] -= 1
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)
        delays = self.delays.get(request.path)
        if delays:
            await asyncio.sleep(delays.pop(0))
        return await super().handle(request)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FaultySlack]:
    """The fake Slack every reliability test serves against (the Slack suite's, with faults)."""
    fake = FaultySlack()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)  # users.info is a GET
    runner, fake.base = await listen(app, shutdown_timeout=0.1)
    yield fake
    await runner.cleanup()


class SlowDiscord(FakeDiscord):
    """The loopback fake Discord REST API, able to answer chosen requests slowly."""

    def __init__(self) -> None:
        super().__init__()
        self.delays: list[tuple[str, re.Pattern[str], float]] = []

    def slow(self, method: str, pattern: str, seconds: float) -> None:
        """Answer the next request matching method and path pattern only after `seconds`."""
        self.delays.append((method, re.compile(pattern), seconds))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        for n, (method, pattern, seconds) in enumerate(self.delays):
            if method == request.method and pattern.search(path):
                del self.delays[n]
                await asyncio.sleep(seconds)
                break
        return await super()._handle(request)


@pytest.fixture
def fake() -> Iterator[SlowDiscord]:
    """The fake Discord every reliability test runs against (the Discord suite's, slowable)."""
    server = SlowDiscord().start()
    yield server
    server.stop()


PROCESS_STATE_SECRET = "process-test-state-secret"


class SlackProcess:
    """`python -m adapters.cli slack` in HTTP mode, pointed at the loopback fake Slack.

    Its output goes to a file in `folder` (never a pipe that could fill up and stall it).
    """

    def __init__(
        self, fake: FakeSlack, folder: Path, port: int | None = None, log_level: str = "INFO"
    ) -> None:
        self.port = port or free_port()
        self.folder = folder
        self.log_file = folder / f"slack-{self.port}-{time.monotonic_ns()}.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "STATE_SECRET": PROCESS_STATE_SECRET,
            "DATA_DIR": str(folder / "data"),
            "DEFAULT_REGION": "GB",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": log_level,
        }
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{EVENTS_PATH}"

    def output(self) -> str:
        """Everything the process has written so far."""
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    async def start(self, http: aiohttp.ClientSession) -> None:
        """Start it and wait until it answers /healthz."""
        with self.log_file.open("wb") as log_file:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.cli",
                "slack",
                env=self.env,
                cwd=self.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )
        process = self.process
        try:
            base = f"http://127.0.0.1:{self.port}"
            await wait_until_healthy(http, base, lambda: process.returncode is None, self.output)
        except AssertionError:
            self.kill()
            await process.wait()
            raise

    async def terminate(self) -> tuple[int, str]:
        """SIGTERM, then the exit code and everything it wrote once it has exited."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 60)
        return code, self.output()

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A client for talking to servers under test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def slack_process(
    fake_slack: FaultySlack, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[SlackProcess]]]:
    """Start real `coach-or-therapy slack` processes; any left running are killed afterwards."""
    started: list[SlackProcess] = []

    async def start(
        http: aiohttp.ClientSession, port: int | None = None, log_level: str = "INFO"
    ) -> SlackProcess:
        process = SlackProcess(fake_slack, tmp_path, port, log_level)
        started.append(process)
        await process.start(http)
        return process

    yield start
    for process in started:
        process.kill()
