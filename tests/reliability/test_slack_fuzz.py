"""Hostile input at the real Slack endpoint: never a 500, never a crash, never a secret in a log.

Each test serves the real app once over real HTTP and sends it every generated request in turn;
afterwards a person still completes a whole walk-through on the same server.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from adapters.runtime import build_runtime
from adapters.slack.app import build_app
from adapters.slack.server import MAX_BODY_BYTES
from adapters.storage.database import make_engine, upgrade
from adapters.storage.store import DatabaseStorage
from tests.reliability.conftest import SECRETS, finish_on_slack, fuzz_settings, logged
from tests.slack.conftest import (
    SIGNING_SECRET,
    Person,
    Servers,
    SlackServer,
    button,
    shown_text,
    slack_settings,
)

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CONTENT_TYPES = st.sampled_from(
    [FORM, JSON, "text/plain", "multipart/form-data; boundary=x", "", "application/xml", "a/b"]
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
SLACK_TYPES = st.sampled_from(
    [
        "block_actions",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "block_suggestion",
        "interactive_message",
        "event_callback",
        "url_verification",
        "app_rate_limited",
    ]
)


def signed(body: bytes, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (which need not be UTF-8)."""
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={mac}"}


async def send(
    server: SlackServer, body: bytes, content_type: str, headers: dict[str, str]
) -> tuple[int, str]:
    all_headers = {"Content-Type": content_type, **headers} if content_type else dict(headers)
    async with server.http.post(server.url, data=body, headers=all_headers) as response:
        return response.status, await response.text(errors="replace")


async def send_payload(server: SlackServer, payload: Any, as_form: bool) -> tuple[int, str]:
    """Send `payload` signed, as Slack posts interactions (form field) or as a JSON body."""
    raw = json.dumps(payload)
    body = urlencode({"payload": raw}) if as_form else raw
    return await send(server, body.encode(), FORM if as_form else JSON, signed(body.encode()))


def assert_polite(status: int, text: str) -> None:
    """A 4xx, or a 2xx whose body is empty or a message a person can read."""
    assert status < 500, (status, text)
    assert "Traceback" not in text and "Error" not in text, text
    if 200 <= status < 300 and text:
        reply = json.loads(text)
        assert isinstance(reply, dict), text
        assert reply.get("text") or reply.get("blocks") or "challenge" in reply, text


def assert_replies_are_messages(server: SlackServer) -> None:
    """Whatever reached the fake Slack is a message with words in it, never an error dump."""
    for call in server.fake.calls:
        if call.path.startswith("/respond/") or call.path.startswith("/api/chat."):
            assert call.body.get("text") or call.body.get("blocks"), call
            assert "Traceback" not in json.dumps(call.body)


async def assert_still_serving(server: SlackServer, content: Any) -> None:
    await finish_on_slack(Person(server, user="UAFTER"), content)


def assert_no_secret_logged(caplog: Any) -> None:
    text = logged(caplog)
    for secret in SECRETS:
        assert secret not in text
    assert "Slack request failed" not in text


@pytest.fixture
async def fuzzed(slack: SlackServer, content: Any, logs: Any) -> AsyncIterator[SlackServer]:
    """The server every input of one fuzz test goes to; afterwards it must still serve a person,
    and nothing it logged may hold a secret or an answer."""
    yield slack
    await assert_still_serving(slack, content)
    assert_no_secret_logged(logs)
    text = logged(logs)
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in text


@fuzz_settings()
@given(
    body=st.binary(max_size=2048),
    content_type=CONTENT_TYPES,
    timestamp=st.none() | st.just("") | HEADER_TEXT | st.integers().map(str),
    signature=st.none()
    | st.just("")
    | st.just("v0=")
    | HEADER_TEXT
    | st.binary(min_size=32, max_size=32).map(lambda b: "v0=" + b.hex()),
)
async def test_unsigned_or_badly_signed_requests_get_401(
    fuzzed, body, content_type, timestamp, signature
):
    slack = fuzzed
    headers = {}
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature
    status, text = await send(slack, body, content_type, headers)
    assert status == 401, (status, text)
    assert slack.fake.calls == [] or all(c.path == "/api/auth.test" for c in slack.fake.calls)


async def test_after_bad_signatures_a_walk_through_still_works(slack, content, logs):
    for headers in ({}, {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""}):
        await send(slack, b"payload=%7B%7D", FORM, headers)
    await assert_still_serving(slack, content)
    assert_no_secret_logged(logs)


@fuzz_settings()
@given(body=st.binary(max_size=4096), content_type=CONTENT_TYPES)
async def test_signed_random_bytes_never_get_a_500(fuzzed, body, content_type):
    slack = fuzzed
    status, text = await send(slack, body, content_type, signed(body))
    assert_polite(status, text)
    assert_replies_are_messages(slack)


@fuzz_settings()
@given(value=JSON_VALUES, kind=SLACK_TYPES, as_form=st.booleans(), extra=JSON_VALUES)
async def test_signed_nonsense_json_never_gets_a_500(fuzzed, value, kind, as_form, extra):
    slack = fuzzed
    payload: Any = value
    if isinstance(value, dict):
        payload = {**value, "type": kind, "extra": extra}
    status, text = await send_payload(slack, payload, as_form)
    assert_polite(status, text)
    assert_replies_are_messages(slack)


BOLT_KEYS = (
    "actions",
    "authorizations",
    "user",
    "team",
    "channel",
    "enterprise",
    "container",
    "message",
    "previous_message",
    "view",
    "event",
    "callback_id",
    "trigger_id",
    "response_url",
    "is_enterprise_install",
    "is_ext_shared_channel",
    "team_id",
    "user_id",
    "enterprise_id",
    "api_app_id",
    "workflow_step",
    "function_data",
    "bot_access_token",
)
INNER_KEYS = ("type", "id", "action_id", "block_id", "callback_id", "user", "team", "tab", "value")


def shaped(kind: str) -> Any:
    """A payload of Slack's `kind` whose fields, and the fields inside them, hold anything."""
    inner = st.fixed_dictionaries({}, optional=dict.fromkeys(INNER_KEYS, JSON_VALUES))
    field = JSON_VALUES | inner | st.lists(inner, max_size=3)
    return st.fixed_dictionaries({"type": st.just(kind)}, optional=dict.fromkeys(BOLT_KEYS, field))


@fuzz_settings()
@given(payload=SLACK_TYPES.flatmap(shaped), as_form=st.booleans())
async def test_slack_shaped_payloads_with_garbage_fields_never_get_a_500(fuzzed, payload, as_form):
    slack = fuzzed
    status, text = await send_payload(slack, payload, as_form)
    assert_polite(status, text)
    assert_replies_are_messages(slack)


def _click_payload(server: SlackServer, message: dict[str, Any], label: str) -> dict[str, Any]:
    """The block_actions payload Slack would send for clicking `label` (as conftest builds it)."""
    pressed = button(message, label)
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1", "username": "someone"},
        "team": {"id": "T1", "domain": "test"},
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        "container": {
            "type": "message",
            "message_ts": "1.0",
            "channel_id": "C1",
            "is_ephemeral": True,
        },
        "channel": {"id": "C1", "name": "general"},
        "response_url": server.fake.response_url(),
        "actions": [
            {
                "type": "button",
                "action_id": pressed["action_id"],
                "block_id": "b",
                "text": pressed["text"],
                "value": pressed.get("value", ""),
                "action_ts": "1.1",
            }
        ],
    }


GARBAGE = st.one_of(
    JSON_VALUES,
    st.text(max_size=200),
    st.text(min_size=3000, max_size=6000),
    st.sampled_from(["", "cot:", "cot:c", "cot:c99", "cot:x1", "cot:s ", "cot:c1\n", "U1", "T2"]),
)
FIELDS = st.sampled_from(
    [
        ("actions", 0, "action_id"),
        ("actions", 0, "value"),
        ("actions", 0, "type"),
        ("actions",),
        ("user", "id"),
        ("user",),
        ("team", "id"),
        ("team",),
        ("container",),
        ("container", "is_ephemeral"),
        ("channel", "id"),
        ("response_url",),
        ("type",),
    ]
)


def _set(payload: Any, path: tuple[Any, ...], value: Any) -> None:
    target = payload
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


@fuzz_settings()
@given(
    changes=st.lists(st.tuples(FIELDS, GARBAGE), min_size=1, max_size=3),
    flip=st.integers(0, 47),
    cut=st.none() | st.integers(0, 2000),
)
async def test_clicks_with_garbage_in_any_field_never_get_a_500(fuzzed, changes, flip, cut):
    slack = fuzzed
    payload = _click_payload(slack, await slack.command(), "I'm not sure")
    value = payload["actions"][0]["value"]
    if value and flip < len(value):
        payload["actions"][0]["value"] = (
            value[:flip] + chr(ord(value[flip]) ^ 1) + value[flip + 1 :]
        )
    for path, garbage in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(payload, path, garbage)
    body = urlencode({"payload": json.dumps(payload)})
    if cut is not None:
        body = body[:cut]
    status, text = await send(slack, body.encode(), FORM, signed(body.encode()))
    assert_polite(status, text)
    assert_replies_are_messages(slack)


@fuzz_settings()
@given(
    text=st.text(max_size=300) | st.text(min_size=4000, max_size=20000),
    user=st.sampled_from(["U1", "", "u1", "U" * 60, "U1\n", "<@U1>"]),
    team=st.sampled_from(["T1", "", "T" * 60, "T 1"]),
    command=st.sampled_from(["/coach-or-therapy", "/other", "", "/coach-or-therapy "]),
)
async def test_slash_commands_with_any_text_get_a_kind_answer(fuzzed, text, user, team, command):
    slack = fuzzed
    body = urlencode(
        {
            "command": command,
            "text": text,
            "user_id": user,
            "team_id": team,
            "channel_id": "C1",
            "response_url": slack.fake.response_url(),
            "trigger_id": "1.2.3",
        }
    )
    status, reply = await send(slack, body.encode(), FORM, signed(body.encode()))
    assert_polite(status, reply)
    if status == 200 and command == "/coach-or-therapy" and user == "U1" and team == "T1":
        words = shown_text(json.loads(reply)) or json.loads(reply)["text"]
        assert "Question 1 of 9" in words or "/coach-or-therapy walks you privately" in words


async def test_an_oversized_body_gets_413_and_nothing_else_happens(slack, content, logs):
    body = urlencode({"payload": json.dumps({"type": "block_actions", "x": "y" * MAX_BODY_BYTES})})
    status, _ = await send(slack, body.encode(), FORM, signed(body.encode()))
    assert status == 413
    giant_text = urlencode({"command": "/coach-or-therapy", "text": "z" * (MAX_BODY_BYTES * 2)})
    status, _ = await send(slack, giant_text.encode(), FORM, signed(giant_text.encode()))
    assert status == 413
    await assert_still_serving(slack, content)


async def test_after_every_fuzz_run_a_walk_through_completes_and_logs_stay_clean(
    slack, content, logs
):
    """The end-of-run check each fuzz test above implies, on a server that took one of each."""
    person = Person(slack)
    await person.start()
    for body, content_type in (
        (b"\xff\xfe\x00", FORM),
        (b"payload=%7B%22type%22%3A%22block_actions%22%7D", FORM),
        (b'{"type": "event_callback", "event": []}', JSON),
        (
            urlencode({"payload": json.dumps(_click_payload(slack, person.message, "No"))})[
                :90
            ].encode(),
            FORM,
        ),
    ):
        status, text = await send(slack, body, content_type, signed(body))
        assert_polite(status, text)
    result = await finish_on_slack(person, content, answer=1)
    assert "Therapy or counselling might be worth exploring" in shown_text(result)
    text = logged(logs)
    assert_no_secret_logged(logs)
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in text


EVERY_KIND = st.sampled_from(
    [
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "attachment_actions",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
        "workflow_step_edit",
        "workflow_step_execute",
        "event_callback",
        "url_verification",
        "app_rate_limited",
        "function_executed",
    ]
) | st.text(max_size=20)
EVENT_TYPES = st.sampled_from(
    [
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "message",
        "app_mention",
        "workflow_step_execute",
        "function_executed",
        "team_join",
    ]
)
VIEWS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "type": st.sampled_from(["modal", "home", "workflow_step"]) | JSON_VALUES,
        "callback_id": st.sampled_from(["cot_settings", "someone_elses"]) | JSON_VALUES,
        "state": JSON_VALUES
        | st.fixed_dictionaries({"values": JSON_VALUES | st.dictionaries(st.text(), JSON_VALUES)}),
        "app_installed_team_id": JSON_VALUES,
        "team_id": JSON_VALUES,
    },
)


def any_kind(kind: str) -> Any:
    """A payload of `kind`, with the fields Bolt routes each kind by holding anything."""
    return st.fixed_dictionaries(
        {"type": st.just(kind)},
        optional={
            "view": VIEWS | JSON_VALUES,
            "event": st.fixed_dictionaries(
                {"type": EVENT_TYPES | JSON_VALUES},
                optional={"user": JSON_VALUES, "tab": JSON_VALUES, "tokens": JSON_VALUES},
            )
            | JSON_VALUES,
            "callback_id": JSON_VALUES,
            "actions": st.lists(
                st.fixed_dictionaries(
                    {}, optional={"action_id": st.just("cot:s") | JSON_VALUES, "value": JSON_VALUES}
                ),
                max_size=2,
            )
            | JSON_VALUES,
            "user": st.fixed_dictionaries({"id": st.just("U1")}) | JSON_VALUES,
            "team": st.fixed_dictionaries({"id": st.just("T1")}) | JSON_VALUES,
            "team_id": st.just("T1") | JSON_VALUES,
            "challenge": JSON_VALUES,
            "workflow_step": JSON_VALUES,
            "function_data": JSON_VALUES,
        },
    )


def assert_never_unhandled_by_bolt(caplog: Any) -> None:
    """Bolt saw only requests it has a listener for (it warns about any other)."""
    assert "Unhandled request" not in logged(caplog)


@fuzz_settings()
@given(payload=EVERY_KIND.flatmap(any_kind), as_form=st.booleans())
@example(payload={"type": "view_submission", "view": {"callback_id": "x"}}, as_form=True)
@example(payload={"type": "workflow_step_edit", "callback_id": "x"}, as_form=True)
@example(payload={"type": "shortcut", "callback_id": "x", "trigger_id": "1"}, as_form=True)
@example(
    payload={"type": "event_callback", "team_id": "T1", "event": {"type": "message"}},
    as_form=False,
)
async def test_only_the_kinds_the_app_handles_reach_bolt(fuzzed, logs, payload, as_form):
    slack = fuzzed
    status, text = await send_payload(slack, payload, as_form)
    assert status in (200, 400), (status, text)
    assert_polite(status, text)
    assert_replies_are_messages(slack)
    assert_never_unhandled_by_bolt(logs)


@pytest.fixture
async def stored_fuzzed(
    fake_slack: Any, tmp_path: Any, content: Any, logs: Any
) -> AsyncIterator[SlackServer]:
    """The app as `coach-or-therapy slack` builds it on a SQLite database (its settings form and
    uninstall events registered), checked afterwards like `fuzzed`."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    upgrade(engine)
    servers = Servers()
    runtime = build_runtime(slack_settings(fake_slack, tmp_path))
    app = build_app(runtime, DatabaseStorage(engine), replier=servers.replier(3))
    server = await servers.serve(app, fake_slack)
    yield server
    await assert_still_serving(server, content)
    assert_no_secret_logged(logs)
    await servers.close()
    engine.dispose()


@fuzz_settings()
@given(payload=EVERY_KIND.flatmap(any_kind), as_form=st.booleans())
@example(
    payload={
        "type": "view_submission",
        "user": {"id": "U1"},
        "team": {"id": "T1"},
        "view": {"type": "modal", "callback_id": "cot_settings", "state": "values"},
    },
    as_form=True,
)
async def test_with_storage_only_the_kinds_the_app_handles_reach_bolt(
    stored_fuzzed, logs, payload, as_form
):
    slack = stored_fuzzed
    status, text = await send_payload(slack, payload, as_form)
    assert status in (200, 400), (status, text)
    assert "Traceback" not in text
    assert_never_unhandled_by_bolt(logs)
    assert "Slack request failed" not in logged(logs)
