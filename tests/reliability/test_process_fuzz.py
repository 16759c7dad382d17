"""Hostile input at the real `coach-or-therapy slack` process, logging at DEBUG: it answers every
request without a 500, still serves a walk-through afterwards, exits 0 on SIGTERM, and nothing it
wrote holds a secret or an answer.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.conftest import PROCESS_STATE_SECRET, finish_on_slack, fuzz_settings
from tests.reliability.test_slack_fuzz import (
    CONTENT_TYPES,
    JSON_VALUES,
    SLACK_TYPES,
    assert_polite,
    send,
    shaped,
    signed,
)
from tests.slack.conftest import BOT_TOKEN, SIGNING_SECRET, Person, SlackServer

pytestmark = pytest.mark.slow

FORM = "application/x-www-form-urlencoded"


def _as_form(payload: Any) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


REQUESTS = st.one_of(
    st.tuples(st.binary(max_size=2048), CONTENT_TYPES, st.just(True)),
    st.tuples(st.binary(max_size=512), CONTENT_TYPES, st.just(False)),
    st.tuples(JSON_VALUES.map(_as_form), st.just(FORM), st.just(True)),
    st.tuples(SLACK_TYPES.flatmap(shaped).map(_as_form), st.just(FORM), st.just(True)),
    st.tuples(
        st.text(max_size=3000).map(
            lambda text: urlencode(
                {"command": "/coach-or-therapy", "text": text, "user_id": "U1", "team_id": "T1"}
                | {"channel_id": "C1"}
            ).encode()
        ),
        st.just(FORM),
        st.just(True),
    ),
)


@pytest.fixture
async def fuzzed_process(slack_process, http, fake_slack, content) -> AsyncIterator[SlackServer]:
    process = await slack_process(http, log_level="DEBUG")
    server = SlackServer(process.url, fake_slack, http)
    yield server
    await finish_on_slack(Person(server, user="UAFTER"), content)
    code, output = await process.terminate()
    assert code == 0, output
    assert "Traceback" not in output
    assert "DEBUG" in output, "the process did log at DEBUG"
    for secret in (SIGNING_SECRET, BOT_TOKEN, PROCESS_STATE_SECRET):
        assert secret not in output
    for question in content.questions:
        for answer in question.answers:
            assert answer.label not in output


@fuzz_settings()
@given(request=REQUESTS)
async def test_the_real_process_takes_anything_and_stays_up(fuzzed_process, request):
    body, content_type, is_signed = request
    status, text = await send(fuzzed_process, body, content_type, signed(body) if is_signed else {})
    assert_polite(status, text)
    if not is_signed:
        assert status == 401
