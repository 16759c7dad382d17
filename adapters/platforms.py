"""Run every configured platform together in one process, else the terminal chat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

from adapters.runtime import Runtime
from adapters.storage.interface import NoStorage, Storage

logger = logging.getLogger(__name__)

Server = Callable[[], Awaitable[None]]
"""Starts one platform and returns when it has stopped."""

TERMINAL_NOTE = (
    "coach-or-therapy: no Slack or Discord settings found, so the conversation runs here "
    "(see .env.example to connect a platform)"
)


def platform_servers(runtime: Runtime, storage: Storage) -> list[Server]:
    """A server for each platform the settings configure (none when no tokens are set)."""
    settings = runtime.settings
    servers: list[Server] = []
    if settings.slack_configured:
        from adapters.slack.runner import serve_slack

        servers.append(lambda: serve_slack(runtime, storage))
    if settings.discord_configured:
        from adapters.discord.runner import serve_discord

        servers.append(lambda: serve_discord(runtime, storage))
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


def run_configured(runtime: Runtime, storage: Storage | None = None) -> int:
    """Serve Slack and/or Discord as configured, else hold the conversation in this terminal."""
    from adapters.console.chat import run_chat

    servers = platform_servers(runtime, storage or NoStorage())
    if not servers:
        print(TERMINAL_NOTE, file=sys.stderr)
        return run_chat(runtime, sys.stdin, sys.stdout)
    return run_servers(runtime, storage or NoStorage(), servers)


async def serve_with(storage: Storage, servers: Sequence[Server]) -> None:
    """Serve, with storage's background work (settings kept fresh, counts written) alongside."""
    async with storage.running():
        await serve_all(servers)


def run_servers(runtime: Runtime, storage: Storage, servers: Sequence[Server]) -> int:
    """Run these servers until a signal; one line and an exit code when one cannot start."""
    try:
        asyncio.run(serve_with(storage, servers))
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        problem = start_up_problem(exc, runtime)
        if problem is None:
            logger.critical("a platform stopped unexpectedly", exc_info=exc)
            problem = f"stopped by an unexpected {type(exc).__name__}; the log above has details"
            print(f"coach-or-therapy: {problem}", file=sys.stderr)
            return 1
        print(f"coach-or-therapy: {problem}", file=sys.stderr)
        return 1 if isinstance(exc, OSError) else 2
    logger.info("stopped")
    return 0


def start_up_problem(exc: Exception, runtime: Runtime) -> str | None:
    """One line naming what to fix, for the ways a platform commonly fails to start."""
    settings = runtime.settings
    if settings.discord_configured:
        import discord

        if isinstance(exc, discord.LoginFailure):
            return "DISCORD_TOKEN was refused by Discord; reset the bot's token and copy it again"
        if isinstance(exc, discord.GatewayNotFound):
            return "Discord's gateway could not be found; check DISCORD_API_URL"
    if settings.slack_configured:
        from slack_sdk.errors import SlackApiError

        if isinstance(exc, SlackApiError):
            error = exc.response.get("error", "unknown_error")
            return (
                f"Slack refused to connect ({error}); check SLACK_APP_TOKEN and SLACK_BOT_TOKEN "
                "in your Slack app's settings"
            )
    if isinstance(exc, OSError):
        return (
            f"cannot start ({exc.strerror or exc}); check that {settings.host}:{settings.port} "
            "is free and the network is reachable"
        )
    return None
