"""`/coach-or-therapy settings` and `/coach-or-therapy stats`, for workspace admins and owners.

Both answer Slack at once and do the slow part after: users.info can take longer than the 3
seconds Slack waits. A person's admin rights hold only in their own workspace, so every workspace
id a request carries (the payload's, the one Bolt authorized, the one users.info places the person
in, a form's own) must name the same workspace, or nothing is shown or changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.admin import WORDS, NotSaved, Saved, WorkspaceAdmin, fix_list
from adapters.runtime import Runtime
from adapters.slack.app import Ack, CommandCall, CommandHandler, SlackBot, authorized_team
from adapters.slack.quiet import failure
from adapters.slack.render import text_message
from adapters.storage.interface import Storage, WorkspacePrefs

log = logging.getLogger(__name__)

SETTINGS_VIEW = "cot_settings"
ACTION = "setting"
"""Every input's action_id; its block_id names the setting."""
DEFAULT_OPTION = "default"
SLACK_WORDS = {
    "not_admin": "Only workspace admins and owners can change or see these; ask one of them.",
    "not_here": (
        "These settings belong to the workspace you are in; open them from your own workspace."
    ),
    "cannot_check": "I couldn't check your permissions with Slack just now; please try again.",
    "no_form": (
        "The settings form couldn't open just now; please try /coach-or-therapy settings again."
    ),
    "saving": "Saving…",
    "saved": "Saved. New walk-throughs in this workspace use these settings.",
}
LABELS = {
    "region": "Region for urgent helplines",
    "eap_contact": "EAP contact",
    "coaching_contact": "Coaching contact",
    "locale": "Language",
    "card_channels": "Channels where the card may be posted",
}

_TROUBLE = (SlackApiError, SlackClientError, OSError, TimeoutError)


@dataclass(frozen=True)
class Member:
    """What users.info says of a person: whether they administer, and their own workspace."""

    is_admin: bool
    team: str | None


async def member_of(client: AsyncWebClient, user: str) -> Member | None:
    """The person as Slack knows them (None: Slack did not say)."""
    try:
        response = await client.users_info(user=user)
    except _TROUBLE as exc:
        log.warning("users.info failed (%s)", failure(exc))
        return None
    member = response.get("user")
    if not isinstance(member, dict):
        return None
    flags = ("is_admin", "is_owner", "is_primary_owner")
    team = member.get("team_id")
    return Member(
        is_admin=any(member.get(flag) is True for flag in flags),
        team=team if isinstance(team, str) else None,
    )


def one_workspace(required: Iterable[object], present: Iterable[object] = ()) -> str | None:
    """The workspace every id names, or None when one disagrees or a required one is missing.

    `present` are ids a payload may leave out; each one it does carry must agree too.
    """
    ids = [*required, *(i for i in present if i is not None)]
    if not ids or any(not isinstance(i, str) or not i for i in ids) or len(set(ids)) != 1:
        return None
    return str(ids[0])


async def refusal(client: AsyncWebClient, user: str, workspace: str) -> str | None:
    """Why this person may not administer this workspace, or None when they may."""
    member = await member_of(client, user)
    if member is None:
        return SLACK_WORDS["cannot_check"]
    if member.team is not None and member.team != workspace:
        return SLACK_WORDS["not_here"]
    if not member.is_admin:
        return SLACK_WORDS["not_admin"]
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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


def settings_view(admin: WorkspaceAdmin, prefs: WorkspacePrefs, workspace: str) -> dict[str, Any]:
    """The settings modal for one workspace, filled in with what is stored now."""
    settings = admin.runtime.settings
    helplines = admin.runtime.book.content().helplines.regions
    regions = [_option(f"{code} – {helplines[code].name}", code) for code in admin.regions]
    default_region = settings.default_region or "none"
    locales = [_option(name, name) for name in admin.locales]
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
        # the workspace the form was opened for comes back, signed by Slack, with the submission
        "private_metadata": workspace,
        "title": {"type": "plain_text", "text": "Settings"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _select(
                "region",
                LABELS["region"],
                [_option(f"Default ({default_region})", DEFAULT_OPTION), *regions],
                prefs.region,
                "Which country's emergency number and crisis lines people see.",
            ),
            _text_input(
                "eap_contact",
                LABELS["eap_contact"],
                prefs.eap_contact,
                "Plain text or an https:// link; blank uses the server's default.",
            ),
            _text_input(
                "coaching_contact",
                LABELS["coaching_contact"],
                prefs.coaching_contact,
                "Plain text or an https:// link; blank uses the server's default.",
            ),
            _select(
                "locale",
                LABELS["locale"],
                [_option(f"Default ({settings.default_locale})", DEFAULT_OPTION), *locales],
                prefs.locale,
                "The language of the walk-through and the card.",
            ),
            {
                "type": "input",
                "block_id": "card_channels",
                "optional": True,
                "label": {"type": "plain_text", "text": LABELS["card_channels"]},
                "hint": {"type": "plain_text", "text": "None chosen: any channel."},
                "element": channels,
            },
        ],
    }


def _notice_view(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Settings"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text}}],
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


async def _tell(bot: SlackBot, call: CommandCall, text: str) -> None:
    """Answer a command after its ack: privately, through its response_url."""
    url = call.command.response_url
    if url is None or not await bot.replier.send(url, text_message(text), replace_original=False):
        log.warning("could not answer an admin command")


async def _command_refusal(call: CommandCall) -> str | None:
    command = call.command
    if one_workspace([command.who.workspace, call.authorized_team]) is None:
        return SLACK_WORDS["not_here"]
    return await refusal(call.client, command.who.user, command.who.workspace)


def admin_commands(runtime: Runtime, storage: Storage) -> dict[str, CommandHandler]:
    """`settings` and `stats` for the slash command."""
    admin = WorkspaceAdmin(runtime, storage, "slack")

    async def settings(bot: SlackBot, call: CommandCall) -> None:
        await call.ack()
        why = await _command_refusal(call)
        if why is None and not admin.available:
            why = WORDS["no_database"]
        if why is not None:
            await _tell(bot, call, why)
            return
        team = call.command.who.workspace
        view = settings_view(admin, await admin.current(team), team)
        try:
            await call.client.views_open(trigger_id=call.command.trigger_id or "", view=view)
        except _TROUBLE as exc:
            # a trigger_id lasts 3 seconds; past that Slack answers expired_trigger_id
            log.warning("could not open the settings form (%s)", failure(exc))
            await _tell(bot, call, SLACK_WORDS["no_form"])

    async def stats(bot: SlackBot, call: CommandCall) -> None:
        await call.ack()
        why = await _command_refusal(call)
        if why is None and not admin.available:
            why = WORDS["no_database"]
        await _tell(bot, call, why or await admin.stats(call.command.who.workspace))

    return {"settings": settings, "stats": stats}


def register_settings_form(app: AsyncApp, bot: SlackBot) -> None:
    """Check and save the settings modal when an admin submits it."""
    admin = WorkspaceAdmin(bot.runtime, bot.conversations.storage, "slack")

    async def on_submit(
        ack: Ack, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        user, view = _dict(body.get("user")), _dict(body.get("view"))
        team = one_workspace(
            [
                _dict(body.get("team")).get("id"),
                view.get("private_metadata"),
                authorized_team(context),
            ],
            [user.get("team_id"), view.get("team_id"), view.get("app_installed_team_id")],
        )
        user_id = user.get("id")
        if team is None or not isinstance(user_id, str):
            await ack(response_action="errors", errors={"region": SLACK_WORDS["not_here"]})
            return
        form = submitted(view)
        invalid = admin.check(form)
        if invalid is not None:
            await ack(response_action="errors", errors=dict(invalid.errors))
            return
        # users.info can outlast Slack's 3 seconds: answer now, then finish the form in place
        await ack(response_action="update", view=_notice_view(SLACK_WORDS["saving"]))
        why = await refusal(client, user_id, team)
        if why is None:
            outcome = await admin.save(team, form)
            if isinstance(outcome, Saved):
                why = SLACK_WORDS["saved"]
            elif isinstance(outcome, NotSaved):
                why = WORDS["not_saved"]
            else:
                why = fix_list(outcome, LABELS)
        view_id = view.get("id")
        if not isinstance(view_id, str):
            return
        try:
            await client.views_update(view_id=view_id, view=_notice_view(why))
        except _TROUBLE as exc:
            log.warning("could not finish the settings form (%s)", failure(exc))

    app.view(SETTINGS_VIEW)(on_submit)
