"""Hostile input at the real discord.py client: malformed INTERACTION_CREATE payloads, garbage
custom_ids and oversized values. The client never raises into its gateway, answers kindly where
an answer is possible, and afterwards still carries a person through a whole walk-through.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapters.discord.buttons import TEMPLATE
from bot.state import TOKEN_ALPHABET, TOKEN_PATTERN
from tests.discord.conftest import ALEX, SAM, Discord
from tests.discord.fake_discord import Message
from tests.reliability.conftest import SECRETS, fuzz_settings, logged

EPHEMERAL = 64
DELETE = object()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)
GARBAGE = st.one_of(
    st.just(DELETE),
    JSON_VALUES,
    st.text(min_size=2000, max_size=5000),
    st.integers(min_value=2**64, max_value=2**80),
    st.sampled_from(["", "0", "-1", "not-a-snowflake", "9" * 40]),
)
PATHS = st.sampled_from(
    [
        ("id",),
        ("type",),
        ("token",),
        ("application_id",),
        ("version",),
        ("locale",),
        ("guild_id",),
        ("channel_id",),
        ("app_permissions",),
        ("data",),
        ("data", "custom_id"),
        ("data", "component_type"),
        ("member",),
        ("member", "user"),
        ("member", "user", "id"),
        ("member", "roles"),
        ("member", "permissions"),
        ("member", "nick"),
        ("user",),
        ("message",),
        ("message", "id"),
        ("message", "flags"),
        ("message", "components"),
        ("message", "author"),
        ("channel",),
        ("channel", "type"),
        ("channel", "id"),
        ("entitlements",),
        ("context",),
    ]
)


async def settle(bot: Discord, before: set[asyncio.Task[Any]] | None = None) -> None:
    """Let the tasks the last interaction started (those not in `before`) finish."""
    await asyncio.sleep(0.01)
    started = asyncio.all_tasks() - (before or set()) - {asyncio.current_task()}
    if started:
        await asyncio.wait(started, timeout=2)


def apply(payload: dict[str, Any], path: tuple[str, ...], garbage: Any) -> None:
    target: Any = payload
    for step in path[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(step), dict):
            return
        target = target[step]
    if not isinstance(target, dict):
        return
    if garbage is DELETE:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = garbage


def feed_raw(bot: Discord, payload: dict[str, Any], token: str, channel_id: str) -> None:
    """What the gateway does with an INTERACTION_CREATE: hand the data to the parser."""
    bot.fake.expect_interaction(token, None, channel_id)
    bot.client._connection.parsers["INTERACTION_CREATE"](payload)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def walk_through(bot: Discord, person: Any = ALEX) -> Message:
    """A whole walk-through in a private thread; the result message."""
    content = bot.client.runtime.book.content("en")
    before = set(bot.fake.threads)
    await bot.command(person)
    (thread,) = set(bot.fake.threads) - before
    message = next(m for m in bot.thread_messages() if m.channel_id == thread)
    labels = ["No", *(q.answers[0].label for q in content.questions)]
    for label in labels:
        message = (await bot.click(person, message, label)).message
    assert "Where to go next" in (message.content or ""), message.content
    return message


@pytest.fixture
async def fuzzed(bot: Discord, logs: pytest.LogCaptureFixture) -> AsyncIterator[Discord]:
    """The client every input of one fuzz test goes to; afterwards it must still serve a person,
    and nothing it logged may hold a secret or an answer."""
    await bot.command(ALEX)
    yield bot
    await settle(bot)
    await walk_through(bot, SAM)
    text = logged(logs)
    for secret in SECRETS:
        assert secret not in text
    content = bot.client.runtime.book.content("en")
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in text


def _thread_message(bot: Discord) -> Message:
    return bot.thread_messages()[0]


@fuzz_settings()
@given(changes=st.lists(st.tuples(PATHS, GARBAGE), min_size=1, max_size=4))
async def test_malformed_interactions_never_reach_the_gateway_as_errors(fuzzed, changes):
    bot = fuzzed
    message = _thread_message(bot)
    payload = bot.click_payload(ALEX, message, message.labels()[1])
    token, channel_id = payload["token"], payload["channel_id"]
    for path, garbage in changes:
        apply(payload, path, garbage if garbage is DELETE else copy.deepcopy(garbage))
    before = asyncio.all_tasks()
    feed_raw(bot, payload, token, channel_id)
    await settle(bot, before)
    for call in bot.fake.calls_for("POST", rf"/interactions/\d+/{token}/callback$"):
        assert call.body["type"] in (4, 5, 6, 7), call.body
        data = call.body.get("data") or {}
        if call.body["type"] == 4:
            assert data.get("content") or data.get("embeds"), call.body


@fuzz_settings()
@given(
    custom_id=st.from_regex(TEMPLATE, fullmatch=True)
    | st.builds(
        "cot:{}:{}".format,
        st.sampled_from(["s", "c0", "c1", "c9", "b", "r", "h", "k", "x", ""]),
        st.from_regex(TOKEN_PATTERN, fullmatch=True) | st.text(TOKEN_ALPHABET, max_size=60),
    )
)
async def test_custom_ids_in_the_template_with_garbage_get_a_kind_private_answer(fuzzed, custom_id):
    assume(TEMPLATE.fullmatch(custom_id))
    bot = fuzzed
    message = copy.deepcopy(_thread_message(bot))
    message.components[0]["components"][0]["custom_id"] = custom_id
    payload = bot.click_payload(ALEX, message, message.labels()[0])
    bot.feed(payload)
    seen = await bot.answered(payload)
    callback = seen.callback or {}
    if callback.get("type") == 4:
        assert callback["data"]["flags"] == EPHEMERAL
        assert callback["data"]["content"]
    else:
        # a well-formed click: the walk-through moved (7), or a Start opened a thread (5)
        assert callback.get("type") in (5, 7), callback


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("member", "nick"), "n" * 100_000),
        (("member", "user", "global_name"), "g" * 100_000),
        (("locale",), "x" * 10_000),
        (("message", "content"), "c" * 1_000_000),
        (("data", "custom_id"), "cot:c1:" + "A" * 100_000),
        (("member", "roles"), [str(n) for n in range(10_000)]),
    ],
)
async def test_oversized_values_leave_the_client_working(fuzzed, path, value):
    bot = fuzzed
    message = _thread_message(bot)
    payload = bot.click_payload(ALEX, message, message.labels()[1])
    apply(payload, path, value)
    before = asyncio.all_tasks()
    feed_raw(bot, payload, payload["token"], payload["channel_id"])
    await settle(bot, before)
    for call in bot.fake.calls_for("POST", rf"/interactions/\d+/{payload['token']}/callback$"):
        assert call.body["type"] in (4, 5, 6, 7)


async def test_a_payload_the_parser_cannot_read_is_dropped_with_one_warning(bot, logs):
    await bot.command(SAM)
    message = bot.thread_messages()[0]
    payload = bot.click_payload(SAM, message, message.labels()[0])
    bot.client._connection.parsers["INTERACTION_CREATE"]({**payload, "id": "not-a-snowflake"})
    await settle(bot)
    warnings = [r.getMessage() for r in logs.records if r.levelno == logging.WARNING]
    assert any("interaction" in w.lower() for w in warnings), warnings
    assert not errors(logs)
    await walk_through(bot)


NOT_AN_ID = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=30).filter(lambda text: not (text.isascii() and text.isdigit())),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
NO_PERSON = st.one_of(
    st.just(DELETE),
    st.none(),
    st.just({}),
    JSON_VALUES.filter(lambda value: not isinstance(value, dict)),
    st.builds(lambda user: {"user": user}, st.just(DELETE) | NOT_AN_ID),
    st.builds(lambda person: {"user": {"id": person, "username": "x"}}, NOT_AN_ID),
)


def _without_person(payload: dict[str, Any], damage: Any, in_server: bool) -> None:
    """Replace whoever sent the interaction with `damage` (a person nobody can name)."""
    key = "member" if in_server else "user"
    if isinstance(damage, dict) and "user" in damage and in_server is False:
        damage = damage["user"]
    if damage is DELETE or (isinstance(damage, dict) and damage.get("user") is DELETE):
        payload.pop(key, None)
        return
    payload[key] = damage


@fuzz_settings()
@given(
    kind=st.sampled_from([2, 3, 4, 5]),
    damage=NO_PERSON,
    in_server=st.booleans(),
    keep_user_beside_member=st.booleans(),
)
async def test_an_interaction_that_does_not_say_who_sent_it_is_refused_quietly(
    fuzzed, logs, kind, damage, in_server, keep_user_beside_member
):
    bot = fuzzed
    message = _thread_message(bot)
    payload = bot.click_payload(ALEX, message, message.labels()[1])
    payload["type"] = kind
    if not in_server:
        payload.pop("guild_id", None)
        payload["user"] = payload.pop("member")["user"]
    elif keep_user_beside_member:
        payload["user"] = payload["member"]["user"]
    _without_person(payload, copy.deepcopy(damage), in_server)
    token = payload["token"]
    before = asyncio.all_tasks()
    feed_raw(bot, payload, token, payload["channel_id"])
    await settle(bot, before)
    assert bot.fake.calls_for("POST", rf"/{token}/") == []
    assert bot.fake.calls_for("PATCH", rf"/{token}/") == []
    assert not errors(logs)
    text = logged(logs)
    assert "Ignoring exception" not in text
    labels = {label for shown in bot.fake.messages.values() for label in shown.labels()}
    for label in labels:
        assert not re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text), label


OPTION = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON_VALUES,
        "type": st.integers(-1, 12) | JSON_VALUES,
        "value": JSON_VALUES,
        "focused": JSON_VALUES,
        "options": st.lists(JSON_VALUES, max_size=2),
    },
)
INTERACTION_DATA = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.just("400000000000000001") | JSON_VALUES,
            "name": st.sampled_from(["coach-or-therapy", "coach-or-therapy-admin"]) | JSON_VALUES,
            "type": st.integers(-1, 5) | JSON_VALUES,
            "options": st.lists(OPTION, max_size=3) | JSON_VALUES,
            "resolved": JSON_VALUES,
            "guild_id": JSON_VALUES,
            "target_id": JSON_VALUES,
            "custom_id": st.sampled_from(["cot:s:", "cot:h:", "settings"]) | JSON_VALUES,
            "component_type": st.integers(-1, 20) | JSON_VALUES,
            "components": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "type": st.sampled_from([1, 4, 18]) | JSON_VALUES,
                        "components": JSON_VALUES,
                        "component": JSON_VALUES,
                        "custom_id": JSON_VALUES,
                        "value": JSON_VALUES,
                    },
                ),
                max_size=3,
            )
            | JSON_VALUES,
            "values": JSON_VALUES,
        },
    ),
)


@fuzz_settings()
@given(kind=st.integers(-1, 12) | JSON_VALUES, data=INTERACTION_DATA, in_server=st.booleans())
async def test_interactions_of_any_shape_are_answered_or_dropped_without_an_error(
    fuzzed, logs, kind, data, in_server
):
    bot = fuzzed
    message = _thread_message(bot)
    payload = bot.click_payload(ALEX, message, message.labels()[1])
    if not in_server:
        payload.pop("guild_id", None)
        payload["user"] = payload.pop("member")["user"]
    payload["type"], payload["data"] = kind, copy.deepcopy(data)
    token = payload["token"]
    before = asyncio.all_tasks()
    feed_raw(bot, payload, token, payload["channel_id"])
    await settle(bot, before)
    assert not errors(logs)
    assert "Traceback" not in logged(logs)
    for call in bot.fake.calls_for("POST", rf"/interactions/\d+/{token}/callback$"):
        assert call.body["type"] in (4, 5, 6, 7, 9), call.body
