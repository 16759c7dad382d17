"""Authorizing requests with one workspace's bot token, even while Slack's Web API is away."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.quiet import SLACK_TROUBLE, failure

log = logging.getLogger(__name__)

Authorize = Callable[..., Awaitable[AuthorizeResult]]

AUTH_TEST_WAIT_SECONDS = 1.0
"""The longest a request waits on auth.test: Slack wants an answer within 3 seconds."""
AUTH_TEST_PAUSE_SECONDS = 30.0
"""After auth.test fails, requests use the token alone this long before it is tried again."""


def bot_token_authorize(token: str, clock: Callable[[], float] = time.monotonic) -> Authorize:
    """Bolt's `authorize` for SLACK_BOT_TOKEN, remembering the first auth.test that succeeds.

    Bolt's own single-workspace check calls auth.test on the first request and, when Slack cannot
    be reached just then, answers that request with a 500 (or, when Slack answers an error, with
    "please install this app"). Until auth.test succeeds this lets requests through on the token
    alone: a walk-through needs nothing auth.test returns, and its replies travel in the HTTP
    response or through a response_url. A request waits on auth.test for at most a second, and
    after a failure it is not tried again for half a minute.
    """
    known: list[AuthorizeResult] = []
    failed_at: list[float] = []

    async def authorize(
        enterprise_id: str | None, team_id: str | None, client: AsyncWebClient
    ) -> AuthorizeResult:
        if known:
            return known[0]
        token_alone = AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
        if failed_at and clock() - failed_at[-1] < AUTH_TEST_PAUSE_SECONDS:
            return token_alone
        try:
            # one quick try, without the app client's retries, so no request waits long on it
            probe = AsyncWebClient(
                base_url=client.base_url,
                timeout=int(AUTH_TEST_WAIT_SECONDS),
                logger=client.logger,
                retry_handlers=[],
            )
            response = await probe.auth_test(token=token)
        except SLACK_TROUBLE as exc:
            failed_at[:] = [clock()]
            log.warning("auth.test failed (%s); answering on the bot token alone", failure(exc))
            return token_alone
        known.append(
            AuthorizeResult.from_auth_test_response(auth_test_response=response, bot_token=token)
        )
        return known[0]

    return authorize
