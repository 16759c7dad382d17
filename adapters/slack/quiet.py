"""Keeps people's buttons, answers and messages out of Bolt's and slack_sdk's log lines.

Bolt and slack_sdk log whole request and response bodies at DEBUG, and Bolt's warnings quote
action ids and button values, which carry a person's answers. Every logger they use here goes
through one filter that drops their DEBUG records and blanks anything shaped like our buttons.
"""

from __future__ import annotations

import logging
import re

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError

from bot.state import TOKEN_SHAPE

PLATFORM_LOGGER = "adapters.slack.platform"
_LIBRARIES = ("slack_bolt", "slack_sdk", "slack")

_SENSITIVE = re.compile(
    r"(?<![A-Za-z0-9_-])" + TOKEN_SHAPE + r"(?![A-Za-z0-9_-])"
    r"|cot:[a-z][0-9]?"
    r"|(['\"](?:value|text|blocks|payload)['\"]\s*:\s*)(?:'[^']*'|\"(?:[^\"\\]|\\.)*\"|\[.*\])"
)


# Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns, on every start, that
# the client given to it (with its retries and SLACK_API_URL) wins: true, intended, and nothing
# an operator can act on.
_UNACTIONABLE = frozenset({warning_client_prioritized_and_token_skipped()})


def _blank(match: re.Match[str]) -> str:
    return (match.group(1) or "") + "[hidden]"


class HidePayloads(logging.Filter):
    """Drops DEBUG records and notices no one can act on; hides button values, action ids and
    texts in the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop DEBUG records and unactionable notices; hide the sensitive parts of the rest."""
        if record.levelno < max(logging.INFO, logging.getLogger().level):
            return False
        message = record.getMessage()
        if message in _UNACTIONABLE:
            return False
        hidden = _SENSITIVE.sub(_blank, message)
        if hidden != message:
            record.msg, record.args = hidden, None
        return True


_FILTER = HidePayloads()


def _guard(logger: logging.Logger) -> None:
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    if logger.level < logging.INFO:
        logger.setLevel(logging.INFO)


def platform_logger() -> logging.Logger:
    """The logger to hand to Bolt, slack_sdk clients and Socket Mode: filtered, INFO at least."""
    logger = logging.getLogger(PLATFORM_LOGGER)
    _guard(logger)
    return logger


def guard_library_loggers() -> None:
    """Put the filter on every Bolt and slack_sdk logger created so far."""
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in _LIBRARIES or name.startswith(PLATFORM_LOGGER):
            _guard(logging.getLogger(name))


def failure(exc: BaseException) -> str:
    """Why a Web API call failed, safe to log: Slack's error code, the HTTP status or the type."""
    if isinstance(exc, SlackApiError):
        # a 5xx or 429 body is not JSON, so the response holds text, not an error field
        if isinstance(exc.response.data, dict):
            return str(exc.response.data.get("error", "unknown error"))
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__
