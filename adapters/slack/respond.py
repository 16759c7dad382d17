"""Replies through a click's response_url, retried on 5xx, 429 and connection trouble."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.quiet import platform_logger

log = logging.getLogger(__name__)

RETRIES = 2
TIMEOUT_SECONDS = 10


def retry_handlers(retries: int = RETRIES) -> list[AsyncRetryHandler]:
    """slack_sdk's handlers for connection errors and timeouts, 429 (Retry-After) and 5xx."""
    return [
        AsyncConnectionErrorRetryHandler(
            max_retry_count=retries,
            error_types=[
                aiohttp.ServerConnectionError,
                aiohttp.ServerDisconnectedError,
                aiohttp.ClientOSError,
                TimeoutError,
            ],
        ),
        AsyncRateLimitErrorRetryHandler(max_retry_count=retries),
        AsyncServerErrorRetryHandler(max_retry_count=retries),
    ]


class Replier:
    """Posts messages to response_urls over one shared HTTP session."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS, retries: int = RETRIES) -> None:
        self._timeout = timeout
        self._handlers = retry_handlers(retries)
        self._logger = platform_logger()
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        return self._session

    async def send(self, url: str, message: dict[str, Any], *, replace_original: bool) -> bool:
        """Post `message` to `url`; True when Slack took it, False after the retries ran out."""
        body = dict(message)
        if replace_original:
            body["replace_original"] = True
        else:
            body["replace_original"] = False
            body["response_type"] = "ephemeral"
        client = AsyncWebhookClient(
            url,
            session=self._open_session(),
            logger=self._logger,
            retry_handlers=self._handlers,
        )
        try:
            response = await client.send_dict(body)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning("reply to response_url failed: %s", type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("reply to response_url refused with HTTP %s", response.status_code)
            return False
        return True

    async def close(self) -> None:
        """Close the shared session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
