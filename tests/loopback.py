"""Serving test fakes and apps on 127.0.0.1, and finding a port nothing listens on."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def listen(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free 127.0.0.1 port: its runner (to clean up) and its base URL."""
    runner = web.AppRunner(app, **{"access_log": None, **runner_options})
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def wait_until_healthy(
    http: aiohttp.ClientSession,
    base: str,
    running: Callable[[], bool],
    output: Callable[[], str] = lambda: "",
    timeout: float = 30,
) -> None:
    """Wait until the app at `base` answers GET /healthz with 200; fail if it exits first."""
    deadline = time.monotonic() + timeout
    while True:
        assert running(), f"the app exited before it was ready: {output()}"
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert time.monotonic() < deadline, f"the app never answered /healthz: {output()}"
        await asyncio.sleep(0.1)
