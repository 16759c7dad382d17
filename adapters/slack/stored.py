"""The Slack app over a database: OAuth install when configured, admin commands, uninstall."""

from __future__ import annotations

import time
from collections.abc import Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import Runtime
from adapters.slack.admin import admin_commands, register_settings_form
from adapters.slack.app import build_app
from adapters.slack.install import NotInstalledHere, oauth_settings, register_uninstall
from adapters.slack.respond import Replier
from adapters.storage.workspaces import DatabaseWorkspaces
from adapters.workspaces import Workspaces


def build_slack_app(
    runtime: Runtime,
    workspaces: Workspaces | None,
    *,
    replier: Replier | None = None,
    client: AsyncWebClient | None = None,
    clock: Callable[[], float] = time.time,
) -> AsyncApp:
    """The Bolt app; with database storage it also installs, forgets and answers admins."""
    if not isinstance(workspaces, DatabaseWorkspaces):
        return build_app(runtime, workspaces, replier=replier, client=client, clock=clock)
    oauth = oauth_settings(runtime.settings, workspaces.engine)
    app = build_app(
        runtime,
        workspaces,
        replier=replier,
        client=client,
        clock=clock,
        oauth_settings=oauth,
        before_authorize=NotInstalledHere(oauth.installation_store) if oauth else None,
        commands=admin_commands(workspaces),
    )
    register_settings_form(app, runtime, workspaces)
    register_uninstall(app, workspaces)
    return app
