"""The one log filter hides what Teams carries: JWTs, bearer tokens, the app password's form and
the verbs and tokens of card buttons, whichever logger writes them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import log_privacy
from adapters.teams.render import execute
from bot.effects import Action
from bot.events import Choose
from tests.teams.fake_microsoft import FakeMicrosoft

LOGGERS = ("microsoft_agents.hosting.core", "aiohttp.client", "adapters.teams.server", "jwt")


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    log_privacy.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture(scope="module")
def minted() -> str:
    fake = FakeMicrosoft()
    return fake.mint(serviceurl="https://smba.trafficmanager.net/amer/")


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(LOGGERS), extra=st.text("abcXYZ019_-", max_size=20))
def test_no_jwt_reaches_a_log_line(output, minted, name, extra):
    token = minted + extra
    logger = logging.getLogger(name)
    logger.setLevel(logging.DEBUG)
    start = output.tell()
    logger.debug("headers %s", f"{{'Authorization': 'Bearer {token}'}}")
    logger.warning("token=%s", token)
    logger.info(f"refused {token} for now")
    try:
        raise ValueError(f"bad token {token}")
    except ValueError:
        logger.exception("failed")
    written = output.getvalue()[start:]
    assert "refused" in written and "failed" in written
    assert minted.split(".")[1] not in written
    assert minted.split(".")[2][:20] not in written


def test_a_card_buttons_verb_and_token_never_reach_a_log_line(output):
    token = "A" * 33 + "01"
    button = execute(Action(Choose(2), "Quite a lot, most weeks"), token)
    logging.getLogger("adapters.teams.conversations").warning("sending %s", str(button))
    logging.getLogger("adapters.teams.conversations").warning(f"sending {button}")
    written = output.getvalue()
    assert "Quite a lot" not in written
    assert "cot:c2" not in written
    assert token not in written
