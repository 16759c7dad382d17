"""Socket Mode while Slack is unreachable: the real `coach-or-therapy slack` process keeps trying
with backoff, says so once, and stops within seconds of SIGTERM or SIGINT whatever it is doing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from tests.loopback import free_port
from tests.reliability.conftest import PROCESS_STATE_SECRET, FaultySlack
from tests.slack.conftest import BOT_TOKEN

pytestmark = pytest.mark.slow

APP_TOKEN = "xapp-1-A1-socket-test"
OUTAGE_WARNING = "Slack cannot be reached for Socket Mode"
HANG_GUARD_SECONDS = 60
"""Only a process that does not stop at all takes this long; it fails the test, it times nothing."""


class SocketModeProcess:
    """`python -m adapters.cli slack` with SLACK_APP_TOKEN set, its output in a file."""

    def __init__(self, folder: Path, api_url: str) -> None:
        self.log_file = folder / f"socket-{time.monotonic_ns()}.log"
        self.folder = folder
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "LANG": "C.UTF-8",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": APP_TOKEN,
            "SLACK_API_URL": api_url,
            "STATE_SECRET": PROCESS_STATE_SECRET,
            "DATA_DIR": str(folder / "data"),
            "LOG_LEVEL": "INFO",
        }
        self.process: asyncio.subprocess.Process | None = None

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    async def start(self) -> None:
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

    async def until(self, done: Callable[[], bool], what: str) -> None:
        """Wait until `done()`; fail if the process exits first or never gets there."""
        deadline = time.monotonic() + HANG_GUARD_SECONDS
        while not done():
            assert self.process is not None and self.process.returncode is None, self.output()
            assert time.monotonic() < deadline, f"never {what}: {self.output()}"
            await asyncio.sleep(0.1)

    async def stop(self, sig: signal.Signals) -> int:
        """Send `sig`; the exit code once it has exited."""
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return await asyncio.wait_for(self.process.wait(), HANG_GUARD_SECONDS)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"{sig.name} did not stop it: {self.output()}") from None


@pytest.fixture
async def socket_process(
    tmp_path: Path,
) -> AsyncIterator[Callable[[str], Awaitable[SocketModeProcess]]]:
    started: list[SocketModeProcess] = []

    async def start(api_url: str) -> SocketModeProcess:
        process = SocketModeProcess(tmp_path, api_url)
        started.append(process)
        await process.start()
        return process

    yield start
    for process in started:
        if process.process is not None and process.process.returncode is None:
            process.process.kill()
            await process.process.wait()


def assert_one_quiet_warning(output: str) -> None:
    assert output.count(OUTAGE_WARNING) == 1, output
    assert "Traceback" not in output, output
    assert " ERROR " not in output, output


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_while_slack_refuses_connections_it_retries_quietly_and_stops_on_a_signal(
    socket_process, sig
):
    process = await socket_process(f"http://127.0.0.1:{free_port()}/api/")
    await process.until(lambda: OUTAGE_WARNING in process.output(), "warned of the outage")
    assert await process.stop(sig) == 0
    assert_one_quiet_warning(process.output())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_while_slack_answers_errors_it_backs_off_and_warns_once(
    socket_process, fake_slack: FaultySlack, sig
):
    fake_slack.fail("/api/apps.connections.open", 503, times=1000)
    process = await socket_process(fake_slack.api_url)
    url = fake_slack.api_url + "apps.connections.open"
    # three attempts, each of them retried twice by the Web API client
    await process.until(lambda: len(fake_slack.tries(url)) >= 9, "tried three times")
    tries = fake_slack.tries(url)
    gaps = [later - earlier for earlier, later in zip(tries[2::3], tries[3::3], strict=False)]
    assert gaps and all(gap >= 0.8 for gap in gaps), "attempts wait between them"
    assert await process.stop(sig) == 0
    assert_one_quiet_warning(process.output())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_signal_during_an_attempt_that_never_ends_stops_it(
    socket_process, fake_slack: FaultySlack, sig
):
    fake_slack.slow("/api/apps.connections.open", 3600)
    process = await socket_process(fake_slack.api_url)
    url = fake_slack.api_url + "apps.connections.open"
    await process.until(lambda: fake_slack.tries(url), "asked Slack for a connection")
    assert await process.stop(sig) == 0
    assert "Traceback" not in process.output()


async def test_a_refused_app_token_stops_it_with_one_line(socket_process, fake_slack):
    fake_slack.api_errors["apps.connections.open"] = "invalid_auth"
    process = await socket_process(fake_slack.api_url)
    assert process.process is not None
    code = await asyncio.wait_for(process.process.wait(), HANG_GUARD_SECONDS)
    assert code == 2
    lines = process.output().splitlines()
    assert lines[-1] == (
        "coach-or-therapy: Slack refused to connect (invalid_auth); check SLACK_APP_TOKEN (an "
        "app-level token with connections:write) and SLACK_BOT_TOKEN in your Slack app's settings"
    )
    assert "Traceback" not in process.output()
