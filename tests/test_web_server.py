"""The process's one HTTP listener, shared by platforms: their routes side by side on one port,
one /healthz, each platform's body limit, clashes refused at start-up, closed for all when one
leaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from adapters.platform import CannotStart
from adapters.web_server import HEALTH_PATH, WebServer
from tests.configured import settings_of
from tests.loopback import free_port, wait_until_healthy


def _app(path: str, answer: str, client_max_size: int = 1024**2) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        return web.Response(text=f"{answer} read {len(await request.read())}")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=client_max_size)
    app.router.add_post(path, handle)
    app.router.add_get(HEALTH_PATH, health)
    return app


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _server(port: int, platforms: int) -> WebServer:
    return WebServer(settings_of(host="127.0.0.1", port=port), platforms=platforms)


async def _serve(server: WebServer, app: web.Application, what: str, stop: asyncio.Event) -> None:
    async with server.serving(app, what, "/"):
        await stop.wait()


async def test_two_platforms_share_one_port_each_with_its_routes_and_limit(http):
    port = free_port()
    server, stop = _server(port, 2), asyncio.Event()
    serving = [
        asyncio.create_task(_serve(server, _app("/one", "first", 100), "First", stop)),
        asyncio.create_task(_serve(server, _app("/two", "second", 1000), "Second", stop)),
    ]
    base = f"http://127.0.0.1:{port}"
    await wait_until_healthy(http, base, lambda: not any(task.done() for task in serving))
    async with http.get(base + HEALTH_PATH) as answer:
        assert (answer.status, await answer.text()) == (200, "ok")
    async with http.post(base + "/one", data=b"x" * 50) as answer:
        assert await answer.text() == "first read 50"
    async with http.post(base + "/one", data=b"x" * 500) as answer:
        assert answer.status == 413
    async with http.post(base + "/two", data=b"x" * 500) as answer:
        assert await answer.text() == "second read 500"
    stop.set()
    await asyncio.gather(*serving)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.get(base + HEALTH_PATH):
            pass


async def test_when_one_platform_leaves_the_port_closes_for_every_platform(http):
    port = free_port()
    server, stops = _server(port, 2), (asyncio.Event(), asyncio.Event())
    serving = [
        asyncio.create_task(_serve(server, _app("/one", "first"), "First", stops[0])),
        asyncio.create_task(_serve(server, _app("/two", "second"), "Second", stops[1])),
    ]
    base = f"http://127.0.0.1:{port}"
    await wait_until_healthy(http, base, lambda: not any(task.done() for task in serving))
    stops[0].set()
    await serving[0]
    with pytest.raises(aiohttp.ClientConnectionError):
        async with http.post(base + "/two"):
            pass
    stops[1].set()
    await serving[1]


async def test_the_port_opens_only_once_every_platform_has_come():
    port = free_port()
    server, stop = _server(port, 2), asyncio.Event()
    first = asyncio.create_task(_serve(server, _app("/one", "first"), "First", stop))
    await asyncio.sleep(0.1)
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_two_platforms_on_one_path_is_a_start_up_error_naming_them():
    server, stop = _server(free_port(), 2), asyncio.Event()
    stop.set()
    serving = [
        asyncio.create_task(_serve(server, _app("/same", "first"), "First", stop)),
        asyncio.create_task(_serve(server, _app("/same", "second"), "Second", stop)),
    ]
    results = await asyncio.gather(*serving, return_exceptions=True)
    assert all(isinstance(result, CannotStart) for result in results)
    assert str(results[0]) == (
        "First and Second both serve /same, so they cannot share HOST:PORT; "
        "run each with its own command and a PORT of its own"
    )


@pytest.mark.parametrize("hook", ["middleware", "on_startup", "cleanup_ctx"])
async def test_an_application_with_more_than_routes_is_never_joined_without_them(hook):
    with_hook = _app("/two", "second")

    @web.middleware
    async def middleware(request: web.Request, handler):
        return await handler(request)

    async def on_startup(app: web.Application) -> None:
        pass

    async def context(app: web.Application) -> AsyncIterator[None]:
        yield

    {
        "middleware": lambda: with_hook.middlewares.append(middleware),
        "on_startup": lambda: with_hook.on_startup.append(on_startup),
        "cleanup_ctx": lambda: with_hook.cleanup_ctx.append(context),
    }[hook]()
    server, stop = _server(free_port(), 2), asyncio.Event()
    stop.set()
    serving = [
        asyncio.create_task(_serve(server, _app("/one", "first"), "First", stop)),
        asyncio.create_task(_serve(server, with_hook, "Second", stop)),
    ]
    results = await asyncio.gather(*serving, return_exceptions=True)
    assert all(isinstance(result, RuntimeError) for result in results)
    assert "Second's application has middlewares or signals" in str(results[1])
