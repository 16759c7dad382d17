"""Run platforms together in one process, with storage's background work alongside them."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

from adapters.platform import CannotStart, Platform
from adapters.runtime import Runtime
from adapters.settings import Settings
from adapters.storage.interface import Storage
from adapters.web_server import WebServer

logger = logging.getLogger(__name__)

Server = Callable[[], Awaitable[None]]
"""Starts one platform and returns when it has stopped."""


def terminal_note() -> str:
    """Why the conversation runs in the terminal: no platform is set up."""
    from adapters.registry import PLATFORMS

    titles = [platform.title for platform in PLATFORMS]
    named = " or ".join(titles) if len(titles) < 3 else f"{', '.join(titles[:-1])} or {titles[-1]}"
    return (
        f"coach-or-therapy: no {named} settings found, so the conversation runs here "
        "(see .env.example to connect a platform)"
    )


def configured(settings: Settings) -> list[Platform]:
    """Every platform the settings ask to run (any of its variables set); each is checked."""
    from adapters.registry import PLATFORMS

    return [platform for platform in PLATFORMS if platform.asked_for(settings)]


async def serve_all(servers: Sequence[Server]) -> None:
    """Run the servers side by side until one stops (a signal) or fails; then stop the rest.

    Each platform may install its own SIGINT/SIGTERM handler, and an event loop keeps only one
    per signal, so the first server to return is taken as the signal to stop them all.
    """
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stopping.set)
    tasks = [asyncio.ensure_future(server()) for server in servers]
    stop_waiter = asyncio.ensure_future(stopping.wait())
    try:
        done, _ = await asyncio.wait([*tasks, stop_waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in [*tasks, stop_waiter]:
            task.cancel()
        await asyncio.gather(*tasks, stop_waiter, return_exceptions=True)
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
    for task in tasks:
        if task in done and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


async def serve_with(storage: Storage, servers: Sequence[Server]) -> None:
    """Serve, with storage's background work (settings kept fresh, counts written) alongside."""
    async with storage.running():
        await serve_all(servers)


def run_platforms(runtime: Runtime, storage: Storage, platforms: Sequence[Platform]) -> int:
    """Serve these platforms until a signal, those called over HTTP sharing HOST:PORT; one line
    and an exit code when one cannot start."""
    listening = sum(platform.serves_http(runtime.settings) for platform in platforms)
    web = WebServer(runtime.settings, platforms=listening)
    servers = [_server(platform, runtime, storage, web) for platform in platforms]
    _keep_start_up_out_of_collections()
    try:
        asyncio.run(serve_with(storage, servers))
    except KeyboardInterrupt:
        return 0
    except CannotStart as exc:
        print(f"coach-or-therapy: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        logger.critical("a platform stopped unexpectedly", exc_info=exc)
        problem = f"stopped by an unexpected {type(exc).__name__}; the log above has details"
        print(f"coach-or-therapy: {problem}", file=sys.stderr)
        return 1
    logger.info("stopped")
    return 0


def _keep_start_up_out_of_collections() -> None:
    """Leave what start-up made out of the garbage collector's passes from now on.

    The content in every language and the platforms' libraries live as long as the process,
    and they are most of its heap (twice a bare discord.py bot's objects); every full pass of
    the collector would walk them all again while requests wait (bench/RESULTS.md, Discord).
    """
    gc.collect()
    gc.freeze()


def _server(platform: Platform, runtime: Runtime, storage: Storage, web: WebServer) -> Server:
    return lambda: platform.serve(runtime, storage, web)
