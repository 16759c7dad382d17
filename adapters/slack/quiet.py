"""The logger Bolt and slack_sdk are handed, and a log-safe description of a failed Web API call.

Bolt and slack_sdk log whole request and response bodies at DEBUG and quote button values in
their warnings; adapters/log_privacy.py scrubs every record, and the logger given to them here
never logs below INFO.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError

from adapters.log_privacy import leave_out, quiet_logger

PLATFORM_LOGGER = "adapters.slack.platform"

SLACK_TROUBLE = (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError)
"""What a Web API call raises when Slack is slow, away or says no."""


def platform_logger() -> logging.Logger:
    """The logger to hand to Bolt, slack_sdk clients and Socket Mode: scrubbed, INFO at least."""
    from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

    # Bolt reads SLACK_BOT_TOKEN from the environment itself and then warns, on every start,
    # that the client given to it (with its retries and SLACK_API_URL) wins: true, intended, and
    # nothing an operator can act on
    leave_out(warning_client_prioritized_and_token_skipped())
    return quiet_logger(PLATFORM_LOGGER)


def failure(exc: BaseException) -> str:
    """Why a Web API call failed, safe to log: Slack's error code, the HTTP status or the type."""
    if isinstance(exc, SlackApiError):
        # a 5xx or 429 body is not JSON, so the response holds text, not an error field
        if isinstance(exc.response.data, dict):
            return str(exc.response.data.get("error", "unknown error"))
        return f"HTTP {exc.response.status_code}"
    return type(exc).__name__
