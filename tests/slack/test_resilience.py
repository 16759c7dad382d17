"""Slack trouble is retried then told in one line; nothing crashes; no answer reaches a log."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from tests.slack.conftest import Person, button, shown_text


async def _click_and_wait(slack, message, label, posts):
    url = await slack.click(button(message, label))
    return url, await slack.fake.wait_for(url, n=posts)


async def test_a_response_url_answering_500_is_retried(slack):
    person = Person(slack)
    await person.start()
    slack.fake.fail_next_response(500)
    _, posts = await _click_and_wait(slack, person.message, "No", posts=2)
    assert "Question 2 of 9" in shown_text(posts[1])
    assert posts[0] == posts[1]


async def test_a_response_url_answering_429_waits_and_retries(slack):
    person = Person(slack)
    await person.start()
    slack.fake.fail_next_response(429, **{"Retry-After": "0"})
    _, posts = await _click_and_wait(slack, person.message, "No", posts=2)
    assert "Question 2 of 9" in shown_text(posts[1])


async def test_a_response_url_that_times_out_is_tried_again(serve):
    slack = await serve(reply_timeout=0.5)
    person = Person(slack)
    await person.start()
    slack.fake.stall_next_response(2)
    _, posts = await _click_and_wait(slack, person.message, "No", posts=2)
    assert "Question 2 of 9" in shown_text(posts[1])
    assert not slack.fake.api_method("chat.postEphemeral")


async def test_a_response_url_that_keeps_failing_is_told_in_one_line(slack, content):
    person = Person(slack)
    await person.start()
    slack.fake.fail_next_response(503, times=3)
    await slack.click(button(person.message, "No"))
    notice = (await slack.fake.wait_for(f"{slack.fake.base}/api/chat.postEphemeral"))[0]
    assert notice["user"] == "U1" and notice["channel"] == "C1"
    assert notice["text"] == content.messages["notices.reply_failed"]
    # the app is still serving
    assert "Question 1 of 9" in shown_text(await Person(slack).start())


async def test_an_unreachable_response_url_is_retried_then_told(slack, content):
    person = Person(slack)
    await person.start()
    await slack.click(button(person.message, "No"), response_url="http://127.0.0.1:9/closed")
    notice = (await slack.fake.wait_for(f"{slack.fake.base}/api/chat.postEphemeral"))[0]
    assert notice["text"] == content.messages["notices.reply_failed"]


async def test_web_api_500_and_429_are_retried(slack):
    slack.fake.fail("/api/views.publish", 500)
    slack.fake.fail("/api/views.publish", 429, **{"Retry-After": "0"})
    await slack.event({"type": "app_home_opened", "user": "U7", "tab": "home"})
    published = await slack.fake.wait_for(f"{slack.fake.base}/api/views.publish", n=3)
    assert len(published) == 3
    assert published[-1]["view"]["type"] == "home"


async def test_web_api_errors_do_not_crash_the_app(slack):
    slack.fake.api_errors["views.publish"] = "not_authed"
    slack.fake.api_errors["chat.postMessage"] = "channel_not_found"
    slack.fake.api_errors["chat.postEphemeral"] = "channel_not_found"
    assert await slack.event({"type": "app_home_opened", "user": "U7", "tab": "home"}) == 200
    await slack.fake.wait_for(f"{slack.fake.base}/api/views.publish")
    start = {"action_id": "cot:s", "text": {"type": "plain_text", "text": "Start"}}
    await slack.click(start, user="U7", view=True)
    await slack.fake.wait_for(f"{slack.fake.base}/api/chat.postMessage", n=2)
    assert "Question 1 of 9" in shown_text(await Person(slack).start())


async def test_no_answer_reaches_any_log_line(slack, content, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "aiohttp", "adapters"):
        caplog.set_level(logging.DEBUG, logger=name)
    person = Person(slack)
    await person.start()
    await person.click("I'm not sure")
    await person.click("Continue")
    chosen = []
    for question in content.questions:
        answer = question.answers[1]
        chosen.append(answer)
        await person.click(answer.label)
    await person.click("See the full comparison")
    # a refused click, a retried reply and a malformed request also log
    await Person(slack, user="U9").click("Start over", on=person.message)
    slack.fake.fail_next_response(500)
    await person.click("Start over")
    await slack.post(urlencode({"payload": "not json"}), "application/x-www-form-urlencoded")

    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "refused a signed request" in logged, "the capture sees the app's own lines"
    tokens = [b.get("value") for reply in person.replies for b in _buttons(reply)]
    assert tokens and all(t not in logged for t in tokens if t)
    assert "cot:c" not in logged
    for answer in chosen:
        assert answer.label not in logged
        assert f'"{answer.id}"' not in logged
    result_title = "Therapy or counselling might be worth exploring"
    assert any(result_title in shown_text(r) for r in person.replies)
    assert result_title not in logged
    assert "Question 2 of 9" not in logged


def _buttons(message):
    return [
        e for b in message.get("blocks", []) if b.get("type") == "actions" for e in b["elements"]
    ]


async def test_a_response_url_outside_slack_is_never_called(slack, content):
    person = Person(slack)
    await person.start()
    # the same server under another name: reachable, but not Slack's (nor SLACK_API_URL's) host
    elsewhere = slack.fake.base.replace("127.0.0.1", "localhost") + "/respond/elsewhere"
    await slack.click(button(person.message, "No"), response_url=elsewhere)
    notice = (await slack.fake.wait_for(f"{slack.fake.base}/api/chat.postEphemeral"))[0]
    assert notice["text"] == content.messages["notices.reply_failed"]
    assert not slack.fake.at(f"{slack.fake.base}/respond/elsewhere")
