"""Installing into many workspaces with Bolt's OAuth flow over storage; forgetting on uninstall."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from adapters.slack.manifest import BOT_SCOPES, REDIRECT_PATH
from adapters.storage.interface import Storage, StorageUnavailable
from bot.errors import SettingsError
from bot.settings import Settings

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
STATE_SECONDS = 10 * 60


def oauth_settings(settings: Settings, storage: Storage) -> AsyncOAuthSettings | None:
    """Bolt's OAuth flow when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, else None."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None
    try:
        installations = storage.installation_store(settings.slack_client_id)
        states = storage.oauth_state_store(STATE_SECONDS)
    except StorageUnavailable:
        raise SettingsError(
            "SLACK_CLIENT_ID needs a database to keep each workspace's installation; "
            "run `coach-or-therapy slack`, which opens DATABASE_URL (or SQLite in DATA_DIR)"
        ) from None
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


def register_uninstall(app: AsyncApp, storage: Storage) -> None:
    """On app_uninstalled or tokens_revoked, forget that workspace's installation and settings."""

    async def forget(body: dict[str, Any]) -> None:
        team = body.get("team_id")
        if not isinstance(team, str) or not team:
            return
        try:
            await storage.forget("slack", team)
        except StorageUnavailable as exc:  # Slack does not resend; say so, the process goes on
            log.error("could not forget an uninstalled workspace (%s)", exc)
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
