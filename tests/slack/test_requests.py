"""Signatures, payload shapes and clicks that cannot be used: clear answers, nothing changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from adapters.runtime import build_runtime
from tests.conftest import CONTENT_ROOT
from tests.slack.conftest import (
    SIGNING_SECRET,
    Clock,
    Person,
    button,
    shown_text,
    sign,
    slack_settings,
)

FORM = "application/x-www-form-urlencoded"


def command_body(text=""):
    return urlencode(
        {
            "command": "/coach-or-therapy",
            "text": text,
            "user_id": "U1",
            "team_id": "T1",
            "channel_id": "C1",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "1",
        }
    )


async def test_forged_signature_gets_401(slack):
    body = command_body()
    headers = sign(body, secret="not-the-secret")
    status, _ = await slack.post(body, FORM, headers)
    assert status == 401


async def test_six_minute_old_timestamp_gets_401(slack):
    body = command_body()
    status, _ = await slack.post(body, FORM, sign(body, timestamp=int(time.time()) - 360))
    assert status == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": "later", "X-Slack-Signature": "v0=abc"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": ""},
    ],
)
async def test_missing_or_malformed_signature_headers_get_401(slack, headers):
    status, _ = await slack.post(command_body(), FORM, headers)
    assert status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (urlencode({"payload": "not json"}), FORM),
        (urlencode({"payload": "[1, 2]"}), FORM),
        (urlencode({"payload": json.dumps({"no": "type"})}), FORM),
        ("just words", FORM),
        ("[]", "application/json"),
        ("{not json", "application/json"),
        ("hello", "text/plain"),
    ],
)
async def test_signed_but_malformed_bodies_get_400(slack, body, content_type):
    status, text = await slack.post(body, content_type)
    assert status == 400, text
    assert not [c for c in slack.fake.calls if c.path.startswith("/respond/")]


async def test_signed_body_that_is_not_utf8_gets_400(slack):
    raw = b"payload=%7B%22type%22%3A\xff\xfe"
    ts = str(int(time.time()))
    mac = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + mac.hexdigest()}
    async with slack.http.post(
        slack.url, data=raw, headers={"Content-Type": FORM, **headers}
    ) as resp:
        assert resp.status == 400


async def test_a_click_with_a_broken_shape_is_acknowledged_and_ignored(slack):
    payload = {
        "type": "block_actions",
        "actions": [{"action_id": "cot:c1", "value": "x"}],
        "user": {"id": "U1"},
        "response_url": slack.fake.response_url(),
    }
    body = urlencode({"payload": json.dumps(payload)})
    status, _ = await slack.post(body, FORM)
    assert status == 200
    assert not [c for c in slack.fake.calls if c.path.startswith("/respond/")]


async def test_the_app_still_works_after_bad_requests(slack):
    await slack.post(urlencode({"payload": "not json"}), FORM)
    message = await Person(slack).start()
    assert "Question 1 of 9" in shown_text(message)


async def test_someone_elses_buttons_are_refused_kindly(slack):
    owner = Person(slack, user="U1")
    await owner.start()
    await owner.click("No")
    their_message = owner.message
    other = Person(slack, user="U2")
    reply = await other.click("Back", on=their_message)
    assert reply["replace_original"] is False
    assert reply["response_type"] == "ephemeral"
    assert "belong to someone else" in shown_text(reply)
    # the owner's conversation is untouched and carries on
    reply = await owner.click("Back")
    assert "Question 1 of 9" in shown_text(reply)


async def test_a_value_from_another_workspace_is_refused(slack):
    owner = Person(slack, user="U1", team="T1")
    await owner.start()
    stranger = Person(slack, user="U1", team="T2")
    reply = await stranger.click("No", on=owner.message)
    assert "belong to someone else" in shown_text(reply)


async def test_an_edited_value_is_refused(slack):
    person = Person(slack)
    await person.start()
    no = dict(button(person.message, "No"))
    no["value"] = no["value"][:-1] + ("A" if no["value"][-1] != "A" else "B")
    url = await slack.click(no)
    reply = (await slack.fake.wait_for(url))[0]
    assert "couldn't read that button" in shown_text(reply)


async def test_an_expired_walk_through_gets_its_message(serve):
    clock = Clock()
    person = Person(await serve(clock=clock))
    await person.start()
    clock.now += 25 * 3600
    reply = await person.click("No")
    assert reply["replace_original"] is False
    assert "too old to continue" in shown_text(reply)
    reply = await person.click("Start", on=reply)
    assert "Question 1 of 9" in shown_text(reply)


async def test_changed_content_gets_its_message(serve, fake_slack, tmp_path: Path):
    person = Person(await serve())
    await person.start()
    changed = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT, changed, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    # scoring changes, in every locale alike (a wording fix alone would keep open conversations
    # valid)
    for conversation in changed.glob("*/conversation.yaml"):
        text = conversation.read_text(encoding="utf-8")
        margin = next(line for line in text.splitlines() if line.strip().startswith("margin:"))
        conversation.write_text(
            text.replace(margin, margin.split(":")[0] + ": 7"), encoding="utf-8"
        )
    runtime = build_runtime(slack_settings(fake_slack, tmp_path, content_dir=changed))
    person.server = await serve(runtime=runtime)
    reply = await person.click("No")
    assert "questions have been updated" in shown_text(reply)


async def test_slack_can_verify_the_request_url(slack):
    body = json.dumps(
        {
            "type": "url_verification",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "token": "x",
        }
    )
    status, text = await slack.post(body, "application/json")
    assert status == 200
    assert json.loads(text) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_health_check_answers_ok(slack):
    async with slack.http.get(slack.url.replace("/slack/events", "/healthz")) as resp:
        assert resp.status == 200
        assert await resp.text() == "ok"
