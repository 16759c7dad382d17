"""Slack's retried events (X-Slack-Retry-Num) are acknowledged, never handled a second time."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.socket_mode.request import SocketModeRequest

from adapters.slack.socket_mode import SocketModeConnection
from tests.slack.conftest import SlackServer, sign

REASONS = ("http_timeout", "connection_failed", "http_error", "ssl_error", "unknown_error")
_numbers = itertools.count(1)


def home_opened(event_id: str, user: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": user, "tab": "home"},
        }
    )


async def deliver(
    slack: SlackServer, body: str, retry: int = 0, reason: str | None = None
) -> tuple[int, bool]:
    """Post an event as Slack does; its status, and whether Slack is told not to retry it."""
    headers = {"Content-Type": "application/json", **sign(body)}
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = reason or "http_timeout"
    async with slack.http.post(slack.url, data=body.encode(), headers=headers) as response:
        return response.status, response.headers.get("X-Slack-No-Retry") == "1"


def published_for(slack: SlackServer, user: str) -> int:
    return sum(1 for call in slack.fake.api_method("views.publish") if call.get("user_id") == user)


async def test_a_retry_of_an_event_already_taken_is_acknowledged_and_not_handled(slack):
    body = home_opened("Ev-retried", "URETRIED")
    assert await deliver(slack, body) == (200, False)
    await slack.fake.wait_for(slack.fake.api_url + "views.publish")
    for retry, reason in enumerate(REASONS, start=1):
        assert await deliver(slack, body, retry, reason) == (200, True)
    # an event after them is handled, so the retries had every chance to be handled too
    assert await deliver(slack, home_opened("Ev-after", "UAFTER")) == (200, False)
    await slack.fake.wait_for(slack.fake.api_url + "views.publish", n=2)
    assert published_for(slack, "URETRIED") == 1
    assert published_for(slack, "UAFTER") == 1


async def test_a_retry_whose_first_delivery_never_arrived_is_handled_once(slack):
    body = home_opened("Ev-lost", "ULOST")
    assert await deliver(slack, body, 1, "connection_failed") == (200, False)
    assert await deliver(slack, body, 2, "connection_failed") == (200, True)
    await slack.fake.wait_for(slack.fake.api_url + "views.publish")
    assert published_for(slack, "ULOST") == 1


DELIVERIES = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 4), st.sampled_from(REASONS)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(deliveries=DELIVERIES)
async def test_however_slack_retries_each_event_is_handled_at_most_once(slack, deliveries):
    run = next(_numbers)
    publish = slack.fake.api_url + "views.publish"
    before = len(slack.fake.api_method("views.publish"))
    events = {n: (f"Ev{run}-{n}", f"U{run}X{n}") for n in range(4)}
    handled: dict[int, int] = dict.fromkeys(events, 0)
    first_was_direct: dict[int, bool] = {}
    for n, retry, reason in deliveries:
        first_was_direct.setdefault(n, retry == 0)
        status, no_retry = await deliver(slack, home_opened(*events[n]), retry, reason)
        assert status == 200
        handled[n] += not no_retry
    assert all(count <= 1 for count in handled.values()), handled
    for n, direct in first_was_direct.items():
        if direct:
            assert handled[n] == 1, (n, deliveries)
    # every handled event is published, and the sentinel after them last of all
    await deliver(slack, home_opened(f"Ev{run}-sentinel", f"U{run}SENTINEL"))
    await slack.fake.wait_for(publish, n=before + sum(handled.values()) + 1)
    for n, (_, user) in events.items():
        assert published_for(slack, user) == handled[n]


def _envelope(event_id: str, attempt: int | None, reason: str | None) -> SocketModeRequest:
    payload: dict[str, Any] = json.loads(home_opened(event_id, "U1"))
    return SocketModeRequest(
        "events_api", f"env-{event_id}-{attempt}", payload, False, attempt, reason
    )


def test_in_socket_mode_a_retried_event_goes_to_bolt_once():
    connection = SocketModeConnection(None, "xapp-test")  # type: ignore[arg-type]
    assert connection.for_bolt(_envelope("Ev1", None, None))
    assert not connection.for_bolt(_envelope("Ev1", 1, "timeout"))
    assert not connection.for_bolt(_envelope("Ev1", 2, "http_timeout"))
    assert connection.for_bolt(_envelope("Ev2", 1, "connection_failed"))
    assert not connection.for_bolt(_envelope("Ev2", 2, "connection_failed"))
