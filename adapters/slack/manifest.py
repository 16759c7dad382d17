"""A Slack app manifest to paste into api.slack.com/apps ("From an app manifest")."""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO
from urllib.parse import urlsplit

import yaml

from adapters.slack.app import APP_NAME, COMMAND
from adapters.slack.server import EVENTS_PATH

BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read")
"""users:read lets /coach-or-therapy settings and stats check that the person is an admin."""
REDIRECT_PATH = "/slack/oauth_redirect"
PLACEHOLDER_URL = "https://YOUR-PUBLIC-HOST"


def manifest(socket: bool, url: str | None) -> dict[str, Any]:
    """The manifest as a dict: Socket Mode, or HTTP with every request URL under `url`."""
    request_url = None if socket else (url or PLACEHOLDER_URL).rstrip("/") + EVENTS_PATH
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Might coaching, therapy or both be worth exploring? (private)",
        "usage_hint": "[card | help | settings | stats]",
        "should_escape": False,
    }
    events: dict[str, Any] = {
        "bot_events": ["app_home_opened", "app_uninstalled", "tokens_revoked"]
    }
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        command["url"] = request_url
        events["request_url"] = request_url
        interactivity["request_url"] = request_url
        oauth["redirect_urls"] = [(url or PLACEHOLDER_URL).rstrip("/") + REDIRECT_PATH]
    return {
        "display_information": {
            "name": APP_NAME,
            "description": "A private walk-through: might coaching, therapy or both fit?",
            "long_description": (
                "Type /coach-or-therapy and answer a few multiple-choice questions in a message "
                "only you can see. The app suggests whether coaching, therapy or counselling, or "
                "both might be worth exploring, why, and where to go next. Answers are not "
                "saved. /coach-or-therapy card posts the full coaching-vs-therapy comparison in "
                "a channel. It is an automated tool, not a coach or a clinician, and not an "
                "assessment."
            ),
            "background_color": "#2f4f4f",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket,
            "token_rotation_enabled": False,
        },
    }


_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be the app's public base address (None when it can).

    Request URLs are made by adding a path to it, so it must be a plain https address with no
    query, fragment, credentials or spaces.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed [ of an IPv6 address
        return "must be the app's public https address"
    if parts.scheme != "https" or not parts.hostname:
        return "must be the app's public https address"
    if "?" in url or "#" in url:
        return "must not have a query (?...) or a fragment (#...)"
    if "@" in parts.netloc:
        return "must not carry a user name or password"
    if not _HOST.fullmatch(parts.netloc):
        return "must have a host name of letters, digits, dots and hyphens, and a numeric port"
    if any(c.isspace() or not c.isprintable() for c in url):
        return "must not contain spaces or control characters"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    return None


def print_manifest(socket: bool, url: str | None, out: TextIO) -> int:
    """Print the manifest as YAML; 2 with one line on stderr when `url` cannot be used."""
    if url is not None:
        problem = url_problem(url)
        if problem is not None:
            print(
                f"coach-or-therapy: --url {problem}, like https://bot.example.com or "
                f"https://example.com/coach, not {url!r}",
                file=sys.stderr,
            )
            return 2
    if not socket and url is None:
        out.write(
            f"# HTTP mode: replace {PLACEHOLDER_URL} with this app's public address "
            "(or run: coach-or-therapy manifest slack --url https://... or --socket)\n"
        )
    out.write(yaml.safe_dump(manifest(socket, url), sort_keys=False, allow_unicode=True))
    return 0
