"""No answer reaches a log line; workspace preferences, counters and locales reach the person."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import pytest

from adapters.runtime import build_runtime
from adapters.workspaces import WorkspacePrefs
from bot.settings import Settings
from tests.discord.conftest import ALEX, HR, NEEDED, Discord, Person, logged_in, text_channel
from tests.discord.test_conversation import path_to, safety_label

CONTENT_ROOT = Path(__file__).resolve().parents[2] / "content"


async def test_no_answer_or_token_reaches_any_log_line(bot: Discord, runtime, caplog):
    caplog.set_level(logging.DEBUG)
    content = runtime.book.content("en")
    for outcome in ("coaching", "therapy", "both"):
        await bot.command(ALEX)
        message = bot.thread_messages()[-1]
        for label in path_to(content, outcome):
            message = (await bot.click(ALEX, message, label)).message
    tokens = {
        b["custom_id"].split(":", 2)[2] for m in bot.fake.messages.values() for b in m.buttons()
    } - {""}
    assert tokens
    lines = [r.getMessage() for r in caplog.records]
    assert any(r.name == "discord.http" for r in caplog.records), "discord.py's debug lines ran"
    assert any(
        r.name == "discord.client" and "interaction" in r.getMessage() for r in caplog.records
    )
    text = "\n".join(lines)
    for token in tokens:
        assert token not in text
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in text
    for outcome in content.outcomes.values():
        assert outcome.summary not in text
    assert "cot:c" not in text


async def test_gateway_payloads_logged_by_discord_py_are_withheld(bot: Discord, caplog):
    caplog.set_level(logging.DEBUG)
    await bot.command(ALEX)
    (message,) = bot.thread_messages()
    custom_id = message.buttons()[0]["custom_id"]
    logging.getLogger("discord.gateway").debug(
        "For Shard ID %s: WebSocket Event: %s",
        0,
        {"t": "INTERACTION_CREATE", "d": {"custom_id": custom_id}},
    )
    logging.getLogger("discord.ui.view").error(
        "Ignoring exception for item %s", f"<Button custom_id={custom_id!r}>"
    )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert custom_id not in text
    assert "<payload withheld>" in text
    assert "Ignoring exception for item <Button custom_id=[hidden]>" in text


class RecordingWorkspaces:
    """Storage as the adapter sees it, keeping what it was told."""

    def __init__(self, prefs: WorkspacePrefs | None = None, fail: bool = False, slow: bool = False):
        self._prefs = prefs or WorkspacePrefs()
        self.fail = fail
        self.slow = slow
        self.counted: list[tuple[str, str, tuple[str, ...]]] = []
        self.asked = 0

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        self.asked += 1
        if self.slow:
            await asyncio.sleep(30)
        if self.fail:
            raise RuntimeError("database is down")
        return self._prefs

    async def count(self, platform: str, workspace: str, counters: tuple[str, ...]) -> None:
        if self.fail:
            raise RuntimeError("database is down")
        self.counted.append((platform, workspace, counters))


async def conversation(fake, runtime, workspaces, outcome="therapy", person=ALEX):
    client = await logged_in(runtime, workspaces)
    bot = Discord(fake, client)
    try:
        content = runtime.book.content("en")
        await bot.command(person)
        message = bot.thread_messages()[-1]
        for label in path_to(content, outcome):
            message = (await bot.click(person, message, label)).message
        return message
    finally:
        await client.close()


async def test_counters_move_for_the_server_and_never_name_anyone(fake, runtime, api_base):
    workspaces = RecordingWorkspaces()
    await conversation(fake, runtime, workspaces, "therapy")
    guild = "800000000000000001"
    assert workspaces.counted == [
        ("discord", guild, ("started",)),
        ("discord", guild, ("finished", "therapy")),
    ]


async def test_storage_failures_never_reach_the_person(fake, runtime, api_base, caplog):
    workspaces = RecordingWorkspaces(fail=True)
    result = await conversation(fake, runtime, workspaces, "coaching")
    assert runtime.book.content("en").outcomes["coaching"].title in result.content
    assert "database is down" not in caplog.text


async def test_slow_storage_does_not_hold_up_the_answer(fake, runtime, api_base):
    client = await logged_in(runtime, RecordingWorkspaces(slow=True))
    try:
        seen = await Discord(fake, client).command(HR, show="card")
        assert seen.message.embeds
    finally:
        await client.close()


async def test_preferences_are_read_once_a_while_and_again_when_forgotten(fake, runtime, api_base):
    workspaces = RecordingWorkspaces(WorkspacePrefs(region="US"))
    client = await logged_in(runtime, workspaces)
    bot = Discord(fake, client)
    try:
        await bot.command(ALEX)
        await bot.command(ALEX, show="help")
        assert workspaces.asked == 1
        client.conversations.forget_prefs("800000000000000001")
        await bot.command(ALEX)
        assert workspaces.asked == 2
    finally:
        await client.close()


async def test_the_reply_is_deferred_before_waiting_on_storage(fake, runtime, api_base):
    workspaces = RecordingWorkspaces(slow=True)
    client = await logged_in(runtime, workspaces)
    bot = Discord(fake, client)
    try:
        payload = bot.payload(
            ALEX, 2, {"id": "1", "name": "coach-or-therapy", "type": 1}, text_channel(), NEEDED
        )
        bot.feed(payload)
        (deferred,) = await fake.wait_for("POST", r"/callback$")
        assert deferred.body["type"] == 5
        assert workspaces.asked == 1
        assert fake.calls_for("POST", r"/threads$") == [], "storage is still being waited on"
        seen = await bot.answered(payload)
        assert "private thread" in seen.message.content
    finally:
        await client.close()


async def test_workspace_region_and_eap_reach_the_help_message(fake, runtime, api_base):
    prefs = WorkspacePrefs(region="US", eap_contact="https://eap.example.org")
    client = await logged_in(runtime, RecordingWorkspaces(prefs))
    bot = Discord(fake, client)
    try:
        content = runtime.book.content("en")
        await bot.command(ALEX)
        (message,) = bot.thread_messages()
        seen = await bot.click(ALEX, message, safety_label(content, "help"))
        assert "call 911" in seen.message.content
        assert "988" in seen.message.content
        assert "Samaritans" not in seen.message.content
        assert "https://eap.example.org" in seen.message.content
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("discord_locale", "prefs_locale", "expected"),
    [
        ("pt-BR", None, "pt-BR"),
        ("pt-PT", None, "en"),
        ("de", None, "en"),
        ("de", "pt-BR", "pt-BR"),
    ],
)
async def test_the_persons_discord_locale_picks_the_content(
    fake, settings, api_base, tmp_path, discord_locale, prefs_locale, expected
):
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT / "en", root / "en")
    shutil.copytree(CONTENT_ROOT / "en", root / "pt-BR")
    conversation_file = root / "pt-BR" / "conversation.yaml"
    text = conversation_file.read_text()
    messages_file = root / "pt-BR" / "messages.yaml"
    messages_file.write_text(
        messages_file.read_text().replace(
            "I've opened a private thread for you: {thread}.", "Abri um tópico privado: {thread}."
        )
    )
    conversation_file.write_text(
        text.replace("I'm an automated tool", "Sou uma ferramenta automática", 1)
    )
    runtime = build_runtime(Settings(**{**settings.__dict__, "content_dir": root}))
    client = await logged_in(runtime, RecordingWorkspaces(WorkspacePrefs(locale=prefs_locale)))
    try:
        bot = Discord(fake, client)
        await bot.command(Person(ALEX.id, "Alex", locale=discord_locale))
        (message,) = bot.thread_messages()
        portuguese = "Sou uma ferramenta automática" in message.content
        assert portuguese == (expected == "pt-BR")
        link = bot.fake.messages[min(bot.fake.messages, key=int)].content
        assert ("Abri um tópico privado" in link) == (expected == "pt-BR")
    finally:
        await client.close()


async def test_tracebacks_never_carry_a_button_id(bot: Discord, caplog):
    caplog.set_level(logging.DEBUG)
    custom_id = "cot:c1:" + "A" * 33 + "0120"
    try:
        raise ValueError(f"could not handle {custom_id}")
    except ValueError:
        logging.getLogger("discord.ui.view").exception("Ignoring exception in view")
    (record,) = [r for r in caplog.records if r.name == "discord.ui.view"]
    assert custom_id not in caplog.text
    assert custom_id not in (record.exc_text or "")
    assert "cot:<withheld>" in record.exc_text


async def test_no_interaction_token_reaches_any_log_line(bot: Discord, runtime, caplog):
    """discord.py logs every REST URL at DEBUG (and at WARNING when rate limited); the
    interaction and webhook tokens in those URLs would let a log reader edit the person's reply."""
    caplog.set_level(logging.DEBUG)
    content = runtime.book.content("en")
    await bot.command(ALEX)
    message = bot.thread_messages()[-1]
    for label in path_to(content, "both"):
        message = (await bot.click(ALEX, message, label)).message
    await bot.command(HR, show="card")
    tokens = set(bot.fake.interactions)
    urls = [c.path for c in bot.fake.calls if "/interactions/" in c.path or "/webhooks/" in c.path]
    assert urls and all(any(token in url for token in tokens) for url in urls)
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "/interactions/" in logged and "/webhooks/" in logged, "discord.py logged its URLs"
    for token in tokens:
        assert token not in logged
    assert "/[hidden]/callback" in logged
