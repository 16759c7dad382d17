"""Installing into many workspaces: Bolt's OAuth flow over the database; forgetting on uninstall.

slack_sdk's SQLAlchemy stores are synchronous; here each call runs in a worker thread so the event
loop never waits on the database. Only the bot's token is kept (not the installing person's).
"""

from __future__ import annotations

import asyncio
import logging
from logging import Logger
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine

from adapters.slack.manifest import BOT_SCOPES, REDIRECT_PATH
from adapters.storage.workspaces import DatabaseWorkspaces
from bot.settings import Settings

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
STATE_SECONDS = 10 * 60


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

    def __init__(self, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
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


def oauth_settings(settings: Settings, engine: Engine) -> AsyncOAuthSettings | None:
    """Bolt's OAuth flow when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, else None."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=ThreadedInstallationStore(settings.slack_client_id, engine),
        installation_store_bot_only=True,
        state_store=ThreadedStateStore(engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


def register_uninstall(app: AsyncApp, workspaces: DatabaseWorkspaces) -> None:
    """On app_uninstalled or tokens_revoked, forget that workspace's installation and settings."""

    async def forget(body: dict[str, Any]) -> None:
        team = body.get("team_id")
        if not isinstance(team, str) or not team:
            return
        try:
            await workspaces.uninstalled("slack", team)
        except Exception as exc:  # Slack does not resend; say so, the process goes on
            log.error("could not forget an uninstalled workspace (%s)", type(exc).__name__)
            return
        log.info("forgot an uninstalled workspace")

    async def on_uninstalled(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await forget(body)

    async def on_revoked(ack: Any, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        tokens = event.get("tokens") if isinstance(event, dict) else None
        if isinstance(tokens, dict) and tokens.get("bot"):
            await forget(body)

    app.event("app_uninstalled")(on_uninstalled)
    app.event("tokens_revoked")(on_revoked)
