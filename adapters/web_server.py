"""Serving over HTTP on HOST:PORT: one listener per process, shared by the platforms called over
HTTP (Slack's HTTP mode, Teams), each platform's routes mounted on it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from adapters.platform import CannotStart
from adapters.settings import Settings

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
"""Answers ok while the process serves; a path every HTTP platform may serve (served once)."""


@dataclass(frozen=True)
class _Mounted:
    app: web.Application
    what: str


class WebServer:
    """The process's one HTTP listener on HOST:PORT.

    Each platform called over HTTP hands it its aiohttp application with `serving`. The socket
    opens once all `platforms` of them have (one application is served as it is; several are
    joined into one, their routes side by side), and closes, for them all, as soon as one
    leaves: when one platform stops the process is stopping, and no platform should take new
    requests while another winds down.
    """

    def __init__(self, settings: Settings, platforms: int = 1) -> None:
        self._settings = settings
        self._expected = platforms
        self._mounted: list[_Mounted] = []
        self._ready = asyncio.Event()
        self._failure: BaseException | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None

    @contextlib.asynccontextmanager
    async def serving(self, app: web.Application, what: str, path: str) -> AsyncIterator[None]:
        """Serve `app`'s routes on HOST:PORT while the block runs; CannotStart, in one line,
        when the address cannot be had or the routes clash with another platform's. `what`
        and `path` name it in the start-up line."""
        if len(self._mounted) == self._expected:
            raise RuntimeError(f"{what} asked for HOST:PORT beyond the {self._expected} expected")
        self._mounted.append(_Mounted(app, what))
        if len(self._mounted) == self._expected:
            try:
                self._runner = await self._start()
            except BaseException as exc:
                self._failure = exc
                raise
            finally:
                self._ready.set()
        else:
            await self._ready.wait()
            if self._failure is not None:
                raise self._failure
        settings = self._settings
        log.info("%s listening on http://%s:%s%s", what, settings.host, settings.port, path)
        try:
            yield
        finally:
            await self._stop()

    async def _stop(self) -> None:
        """Stop listening, letting requests in flight finish; once, whoever asks first."""
        if self._stopped is not None:
            await self._stopped.wait()
            return
        self._stopped = asyncio.Event()
        try:
            if self._runner is not None:
                await self._runner.cleanup()
        finally:
            self._stopped.set()

    async def _start(self) -> web.AppRunner:
        # no line per request: a click would be all that is logged; a proxy in front keeps
        # access logs if they are wanted
        runner = web.AppRunner(_joined(self._mounted), access_log=None)
        await runner.setup()
        host, port = self._settings.host, self._settings.port
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            await runner.cleanup()
            raise CannotStart(
                f"cannot listen on {host}:{port} ({exc.strerror}); "
                "set HOST and PORT to a free address"
            ) from None
        return runner


def _joined(mounted: Sequence[_Mounted]) -> web.Application:
    """One application serving every route of these: the only one as it is, else a new one
    with all their routes, each platform's body limit kept; CannotStart when two serve one
    path (other than /healthz, served by the first)."""
    if len(mounted) == 1:
        return mounted[0].app
    # aiohttp reads a body's limit from the application that made the request, the root one;
    # it has no public way to ask an application for its own
    # only routes are copied onto the shared application
    for m in mounted:
        if _hooks(m.app) != _hooks(web.Application()):
            raise RuntimeError(f"{m.what}'s application has middlewares or signals to share")
    largest = max(m.app._client_max_size for m in mounted)
    root = web.Application(client_max_size=largest)
    owners: dict[str, str] = {}
    for m in mounted:
        limit = m.app._client_max_size
        for resource in m.app.router.resources():
            path = resource.canonical
            owner = owners.setdefault(path, m.what)
            if owner != m.what:
                if path == HEALTH_PATH:
                    continue
                raise CannotStart(
                    f"{owner} and {m.what} both serve {path}, so they cannot share HOST:PORT; "
                    "run each with its own command and a PORT of its own"
                )
            for route in resource:
                handler = route.handler if limit == largest else _limited(route.handler, limit)
                root.router.add_route(route.method, path, handler)
    return root


def _hooks(app: web.Application) -> tuple[int, ...]:
    """How many middlewares and signal handlers an application has (a new one has a few)."""
    signals = (app.on_startup, app.on_shutdown, app.on_cleanup, app.cleanup_ctx)
    return (len(app.middlewares), *(len(signal) for signal in signals))


def _limited(handler: Handler, client_max_size: int) -> Handler:
    """The handler, reading at most `client_max_size` bytes of a request's body (the shared
    application's limit is the largest of the platforms')."""

    async def limited(request: web.Request) -> web.StreamResponse:
        return await handler(request.clone(client_max_size=client_max_size))

    return limited
