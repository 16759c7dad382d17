"""The real `coach-or-therapy teams` process against a loopback fake of Microsoft, and a person
who chats with it: messages and clicks as the Bot Connector delivers them, with signed tokens."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.teams.server import MESSAGES_PATH
from tests.loopback import free_port
from tests.teams.fake_microsoft import APP_ID, APP_PASSWORD, TENANT, FakeMicrosoft

STATE_SECRET = "teams-process-state-secret"
SECRETS = (APP_PASSWORD, STATE_SECRET)
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def microsoft() -> Iterator[FakeMicrosoft]:
    """One fake Microsoft for the session, on its own thread."""
    fake = FakeMicrosoft().start()
    yield fake
    fake.stop()


def teams_env(fake: FakeMicrosoft, folder: Path, port: int, **more: str) -> dict[str, str]:
    """The environment of a Teams process pointed at the fake."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "TEAMS_APP_ID": APP_ID,
        "TEAMS_APP_PASSWORD": APP_PASSWORD,
        "TEAMS_OPENID_URL": fake.openid_url,
        "TEAMS_TOKEN_URL": fake.token_url,
        "STATE_SECRET": STATE_SECRET,
        "DATA_DIR": str(folder / "data"),
        "DEFAULT_REGION": "GB",
        "EAP_CONTACT": "https://eap.example.com",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "DEBUG",
        **more,
    }


class TeamsProcess:
    """`python -m adapters.cli teams` (or another command), its output in a file (never a pipe
    that could fill up)."""

    def __init__(
        self, fake: FakeMicrosoft, folder: Path, command: tuple[str, ...] = ("teams",), **env: str
    ) -> None:
        self.command = command
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.log_file = folder / f"teams-{self.port}.log"
        self.env = teams_env(fake, folder, self.port, **env)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base + MESSAGES_PATH

    def output(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def start(self, ready: bool = True) -> TeamsProcess:
        with self.log_file.open("wb") as log_file:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", *self.command],
                env=self.env,
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=log_file,
            )
        if ready:
            self.wait_until_healthy()
        return self

    def wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None and self.process.poll() is None, (
                f"the bot exited before it was ready: {self.output()}"
            )
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the bot never answered: {self.output()}"
            time.sleep(0.1)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def terminate(self) -> tuple[int, str]:
        """SIGTERM; the exit code and all it wrote."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60), self.output()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture(scope="module")
def bot(
    microsoft: FakeMicrosoft, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TeamsProcess]:
    """One real Teams process for a test module, logging at DEBUG."""
    process = TeamsProcess(microsoft, tmp_path_factory.mktemp("teams")).start()
    yield process
    process.kill()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def activity(
    fake: FakeMicrosoft,
    kind: str,
    *,
    user: str = "29:alice",
    aad: str | None = "aad-alice",
    tenant: str = TENANT,
    conversation: str = "a:alice-chat",
    conversation_type: str = "personal",
    **fields: Any,
) -> dict[str, Any]:
    """An activity as the Bot Connector delivers it from Teams."""
    sender: dict[str, Any] = {"id": user, "name": "Alice"}
    if aad is not None:
        sender["aadObjectId"] = aad
    return {
        "type": kind,
        "id": f"activity-in-{next(_ids)}",
        "timestamp": "2026-12-03T12:00:00.000Z",
        "serviceUrl": fake.service_url,
        "channelId": "msteams",
        "from": sender,
        "conversation": {
            "id": conversation,
            "conversationType": conversation_type,
            "tenantId": tenant,
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "Coaching or therapy?"},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-GB",
        **fields,
    }


def click_value(action: dict[str, Any]) -> dict[str, Any]:
    """An invoke's value for a press of an Action.Execute."""
    return {
        "action": {
            "type": "Action.Execute",
            "verb": action["verb"],
            "data": action.get("data", {}),
        },
        "trigger": "manual",
    }


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a card, in order."""
    found: list[dict[str, Any]] = []

    def walk(items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                if item.get("type", "").startswith("Action."):
                    found.append(item)
                for key in ("items", "columns", "actions", "body"):
                    walk(item.get(key))

    walk(card.get("body"))
    walk(card.get("actions"))
    return found


def labels(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in actions(card)]


def shown_text(card: dict[str, Any]) -> str:
    """Everything a card says, its buttons included."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("text", "title") and isinstance(item, str):
                    texts.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(card.get("body"))
    return "\n".join(texts)


class Person:
    """Someone in Teams: what they type and click reaches the bot as the Bot Connector sends it."""

    def __init__(
        self,
        bot: TeamsProcess,
        fake: FakeMicrosoft,
        http: aiohttp.ClientSession,
        user: str = "29:alice",
        aad: str | None = "aad-alice",
        conversation: str = "a:alice-chat",
        conversation_type: str = "personal",
        tenant: str = TENANT,
    ) -> None:
        self.bot = bot
        self.fake = fake
        self.http = http
        self.who = {
            "user": user,
            "aad": aad,
            "conversation": conversation,
            "conversation_type": conversation_type,
            "tenant": tenant,
        }
        self.card: dict[str, Any] = {}

    def activity(self, kind: str, **fields: Any) -> dict[str, Any]:
        return activity(self.fake, kind, **self.who, **fields)

    async def post(self, body: Any, token: str | None = None) -> tuple[int, Any]:
        """Send an activity with a good token (or this one); the status and JSON answer."""
        headers = {"Authorization": f"Bearer {token or self.fake.mint()}"}
        async with self.http.post(self.bot.url, json=body, headers=headers) as answer:
            text = await answer.text()
            try:
                found = await answer.json(content_type=None) if text else None
            except ValueError:
                found = text
            return answer.status, found

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Type a message; the cards the bot sent in answer (the last is `self.card`)."""
        before = len(self.fake.sent_cards())
        status, _ = await self.post(self.activity("message", text=text))
        assert status == 200
        cards = self.fake.sent_cards()[before:]
        if cards:
            self.card = cards[-1]
        return cards

    async def click(self, label: str, card: dict[str, Any] | None = None) -> dict[str, Any]:
        """Press the button with this label; the card that replaces it."""
        shown = card or self.card
        action = next((a for a in actions(shown) if a["title"] == label), None)
        assert action is not None, f"no {label!r} among {labels(shown)}"
        return await self.press(action)

    async def press(self, action: dict[str, Any]) -> dict[str, Any]:
        """Press this Action.Execute (from any card); the card that replaces it."""
        body = self.activity("invoke", name="adaptiveCard/action", value=click_value(action))
        status, answer = await self.post(body)
        assert status == 200, answer
        assert answer["statusCode"] == 200
        assert answer["type"] == "application/vnd.microsoft.card.adaptive"
        self.card = answer["value"]
        return self.card
