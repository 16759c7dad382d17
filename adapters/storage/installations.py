"""Slack's OAuth stores over the database: slack_sdk's SQLAlchemy stores, off the event loop.

slack_sdk's SQLAlchemy stores are synchronous; each call here runs in a worker thread. Only the
bot's token is kept (never the installing person's).
"""

from __future__ import annotations

import asyncio
import logging
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

log = logging.getLogger("adapters.storage")


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
        """The newest bot token for a workspace."""
        return await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

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


class ThreadedStateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store, off the event loop; shared by every replica."""

    def __init__(self, engine: Engine, expiration_seconds: int) -> None:
        self.store = SQLAlchemyOAuthStateStore(
            expiration_seconds=expiration_seconds, engine=engine, logger=log
        )

    @property
    def logger(self) -> Logger:
        """The store's logger."""
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new one-time state for an install link."""
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        """Whether the state was issued, unexpired and not used before (it is used up now)."""
        return await asyncio.to_thread(self.store.consume, state)
