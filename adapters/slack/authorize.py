"""Authorizing requests with one workspace's bot token, even while Slack's Web API is away."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.quiet import failure

log = logging.getLogger(__name__)

Authorize = Callable[..., Awaitable[AuthorizeResult]]

_TROUBLE = (SlackApiError, SlackClientError, aiohttp.ClientError, OSError, TimeoutError)


def bot_token_authorize(token: str) -> Authorize:
    """Bolt's `authorize` for SLACK_BOT_TOKEN, remembering the first auth.test that succeeds.

    Bolt's own single-workspace check calls auth.test on the first request and, when Slack cannot
    be reached just then, answers that request with a 500 (or, when Slack answers an error, with
    "please install this app"). Until auth.test succeeds this lets requests through on the token
    alone: a walk-through needs nothing auth.test returns, and its replies travel in the HTTP
    response or through a response_url.
    """
    known: list[AuthorizeResult] = []

    async def authorize(
        enterprise_id: str | None, team_id: str | None, client: AsyncWebClient
    ) -> AuthorizeResult:
        if known:
            return known[0]
        try:
            response = await client.auth_test(token=token)
        except _TROUBLE as exc:
            log.warning("auth.test failed (%s); answering on the bot token alone", failure(exc))
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
        known.append(
            AuthorizeResult.from_auth_test_response(auth_test_response=response, bot_token=token)
        )
        return known[0]

    return authorize
