"""Hostile input at the real `coach-or-therapy teams` process, logging at DEBUG: generated
activities, signed or not, never get a 5xx; afterwards a walk-through completes, SIGTERM exits
0, and nothing it wrote holds a secret, a token or an answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.teams.conftest import SECRETS, Person, TeamsProcess, actions, shown_text
from tests.teams.fake_microsoft import BOT_TOKEN_PREFIX

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = (
    "type",
    "id",
    "from",
    "conversation",
    "recipient",
    "text",
    "name",
    "value",
    "locale",
    "channelData",
    "entities",
    "timestamp",
    "channelId",
)
KINDS = st.sampled_from(["message", "invoke", "conversationUpdate", "event", "typing", "x"])
VERBS = st.one_of(
    st.sampled_from(["cot:s", "cot:c0", "cot:c9", "cot:b", "cot:r", "cot:h", "cot:n", "cot:k"]),
    st.text(max_size=20),
    JSON,
)


@pytest.fixture(scope="module")
def fuzzed(microsoft, tmp_path_factory) -> Iterator[TeamsProcess]:
    process = TeamsProcess(microsoft, tmp_path_factory.mktemp("teams-fuzz")).start()
    yield process
    process.kill()


@st.composite
def activities(draw: st.DrawFn) -> dict[str, Any]:
    """An activity as Teams sends it with some fields replaced by anything at all."""
    kind = draw(KINDS)
    body: dict[str, Any] = {
        "type": kind,
        "id": "fuzz",
        "serviceUrl": "",  # filled in by the test with the fake's
        "channelId": "msteams",
        "from": {"id": "29:fuzz", "aadObjectId": "aad-fuzz"},
        "conversation": {
            "id": draw(st.sampled_from(["a:fuzz", "19:c@thread.tacv2"])),
            "conversationType": draw(st.sampled_from(["personal", "channel", "groupChat", "x"])),
            "tenantId": "t",
        },
        "text": draw(st.sampled_from(["hi", "card", "help", "<at>bot</at> card"])),
        "locale": "en-GB",
    }
    if kind == "invoke":
        body["name"] = draw(st.sampled_from(["adaptiveCard/action", "task/fetch"]))
        body["value"] = {
            "action": {
                "type": "Action.Execute",
                "verb": draw(VERBS),
                "data": draw(st.one_of(JSON, st.fixed_dictionaries({"token": JSON}))),
            }
        }
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        if draw(st.booleans()):
            body.pop(field, None)
        else:
            body[field] = draw(JSON)
    return body


def _assert_polite(status: int, answer: Any) -> None:
    assert status < 500, answer


@FUZZ
@given(body=activities())
async def test_signed_activities_of_any_shape_never_get_a_5xx(fuzzed, microsoft, http, body):
    body["serviceUrl"] = microsoft.service_url
    person = Person(fuzzed, microsoft, http, user="29:fuzz", aad="aad-fuzz")
    status, answer = await person.post(body)
    _assert_polite(status, answer)


@FUZZ
@given(value=JSON)
async def test_signed_json_of_any_kind_never_gets_a_5xx(fuzzed, microsoft, http, value):
    person = Person(fuzzed, microsoft, http)
    status, answer = await person.post(value)
    _assert_polite(status, answer)


@FUZZ
@given(body=st.binary(max_size=2048), header=st.sampled_from(["", "Bearer x", "Bearer a.b.c"]))
async def test_unsigned_bytes_get_401(fuzzed, microsoft, http, body, header):
    headers = {"Authorization": header, "Content-Type": "application/json"}
    async with http.post(fuzzed.url, data=body, headers=headers) as answer:
        assert answer.status == 401


async def test_signed_bodies_that_are_not_json_or_too_big_are_4xx(fuzzed, microsoft, http):
    for body in (b"\xff\xfe", b"{", b"[" * 5000, json.dumps({"text": "x" * 400_000}).encode()):
        headers = {"Authorization": f"Bearer {microsoft.mint()}"}
        async with http.post(fuzzed.url, data=body, headers=headers) as answer:
            assert 400 <= answer.status < 500


async def test_afterwards_it_still_works_and_logged_nothing_private(
    fuzzed, microsoft, http, content
):
    person = Person(fuzzed, microsoft, http, user="29:after", aad="aad-after")
    await person.say("hi")
    await person.click("No")
    for question in content.questions:
        await person.click(question.answers[1].label)
    assert "Where to go next" in shown_text(person.card)
    tokens = [a["data"].get("token") for a in actions(person.card) if a.get("data")]
    code, output = fuzzed.terminate()
    assert code == 0, output
    assert "DEBUG" in output, "the process did log at DEBUG"
    assert "Traceback" not in output
    for secret in SECRETS:
        assert secret not in output
    assert BOT_TOKEN_PREFIX not in output
    assert "eyJ" not in output, "no JWT in the log"
    for token in tokens:
        assert token not in output
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in output, answer.label
