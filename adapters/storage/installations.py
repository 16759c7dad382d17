"""Slack's OAuth stores over the database: slack_sdk's SQLAlchemy stores, off the event loop.

slack_sdk's SQLAlchemy stores are synchronous; each call here runs in a worker thread. Only the
bot's token is kept (never the installing person's).
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, delete, func, select

log = logging.getLogger("adapters.storage")

STATE_SECONDS = 10 * 60
"""How long an install link works: Slack's consent page must be finished within this."""
MOST_LIVE_STATES = 200
"""Install links open at once, across every replica; real installs are a few a day."""


_FOUND_FOR_THIS_REQUEST: ContextVar[tuple[tuple[str | None, str | None, bool], Bot | None] | None]
_FOUND_FOR_THIS_REQUEST = ContextVar("found_for_this_request", default=None)
"""The installation looked up while answering the current request (each runs in its own task)."""


class ThreadedInstallationStore(AsyncInstallationStore):
    """slack_sdk's SQLAlchemy installation store, bot tokens only, off the event loop."""

    def __init__(self, client_id: str, engine: Engine) -> None:
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)

    @property
    def logger(self) -> Logger:
        """The store's logger."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep the workspace's bot token; the installing person's own token is not kept."""
        await asyncio.to_thread(self.store.save_bot, installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot token."""
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The newest bot token for a workspace (read once per request, however often asked)."""
        key = (enterprise_id, team_id, bool(is_enterprise_install))
        found = _FOUND_FOR_THIS_REQUEST.get()
        if found is not None and found[0] == key:
            return found[1]
        bot = await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        _FOUND_FOR_THIS_REQUEST.set((key, bot))
        return bot

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """Installations are not kept whole; only bots are (see async_save)."""
        return None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's bot tokens."""
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Forget installation rows (kept by earlier versions of slack_sdk's flow)."""
        await asyncio.to_thread(
            self.store.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )


class TooManyInstalls(Exception):
    """MOST_LIVE_STATES installs were started in the last STATE_SECONDS; try again later."""


class ThreadedStateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, off the event loop; shared by every replica.

    Every visit to the install page stores a state, so each new one first deletes the expired
    ones, and none is issued while MOST_LIVE_STATES are live: the table stays small, and at most
    that many installs can be started per STATE_SECONDS across all replicas.
    """

    def __init__(
        self,
        engine: Engine,
        expiration_seconds: int = STATE_SECONDS,
        most_live: int = MOST_LIVE_STATES,
    ) -> None:
        self.store = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, logger=log
        )
        self.most_live = most_live

    @property
    def logger(self) -> Logger:
        """The store's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new one-time state for an install link (raises TooManyInstalls)."""
        return await asyncio.to_thread(self._issue)

    def _issue(self) -> str:
        states = self.store.oauth_states
        # slack_sdk keeps expire_at as a naive UTC time
        now = datetime.now(tz=UTC).replace(tzinfo=None)
        with self.store.engine.begin() as connection:
            connection.execute(delete(states).where(states.c.expire_at <= now))
            live = connection.execute(select(func.count()).select_from(states)).scalar_one()
        if live >= self.most_live:
            raise TooManyInstalls
        return self.store.issue()

    async def async_consume(self, state: str) -> bool:
        """Whether the state was issued, unexpired and not used before (it is used up now)."""
        return await asyncio.to_thread(self.store.consume, state)
