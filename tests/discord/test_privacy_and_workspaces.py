"""No answer reaches a log line; workspace preferences, counters and locales reach the person."""

from __future__ import annotations

import copy
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.runtime import build_runtime
from adapters.storage.database import make_engine
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.store import DatabaseStorage
from tests.configured import changed
from tests.discord.conftest import ALEX, HR, NEEDED, Discord, Person, logged_in, text_channel
from tests.discord.test_conversation import path_to, safety_label
from tests.storing import (
    HungDatabase,
    counted,
    sqlite_storage,
    statements_sent,
    storage_on,
    unreachable_storage,
)

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


GUILD = "800000000000000001"


async def conversation(fake, runtime, storage, outcome="therapy", person=ALEX):
    client = await logged_in(runtime, storage)
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


async def test_counters_move_for_the_server_and_never_name_anyone(
    fake, runtime, api_base, tmp_path
):
    storage = sqlite_storage(tmp_path)
    await conversation(fake, runtime, storage, "therapy")
    await storage.counts.flush()
    assert counted(storage.engine) == [
        ("discord", GUILD, "finished", 1),
        ("discord", GUILD, "started", 1),
        ("discord", GUILD, "therapy", 1),
    ]
    storage.close()


async def test_a_walk_through_is_counted_once_however_its_result_is_shown_again(
    fake, runtime, api_base, tmp_path
):
    storage = sqlite_storage(tmp_path)
    client = await logged_in(runtime, storage)
    bot = Discord(fake, client)
    try:
        content = runtime.book.content("en")
        await bot.command(ALEX)
        message = bot.thread_messages()[-1]
        path = path_to(content, "therapy")
        for label in path[:-1]:
            message = (await bot.click(ALEX, message, label)).message
        last_question = copy.deepcopy(message)  # as a client that does not refresh still shows it
        message = (await bot.click(ALEX, message, path[-1])).message
        for _ in range(3):
            helped = (await bot.click(ALEX, message, "Get help now")).message
            message = (await bot.click(ALEX, helped, "Continue")).message
        for _ in range(5):  # the last question again, from a client that still shows it
            await bot.click(ALEX, last_question, path[-1])
        await storage.counts.flush()
        assert counted(storage.engine) == [
            ("discord", GUILD, "finished", 1),
            ("discord", GUILD, "help_shown", 1),
            ("discord", GUILD, "started", 1),
            ("discord", GUILD, "therapy", 1),
        ]
    finally:
        await client.close()
        storage.close()


async def test_storage_failures_never_reach_the_person(fake, runtime, api_base, caplog, tmp_path):
    storage = unreachable_storage(tmp_path)
    result = await conversation(fake, runtime, storage, "coaching")
    assert runtime.book.content("en").outcomes["coaching"].title in result.content
    await storage.counts.flush()
    assert storage.counts.pending == 3  # started, finished, coaching: kept for later
    assert "Traceback" not in caplog.text
    storage.close()


@pytest.fixture
def hung() -> Iterator[DatabaseStorage]:
    database = HungDatabase()
    storage = DatabaseStorage(make_engine(database.url))
    yield storage
    database.close()
    storage.engine.dispose()


async def test_slow_storage_does_not_hold_up_the_answer(fake, runtime, api_base, hung):
    client = await logged_in(runtime, hung)
    try:
        seen = await Discord(fake, client).command(HR, show="card")
        assert seen.message.embeds
    finally:
        await client.close()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
async def test_warm_settings_cost_no_database_round_trip_per_click(
    fake, runtime, api_base, tmp_path, request, database
):
    if database == "sqlite":
        storage = sqlite_storage(tmp_path)
    else:
        server = request.getfixturevalue("postgres_server")
        janitor = server.janitor("discord_warm")
        janitor.init()
        request.addfinalizer(janitor.drop)
        storage = storage_on(server.url("discord_warm"))
    await storage.save_settings("discord", GUILD, WorkspacePrefs(region="US"))
    client = await logged_in(runtime, storage)
    bot = Discord(fake, client)
    try:
        content = runtime.book.content("en")
        await bot.command(ALEX)
        message = bot.thread_messages()[-1]
        with statements_sent(storage.engine) as watched:
            for label in path_to(content, "therapy"):
                message = (await bot.click(ALEX, message, label)).message
            help_message = (await bot.click(ALEX, message, "Get help now")).message
        assert watched.sent == [], "no click waited on the database"
        assert "call 911" in help_message.content, "the stored region was used"
        with statements_sent(storage.engine) as watched:
            await storage.counts.flush()
        assert len(watched.sent) == 1, "the counts went in one statement"
    finally:
        await client.close()
        storage.close()


async def test_the_reply_is_deferred_before_waiting_on_storage(fake, runtime, api_base, hung):
    client = await logged_in(runtime, hung)
    bot = Discord(fake, client)
    try:
        payload = bot.payload(
            ALEX, 2, {"id": "1", "name": "coach-or-therapy", "type": 1}, text_channel(), NEEDED
        )
        bot.feed(payload)
        (deferred,) = await fake.wait_for("POST", r"/callback$")
        assert deferred.body["type"] == 5
        assert fake.calls_for("POST", r"/threads$") == [], "storage is still being waited on"
        seen = await bot.answered(payload)
        assert "private thread" in seen.message.content
    finally:
        await client.close()


async def test_workspace_region_and_eap_reach_the_help_message(fake, runtime, api_base, tmp_path):
    storage = sqlite_storage(tmp_path)
    prefs = WorkspacePrefs(region="US", eap_contact="https://eap.example.org")
    await storage.save_settings("discord", GUILD, prefs)
    client = await logged_in(runtime, storage)
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
        storage.close()


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
    runtime = build_runtime(changed(settings, content_dir=root))
    storage = sqlite_storage(tmp_path)
    await storage.save_settings("discord", GUILD, WorkspacePrefs(locale=prefs_locale))
    client = await logged_in(runtime, storage)
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
        storage.close()


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
