"""Slack's servers misbehaving: 500s, 429 with Retry-After, answers slower than the client waits,
hang-ups and refused connections. The person gets one clear line where any way to reach them is
left; the app lives on, and the next conversation works.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.runtime import build_runtime
from adapters.slack.app import build_app, web_client
from adapters.storage.interface import NoStorage
from tests.loopback import free_port
from tests.reliability.conftest import FaultySlack, finish_on_slack, wait_for_log
from tests.slack.conftest import (
    Person,
    Servers,
    SlackServer,
    button,
    shown_text,
    slack_settings,
)

REPLY_TIMEOUT = 0.5
API_TIMEOUT = 1


@pytest.fixture
async def start(fake_slack: FaultySlack, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """The real app whose Slack clients give up sooner than in production (same code, shorter
    waits), so a slow Slack is tested in a second rather than a minute."""
    servers = Servers()

    async def serve(**settings: Any) -> SlackServer:
        runtime = build_runtime(slack_settings(fake_slack, tmp_path, **settings))
        client = web_client(runtime)
        client.timeout = API_TIMEOUT
        app = build_app(runtime, NoStorage(), replier=servers.replier(REPLY_TIMEOUT), client=client)
        server = await servers.serve(app, fake_slack)
        server.web_client = client  # type: ignore[attr-defined]
        return server

    yield serve
    await servers.close()


async def notice_for(server: SlackServer) -> dict[str, Any]:
    return (await server.fake.wait_for(f"{server.fake.base}/api/chat.postEphemeral"))[0]


async def test_a_response_url_slower_than_the_timeout_is_retried_then_told(start, content):
    server = await start()
    person = Person(server)
    await person.start()
    server.fake.slow_next_response(REPLY_TIMEOUT * 4, times=3)
    url = await server.click(button(person.message, "No"))
    notice = await notice_for(server)
    assert notice["text"] == content.messages["notices.reply_failed"]
    assert notice["user"] == "U1"
    assert len(server.fake.tries(url)) == 3, "one try and two retries"
    await finish_on_slack(Person(server, user="U2"), content)


async def test_a_response_url_slow_once_is_retried_and_the_question_arrives(start, content):
    server = await start()
    person = Person(server)
    await person.start()
    server.fake.slow_next_response(REPLY_TIMEOUT * 4)
    url = await server.click(button(person.message, "No"))
    replies = await server.fake.wait_for(url)
    assert "Question 2 of 9" in shown_text(replies[0])
    assert server.fake.api_method("chat.postEphemeral") == []


async def test_retry_after_is_honoured_on_a_response_url(start, content):
    server = await start()
    person = Person(server)
    await person.start()
    server.fake.fail_next_response(429, **{"Retry-After": "1"})
    url = await server.click(button(person.message, "No"))
    replies = await server.fake.wait_for(url, n=2)
    assert "Question 2 of 9" in shown_text(replies[-1])
    first, second = server.fake.tries(url)
    assert second - first >= 0.9, "the retry waited for Retry-After"


async def test_a_response_url_rate_limited_throughout_gets_one_line(start, content):
    server = await start()
    person = Person(server)
    await person.start()
    server.fake.fail_next_response(429, times=3, **{"Retry-After": "0"})
    await server.click(button(person.message, "No"))
    assert (await notice_for(server))["text"] == content.messages["notices.reply_failed"]
    assert len(server.fake.api_method("chat.postEphemeral")) == 1


async def test_a_hang_up_is_retried_and_the_question_arrives(start, content):
    server = await start()
    person = Person(server)
    await person.start()
    url = server.fake.response_url()
    server.fake.hang_up(url.removeprefix(server.fake.base))
    await server.click(button(person.message, "No"), response_url=url)
    replies = await server.fake.wait_for(url)
    assert "Question 2 of 9" in shown_text(replies[0])


async def test_when_no_way_to_reach_the_person_is_left_the_app_lives_on(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    person = Person(server)
    await person.start()
    server.fake.fail_next_response(500, times=3)
    server.fake.fail("/api/chat.postEphemeral", 500, times=3)
    await server.click(button(person.message, "No"))
    await wait_for_log(caplog, "could not tell the person their reply failed")
    await finish_on_slack(Person(server, user="U2"), content)


async def test_a_web_api_slower_than_its_timeout_leaves_the_app_working(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    server.fake.slow("/api/views.publish", API_TIMEOUT * 3, times=3)
    assert await server.event({"type": "app_home_opened", "user": "U7", "tab": "home"}) == 200
    await finish_on_slack(Person(server), content)
    await wait_for_log(caplog, "could not publish the Home tab", timeout=15)
    assert len(server.fake.tries(f"{server.fake.base}/api/views.publish")) == 3


async def test_web_api_500_throughout_leaves_the_app_working(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    server.fake.fail("/api/views.publish", 500, times=3)
    assert await server.event({"type": "app_home_opened", "user": "U7", "tab": "home"}) == 200
    await server.fake.wait_for(f"{server.fake.base}/api/views.publish", n=0)
    await wait_for_log(caplog, "could not publish the Home tab")
    await finish_on_slack(Person(server), content)


async def test_connection_refused_everywhere_then_slack_returns(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    person = Person(server)
    await person.start()
    # replies and the Web API both go to a port nobody listens on
    gone = f"http://127.0.0.1:{free_port()}"
    server.web_client.base_url = f"{gone}/api/"
    await server.click(button(person.message, "No"), response_url=f"{gone}/respond/1")
    await wait_for_log(caplog, "could not tell the person their reply failed", timeout=15)
    # the same conversation carries on once Slack answers again
    server.web_client.base_url = server.fake.api_url
    await finish_on_slack(person, content)


async def test_slack_answering_errors_at_start_still_lets_people_in(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    server.fake.fail("/api/auth.test", 500, times=3)
    person = Person(server)
    assert "Question 1 of 9" in shown_text(await person.start())
    assert "auth.test failed (HTTP 500)" in caplog.text
    await finish_on_slack(person, content)


async def test_slack_unreachable_at_start_still_lets_people_in(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start(slack_api_url=f"http://127.0.0.1:{free_port()}/api/")
    person = Person(server)
    # the first question comes in the command's HTTP response, the rest through response_urls
    assert "Question 1 of 9" in shown_text(await person.start())
    assert "auth.test failed (ClientConnectorError)" in caplog.text
    await finish_on_slack(person, content)


async def test_after_auth_test_fails_requests_do_not_wait_on_it_again(start, content, caplog):
    caplog.set_level(logging.WARNING)
    server = await start()
    server.fake.fail("/api/auth.test", 500, times=1)
    first, second = Person(server), Person(server)
    assert "Question 1 of 9" in shown_text(await first.start())
    assert "Question 1 of 9" in shown_text(await second.start())
    await finish_on_slack(first, content)
    # one quick try, no retries, then a pause: Slack's 3 seconds stay for the people
    assert len(server.fake.api_method("auth.test")) == 1
