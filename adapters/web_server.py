"""Serving an aiohttp app on HOST:PORT, for the platforms that call the bot over HTTP."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from adapters.platform import CannotStart
from adapters.settings import Settings

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def listening(
    app: web.Application, settings: Settings, what: str, path: str
) -> AsyncIterator[None]:
    """Serve `app` on HOST:PORT while the block runs; CannotStart, in one line, when the
    address cannot be had. `what` and `path` name it in the start-up line."""
    # no line per request: a click would be all that is logged; a proxy in front keeps access
    # logs if they are wanted
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise CannotStart(
            f"cannot listen on {settings.host}:{settings.port} ({exc.strerror}); "
            "set HOST and PORT to a free address"
        ) from None
    log.info("%s listening on http://%s:%s%s", what, settings.host, settings.port, path)
    try:
        yield
    finally:
        await runner.cleanup()
