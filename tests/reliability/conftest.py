"""Reliability tests reuse the loopback fakes and servers of the Slack and Discord suites."""

from __future__ import annotations

import logging
import os
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck

from bot.model import Content
from tests.discord.conftest import api_base, bot, fake, runtime, settings
from tests.slack.conftest import (
    BOT_TOKEN,
    SIGNING_SECRET,
    fake_slack,
    serve,
    shown_text,
    slack,
)

__all__ = [
    "api_base",
    "bot",
    "fake",
    "fake_slack",
    "runtime",
    "serve",
    "settings",
    "slack",
]

SLACK_STATE_SECRET = "state-secret-for-tests"
SECRETS = (SIGNING_SECRET, BOT_TOKEN, SLACK_STATE_SECRET, "discord-test-secret", "fake-token")
"""Every secret the servers under test hold; none may reach a log line."""

FUZZ_EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "60"))
"""Inputs per fuzz test; set RELIABILITY_EXAMPLES=2000 for a long run."""

hypothesis.settings.register_profile(
    "reliability",
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def fuzz_settings() -> hypothesis.settings:
    """Hypothesis settings for one fuzz test: bounded, no deadline, one server for every input."""
    return hypothesis.settings.get_profile("reliability")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log line at DEBUG, the app's and the libraries'."""
    caplog.set_level(logging.DEBUG)
    for name in ("slack_bolt", "slack_sdk", "aiohttp", "discord", "adapters", "bot"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def logged(caplog: pytest.LogCaptureFixture) -> str:
    """All captured log text, tracebacks included."""
    return "\n".join(
        record.getMessage() + "\n" + (record.exc_text or "") for record in caplog.records
    )


RESULT_TITLES = (
    "Coaching might be worth exploring",
    "Therapy or counselling might be worth exploring",
    "Both might be worth exploring",
)


async def finish_on_slack(person: Any, content: Content, answer: int = 0) -> dict[str, Any]:
    """Walk `person` from the safety question to a result; the result message they see."""
    if not person.message:
        await person.start()
    await person.click("No")
    for question in content.questions:
        await person.click(question.answers[answer].label)
    text = shown_text(person.message)
    assert any(title in text for title in RESULT_TITLES), text
    return person.message
