"""`/coach-or-therapy settings` and `/coach-or-therapy stats`, for workspace admins and owners."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import Runtime
from adapters.slack.app import Ack, CommandHandler, SlackBot
from adapters.slack.parse import Command
from adapters.slack.render import text_message
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs
from adapters.storage.workspaces import DatabaseWorkspaces
from adapters.workspaces import WorkspacePrefs

log = logging.getLogger(__name__)

SETTINGS_VIEW = "cot_settings"
ACTION = "setting"
"""Every input's action_id; its block_id names the setting."""
DEFAULT_OPTION = "default"
NOT_ADMIN = "Only workspace admins and owners can change or see these; ask one of them."
CANNOT_CHECK = "I couldn't check your permissions with Slack just now; please try again."
NOT_SAVED = "The settings could not be saved just now; please try again in a minute."
NO_STATS = "The totals can't be read just now; please try again in a minute."
SAVED = "Saved. New walk-throughs in this workspace use these settings."

_TROUBLE = (SlackApiError, SlackClientError, OSError, TimeoutError)


async def is_admin(client: AsyncWebClient, user: str) -> bool | None:
    """Whether Slack says this person is a workspace admin or owner (None: Slack did not say)."""
    try:
        response = await client.users_info(user=user)
    except _TROUBLE as exc:
        log.warning("users.info failed (%s)", type(exc).__name__)
        return None
    member = response.get("user")
    if not isinstance(member, dict):
        return None
    return any(member.get(flag) is True for flag in ("is_admin", "is_owner", "is_primary_owner"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", **text_message(text)}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def _select(
    block_id: str, label: str, options: list[dict[str, Any]], chosen: str | None, hint: str
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": ACTION, "options": options}
    initial = next((o for o in options if o["value"] == (chosen or DEFAULT_OPTION)), None)
    if initial is not None:
        element["initial_option"] = initial
    return _input(block_id, label, hint, element)


def _text_input(block_id: str, label: str, value: str | None, hint: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ACTION, "max_length": 300}
    if value:
        element["initial_value"] = value
    return _input(block_id, label, hint, element)


def _input(block_id: str, label: str, hint: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": {"type": "plain_text", "text": label},
        "hint": {"type": "plain_text", "text": hint},
        "element": element,
    }


def settings_view(runtime: Runtime, prefs: WorkspacePrefs) -> dict[str, Any]:
    """The settings modal, filled in with what is stored now."""
    settings = runtime.settings
    content = runtime.book.content()
    regions = [
        _option(f"{code} – {region.name}", code)
        for code, region in sorted(content.helplines.regions.items())
    ]
    default_region = settings.default_region or "none"
    locales = [_option(name, name) for name in sorted(runtime.book.contents)]
    channels: dict[str, Any] = {
        "type": "multi_conversations_select",
        "action_id": ACTION,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if prefs.card_channels:
        channels["initial_conversations"] = list(prefs.card_channels)
    return {
        "type": "modal",
        "callback_id": SETTINGS_VIEW,
        "title": {"type": "plain_text", "text": "Settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _select(
                "region",
                "Region for urgent helplines",
                [_option(f"Default ({default_region})", DEFAULT_OPTION), *regions],
                prefs.region,
                "Which country's emergency number and crisis lines people see.",
            ),
            _text_input(
                "eap_contact",
                "EAP contact",
                prefs.eap_contact,
                "Plain text or an https:// link; blank uses the server's default.",
            ),
            _text_input(
                "coaching_contact",
                "Coaching contact",
                prefs.coaching_contact,
                "Plain text or an https:// link; blank uses the server's default.",
            ),
            _select(
                "locale",
                "Language",
                [_option(f"Default ({settings.default_locale})", DEFAULT_OPTION), *locales],
                prefs.locale,
                "The language of the walk-through and the card.",
            ),
            {
                "type": "input",
                "block_id": "card_channels",
                "optional": True,
                "label": {"type": "plain_text", "text": "Channels where the card may be posted"},
                "hint": {"type": "plain_text", "text": "None chosen: any channel."},
                "element": channels,
            },
        ],
    }


def submitted(view: Mapping[str, Any]) -> dict[str, str]:
    """The form's values as plain strings, whatever shape each element reports."""
    values = view.get("state", {}).get("values", {})
    raw: dict[str, str] = {}
    if not isinstance(values, dict):
        return raw
    for block_id, actions in values.items():
        state = actions.get(ACTION) if isinstance(actions, dict) else None
        if not isinstance(state, dict):
            continue
        if isinstance(state.get("selected_option"), dict):
            value = state["selected_option"].get("value")
            raw[block_id] = "" if value == DEFAULT_OPTION else str(value or "")
        elif isinstance(state.get("selected_conversations"), list):
            raw[block_id] = ",".join(str(c) for c in state["selected_conversations"])
        elif isinstance(state.get("value"), str):
            raw[block_id] = state["value"]
    return raw


def admin_commands(workspaces: DatabaseWorkspaces) -> dict[str, CommandHandler]:
    """`settings` and `stats` for the slash command, backed by this storage."""

    async def settings(bot: SlackBot, command: Command, ack: Ack, client: AsyncWebClient) -> None:
        allowed = await is_admin(client, command.who.user)
        if not allowed:
            await ack(_ephemeral(NOT_ADMIN if allowed is False else CANNOT_CHECK))
            return
        prefs = await workspaces.prefs("slack", command.who.workspace)
        await ack()
        try:
            await client.views_open(
                trigger_id=command.trigger_id or "", view=settings_view(bot.runtime, prefs)
            )
        except _TROUBLE as exc:
            log.warning("could not open the settings form (%s)", type(exc).__name__)

    async def stats(bot: SlackBot, command: Command, ack: Ack, client: AsyncWebClient) -> None:
        allowed = await is_admin(client, command.who.user)
        if not allowed:
            await ack(_ephemeral(NOT_ADMIN if allowed is False else CANNOT_CHECK))
            return
        try:
            months = await workspaces.stats("slack", command.who.workspace)
        except Exception as exc:
            log.warning("could not read the totals (%s)", type(exc).__name__)
            await ack(_ephemeral(NO_STATS))
            return
        await ack(_ephemeral(stats_text(months)))

    return {"settings": settings, "stats": stats}


def register_settings_form(app: AsyncApp, runtime: Runtime, workspaces: DatabaseWorkspaces) -> None:
    """Check and save the settings modal when an admin submits it."""

    async def on_submit(ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        user, view = _dict(body.get("user")), _dict(body.get("view"))
        team = _dict(body.get("team")).get("id") or user.get("team_id")
        if not isinstance(team, str) or not isinstance(user.get("id"), str):
            await ack(response_action="errors", errors={"region": CANNOT_CHECK})
            return
        allowed = await is_admin(client, user["id"])
        if not allowed:
            await ack(
                response_action="errors",
                errors={"region": NOT_ADMIN if allowed is False else CANNOT_CHECK},
            )
            return
        checked = validate_prefs(
            submitted(view),
            regions=runtime.book.content().helplines.regions.keys(),
            locales=runtime.book.contents.keys(),
        )
        if isinstance(checked, Invalid):
            await ack(response_action="errors", errors=dict(checked.errors))
            return
        stored = await workspaces.prefs("slack", team)
        # Discord-only roles are not on this form; keep whatever is stored.
        checked = WorkspacePrefs(
            region=checked.region,
            eap_contact=checked.eap_contact,
            coaching_contact=checked.coaching_contact,
            locale=checked.locale,
            card_channels=checked.card_channels,
            card_roles=stored.card_roles,
        )
        try:
            await workspaces.save_prefs("slack", team, checked)
        except Exception as exc:
            log.warning("could not save workspace settings (%s)", type(exc).__name__)
            await ack(response_action="errors", errors={"region": NOT_SAVED})
            return
        await ack(
            response_action="update",
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "Settings"},
                "close": {"type": "plain_text", "text": "Done"},
                "blocks": [{"type": "section", "text": {"type": "plain_text", "text": SAVED}}],
            },
        )
        log.info("workspace settings saved")

    app.view(SETTINGS_VIEW)(on_submit)
