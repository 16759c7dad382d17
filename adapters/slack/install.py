"""Installing into many workspaces with Bolt's OAuth flow over storage; forgetting on uninstall."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.settings import Settings
from adapters.slack.manifest import BOT_SCOPES, REDIRECT_PATH
from adapters.slack.settings import SlackSettings
from adapters.storage.installations import STATE_SECONDS
from adapters.storage.interface import Storage, StorageUnavailable
from bot.errors import SettingsError

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"


NOT_INSTALLED = (
    "coach-or-therapy is not installed in this workspace (or it was removed). "
    "A workspace admin can add it again from the app's install page."
)
_NEEDS_A_TOKEN = frozenset({"block_actions", "view_submission"})


class NotInstalledHere(AsyncMiddleware):
    """A request from a workspace with no installation: a kind answer and one warning line.

    Bolt's own check logs this at ERROR although nothing is broken: the workspace removed the
    app, or installed it some other way than /slack/install. It runs before Bolt's, which then
    reads the same installation without asking the database again.
    """

    def __init__(self, store: AsyncInstallationStore) -> None:
        self.store = store

    async def async_process(
        self,
        *,
        req: AsyncBoltRequest,
        resp: BoltResponse,
        next: Callable[[], Awaitable[BoltResponse]],
    ) -> BoltResponse | None:
        """Answer without going further when the request's workspace has no installation."""
        body = req.body
        kind = body.get("type")
        is_command = "command" in body and kind is None
        event = body.get("event")
        is_home = isinstance(event, dict) and event.get("type") == "app_home_opened"
        if not (is_command or is_home or kind in _NEEDS_A_TOKEN):
            return await next()
        context = req.context
        bot = await self.store.async_find_bot(
            enterprise_id=context.enterprise_id,
            team_id=context.team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        if bot is not None:
            return await next()
        log.warning(
            "a request came from a workspace where the app is not installed (or was removed); "
            "its admins can install it again from %s",
            INSTALL_PATH,
        )
        if is_command:
            message = {"response_type": "ephemeral", "text": NOT_INSTALLED}
            return BoltResponse(
                status=200, body=json.dumps(message), headers={"content-type": "application/json"}
            )
        return BoltResponse(status=200, body="")


def oauth_settings(settings: Settings, storage: Storage) -> AsyncOAuthSettings | None:
    """Bolt's OAuth flow when SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, else None."""
    slack = settings.section(SlackSettings)
    if not (slack.client_id and slack.client_secret):
        return None
    try:
        installations = storage.installation_store(slack.client_id)
        states = storage.oauth_state_store(STATE_SECONDS)
    except StorageUnavailable:
        raise SettingsError(
            "SLACK_CLIENT_ID needs a database to keep each workspace's installation; "
            "run `coach-or-therapy slack`, which opens DATABASE_URL (or SQLite in DATA_DIR)"
        ) from None
    return AsyncOAuthSettings(
        client_id=slack.client_id,
        client_secret=slack.client_secret,
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
