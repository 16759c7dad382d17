"""Run every configured platform together in one process, else the terminal chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

from adapters.runtime import Runtime
from adapters.workspaces import Workspaces

logger = logging.getLogger(__name__)

class CannotStart(Exception):
    """A platform could not start; the message is one line naming what failed and what to check.

    Exit code 2 means a setting must change, 1 that something could not be reached or used.
    """

    def __init__(self, line: str, exit_code: int = 1) -> None:
        super().__init__(line)
        self.exit_code = exit_code


Server = Callable[[], Awaitable[None]]
"""Starts one platform and returns when it has stopped."""

TERMINAL_NOTE = (
    "coach-or-therapy: no Slack or Discord settings found, so the conversation runs here "
    "(see .env.example to connect a platform)"
)


def platform_servers(runtime: Runtime, workspaces: Workspaces | None = None) -> list[Server]:
    """A server for each platform the settings configure (none when no tokens are set)."""
    settings = runtime.settings
    servers: list[Server] = []
    extra = () if workspaces is None else (workspaces,)
    if settings.slack_configured:
        from adapters.slack.runner import serve_slack

        servers.append(lambda: serve_slack(runtime, *extra))
    if settings.discord_configured:
        from adapters.discord.runner import serve_discord

        servers.append(lambda: serve_discord(runtime, *extra))
    return servers


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


def run_configured(runtime: Runtime, workspaces: Workspaces | None = None) -> int:
    """Serve Slack and/or Discord as configured, else hold the conversation in this terminal."""
    from adapters.console.chat import run_chat

    servers = platform_servers(runtime, workspaces)
    if not servers:
        print(TERMINAL_NOTE, file=sys.stderr)
        return run_chat(runtime, sys.stdin, sys.stdout)
    try:
        asyncio.run(serve_all(servers))
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
