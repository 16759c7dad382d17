"""The HTTP endpoint: check Slack's signature and the payload's kind and shape, then call Bolt.

Bolt 1.30 answers 500 to some signed payloads that are not JSON, not an object or not UTF-8, or of
kinds the app does not handle, and its signature check raises on an empty timestamp. Here those get
401, 400 or an empty 200 before Bolt sees them (see shape.py), and a retried event that arrived
before is acknowledged without being handled again (see deliveries.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy.exc import SQLAlchemyError

from adapters.slack.deliveries import Deliveries, retry_number
from adapters.slack.shape import JSON, Refused, judge_body
from adapters.web_server import HEALTH_PATH

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_BODY_BYTES = 512 * 1024


SIGNATURE_MAX_AGE_SECONDS = 5 * 60


def signature_ok(
    secret: bytes, body: bytes, timestamp: str | None, signature: str | None, now: float
) -> bool:
    """Whether `body` carries Slack's v0 signature with our secret, made in the last 5 minutes.

    Computed over the raw bytes, so a body that is not UTF-8 is judged by its signature first
    (slack_sdk's SignatureVerifier raises on such a body, and on an empty timestamp).
    """
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if not signature or not signature.isascii() or not signature.startswith("v0="):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
        return False
    expected = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return hmac.compare_digest("v0=" + expected.hexdigest(), signature)


def _get_request(request: web.Request) -> AsyncBoltRequest:
    # the OAuth pages are GETs: their body is never read, so one that is not UTF-8 cannot break them
    return AsyncBoltRequest(
        body="",
        query=request.query_string,
        headers=request.headers,  # type: ignore[arg-type]
    )


def _event_id(text: str, content_type: str) -> str | None:
    """An Events API request's event_id (only JSON bodies carry events)."""
    if content_type != JSON:
        return None
    event_id = json.loads(text).get("event_id")
    return event_id if isinstance(event_id, str) else None


def build_web_app(
    app: AsyncApp, signing_secret: str, now: Callable[[], float] | None = None
) -> web.Application:
    """An aiohttp application serving `app` at /slack/events (plus /healthz and OAuth pages)."""
    secret = signing_secret.encode()
    clock = now or time.time
    deliveries = Deliveries()

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        if not signature_ok(
            secret,
            body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            clock(),
        ):
            return web.Response(status=401, text="invalid request signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return web.Response(status=400, text="body is not UTF-8")
        verdict = judge_body(request.content_type, text)
        if isinstance(verdict, Refused):
            log.info("refused a signed request: %s", verdict.reason)
            return web.Response(status=400, text=verdict.reason)
        if verdict == "ignore":
            return web.Response(status=200)
        if not deliveries.first_time(
            _event_id(text, request.content_type),
            retry_number(request.headers.get("X-Slack-Retry-Num")),
            request.headers.get("X-Slack-Retry-Reason"),
        ):
            log.info("ignored a retried event that was delivered before")
            return web.Response(status=200, headers={"X-Slack-No-Retry": "1"})
        try:
            bolt_request = AsyncBoltRequest(
                body=text,
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            log.info("refused a signed request Bolt cannot read: %s", type(exc).__name__)
            return web.Response(status=400, text="payload does not have Slack's shape")
        try:
            bolt_response = await app.async_dispatch(bolt_request)
        except Exception as exc:
            log.error("Slack request failed: %s", type(exc).__name__)
            return web.Response(status=500, text="internal error")
        if bolt_response.status == 404:
            # a kind the app handles only with storage (the settings form, uninstall events)
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post(EVENTS_PATH, events)
    web_app.router.add_get(HEALTH_PATH, health)
    flow = app.oauth_flow
    if flow is not None:
        # imported here: install.py reaches this module through manifest.py
        from adapters.storage.installations import MOST_LIVE_STATES, STATE_SECONDS, TooManyInstalls

        refused_since_warning: list[float] = []

        async def install(request: web.Request) -> web.Response:
            try:
                response = await flow.handle_installation(_get_request(request))
            except TooManyInstalls:
                # one warning per burst, however many visits it refuses
                if not refused_since_warning or clock() - refused_since_warning[0] > STATE_SECONDS:
                    log.warning(
                        "install links refused: %d are open already (more than real installs "
                        "need; someone may be loading /slack/install over and over)",
                        MOST_LIVE_STATES,
                    )
                    refused_since_warning[:] = [clock()]
                return web.Response(
                    status=429,
                    headers={"Retry-After": str(STATE_SECONDS)},
                    text="Too many installs were started in the last few minutes; "
                    "please try again in ten minutes.",
                )
            except SQLAlchemyError as exc:
                log.warning("an install link could not be stored (%s)", type(exc).__name__)
                return web.Response(
                    status=503,
                    headers={"Retry-After": "60"},
                    text="Installing is not possible just now; please try again in a minute.",
                )
            return await to_aiohttp_response(response)

        async def callback(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(_get_request(request)))

        web_app.router.add_get(flow.install_path, install)
        web_app.router.add_get(flow.redirect_uri_path, callback)
    return web_app
