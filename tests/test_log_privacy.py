"""Every log line, whichever library writes it, is scrubbed of secrets, tokens and people's words.

The lines go through real loggers of the libraries that write them (discord.py, aiohttp, Bolt,
asyncio, our own) and a handler formatted as `coach-or-therapy` formats its output.
"""

from __future__ import annotations

import io
import logging
import string
from collections.abc import Iterator

import discord
import pytest
import yarl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters import log_privacy

URL_SAFE = string.ascii_letters + string.digits + "-_"


def _like_a_secret(text: str) -> bool:
    # a letter, so that no secret can be mistaken for the digits of an id beside it, and a
    # digit, so that none can be a word the log line holds anyway ("Authorization", a logger)
    return any(c.isalpha() for c in text) and any(c.isdigit() for c in text)


SECRET = st.text(URL_SAFE + ".~", min_size=12, max_size=300).filter(_like_a_secret)
ALNUM_SECRET = st.text(string.ascii_letters + string.digits, min_size=12, max_size=80).filter(
    _like_a_secret
)
SNOWFLAKE = st.integers(10**16, 10**19).map(str)
LOGGERS = st.sampled_from(
    [
        "discord.http",
        "discord.webhook.async_",
        "discord.client",
        "aiohttp.access",
        "aiohttp.client",
        "asyncio",
        "adapters.slack.app",
        "adapters.discord.conversations",
        "slack_bolt.AsyncApp",
    ]
)


TEMPLATES = st.sampled_from(
    [
        "https://discord.com/api/v10/interactions/{id}/{secret}/callback",
        "https://discord.com/api/v10/webhooks/{id}/{secret}/messages/@original",
        "https://discord.com/api/v10/webhooks/{id}/{secret}?wait=true",
        "http://127.0.0.1:8080/api/v10/webhooks/{id}/{secret}",
        "https://hooks.slack.com/actions/T0ABC/{id}/{secret}",
        "https://hooks.slack.com/commands/T0ABC/{id}/{secret}",
        "https://hooks.slack-gov.com/services/T0ABC/B0ABC/{secret}",
        "/slack/oauth_redirect?code={secret}&state=x",
        "/slack/oauth_redirect?state={secret}&code=1.2",
    ]
)
SLACK_TOKENS = st.builds(
    "{}-{}-{}".format, st.sampled_from(["xoxb", "xoxp", "xapp"]), SNOWFLAKE, ALNUM_SECRET
)


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Everything written to the log, as the process's handler formats it, DEBUG included."""
    log_privacy.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def _log_in_every_way(name: str, url: str) -> None:
    logger = logging.getLogger(name)
    if name.startswith("slack"):
        level = logging.WARNING  # Slack's libraries never log below INFO here
    else:
        level = logging.DEBUG
        logger.setLevel(logging.DEBUG)
    logger.log(level, "%s %s with %s has returned %s", "POST", url, "<body>", 200)
    logger.log(level, f'127.0.0.1 "GET {url} HTTP/1.1" 429')
    logger.log(level, "fetching %s", yarl.URL(url) if url.startswith("http") else url)
    try:
        raise OSError(f"Cannot connect to {url}")
    except OSError:
        logger.log(level, "request failed", exc_info=True)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=LOGGERS, template=TEMPLATES, secret=SECRET, snowflake=SNOWFLAKE)
def test_no_secret_in_a_url_reaches_any_log_line(output, name, template, secret, snowflake):
    start = output.tell()
    _log_in_every_way(name, template.format(secret=secret, id=snowflake))
    written = output.getvalue()[start:]
    assert "Cannot connect to" in written and "POST" in written
    assert secret not in written


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=LOGGERS, token=SLACK_TOKENS)
def test_no_slack_token_reaches_any_log_line(output, name, token):
    start = output.tell()
    _log_in_every_way(name, f"https://slack.com/api/auth.test?token={token}")
    logging.getLogger(name).warning("Authorization: Bearer %s and %s", token, token)
    written = output.getvalue()[start:]
    assert token.split("-", 2)[2] not in written


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(label=st.text(string.ascii_letters + " '", min_size=6, max_size=60).filter(str.strip))
def test_no_button_label_reaches_a_log_line_through_an_items_repr(output, label):
    button = discord.ui.Button(label=label, custom_id="cot:c1:" + "A" * 33 + "01")
    view = discord.ui.View()
    view.add_item(button)
    start = output.tell()
    logging.getLogger("discord.ui.view").error(
        "Ignoring exception in view %r for item %r", view, button
    )
    logging.getLogger("discord.ui.view").error(f"Ignoring exception in view {view!r} {button!r}")
    written = output.getvalue()[start:]
    assert "Ignoring exception in view <View> for item <Button>" in written
    assert label not in written
    assert "A" * 33 not in written


def test_a_line_that_cannot_be_formatted_is_still_written_without_its_payload(output):
    logging.getLogger("adapters.test").warning("%d clicks from %s", "many", {"text": "private"})
    written = output.getvalue()
    assert "clicks from" in written
    assert "private" not in written
