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
from slack_sdk.web.async_client import AsyncWebClient

from adapters.admin import WorkspaceAdmin, label, outcome_text
from adapters.runtime import Runtime
from adapters.slack.app import Ack, CommandCall, CommandHandler, SlackBot, authorized_team
from adapters.slack.people import locale_of
from adapters.slack.quiet import SLACK_TROUBLE, failure
from adapters.slack.render import text_message
from adapters.storage.interface import Storage, WorkspacePrefs
from bot.model import Messages

log = logging.getLogger(__name__)

SETTINGS_VIEW = "cot_settings"
ACTION = "setting"
"""Every input's action_id; its block_id names the setting."""
DEFAULT_OPTION = "default"


@dataclass(frozen=True)
class Member:
    """What users.info says of a person: whether they administer, and their own workspace."""

    is_admin: bool
    team: str | None
    locale: str | None = None


async def member_of(client: AsyncWebClient, user: str) -> Member | None:
    """The person as Slack knows them, their language too (None: Slack did not say)."""
    try:
        response = await client.users_info(user=user, include_locale=True)
    except SLACK_TROUBLE as exc:
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
        locale=locale_of(member),
    )


def one_workspace(required: Iterable[object], present: Iterable[object] = ()) -> str | None:
    """The workspace every id names, or None when one disagrees or a required one is missing.

    `present` are ids a payload may leave out; each one it does carry must agree too.
    """
    ids = [*required, *(i for i in present if i is not None)]
    if not ids or any(not isinstance(i, str) or not i for i in ids) or len(set(ids)) != 1:
        return None
    return str(ids[0])


async def refusal(bot: SlackBot, client: AsyncWebClient, user: str, workspace: str) -> str | None:
    """Why this person may not administer this workspace (a message key), or None when they may.

    What Slack says of the person's language is remembered for the words that follow.
    """
    member = await member_of(client, user)
    if member is None:
        return "slack.cannot_check"
    bot.people.remember(workspace, user, member.locale)
    if member.team is not None and member.team != workspace:
        return "slack.not_here"
    if not member.is_admin:
        return "slack.not_admin"
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


def settings_view(
    admin: WorkspaceAdmin,
    prefs: WorkspacePrefs,
    workspace: str,
    locale: str | None = None,
) -> dict[str, Any]:
    """The settings modal for one workspace in `locale`, filled in with what is stored now."""
    settings = admin.runtime.settings
    content = admin.runtime.book.content(locale)
    words = content.messages
    helplines = content.helplines.regions
    regions = [_option(f"{code} – {helplines[code].name}", code) for code in admin.regions]
    default_region = settings.default_region or words["admin.no_default_region"]
    names = admin.language_names()
    locales = [_option(names[name], name) for name in admin.locales]
    default_locale = names.get(settings.default_locale, settings.default_locale)
    region_default = _option(words.format("admin.default", value=default_region), DEFAULT_OPTION)
    locale_default = _option(words.format("admin.default", value=default_locale), DEFAULT_OPTION)
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
        # the workspace the form was opened for, and the language it is in, come back signed by
        # Slack with the submission
        "private_metadata": f"{workspace} {content.locale}",
        "title": {"type": "plain_text", "text": words["slack.form_title"]},
        "submit": {"type": "plain_text", "text": words["slack.save"]},
        "close": {"type": "plain_text", "text": words["slack.cancel"]},
        "blocks": [
            _select(
                "region",
                label(words, "region"),
                [region_default, *regions],
                prefs.region,
                words["slack.region_hint"],
            ),
            _text_input(
                "eap_contact",
                label(words, "eap_contact"),
                prefs.eap_contact,
                words["slack.contact_hint"],
            ),
            _text_input(
                "coaching_contact",
                label(words, "coaching_contact"),
                prefs.coaching_contact,
                words["slack.contact_hint"],
            ),
            _select(
                "locale",
                label(words, "locale"),
                [locale_default, *locales],
                prefs.locale,
                words["slack.locale_hint"],
            ),
            {
                "type": "input",
                "block_id": "card_channels",
                "optional": True,
                "label": {"type": "plain_text", "text": label(words, "card_channels")},
                "hint": {"type": "plain_text", "text": words["slack.channels_hint"]},
                "element": channels,
            },
        ],
    }


def opened_for(view: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The workspace a submitted form was opened for, and the language it was shown in."""
    metadata = view.get("private_metadata")
    if not isinstance(metadata, str):
        return metadata, None
    workspace, _, locale = metadata.partition(" ")
    return workspace, locale or None


def notice_view(text: str, words: Messages) -> dict[str, Any]:
    """The form replaced by one line: saving, saved, or why not."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": words["slack.form_title"]},
        "close": {"type": "plain_text", "text": words["slack.done"]},
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


async def _command_refusal(bot: SlackBot, call: CommandCall) -> str | None:
    command = call.command
    if one_workspace([command.who.workspace, call.authorized_team]) is None:
        return "slack.not_here"
    return await refusal(bot, call.client, command.who.user, command.who.workspace)


async def _admin_words(bot: SlackBot, call: CommandCall) -> tuple[str, Messages]:
    """The admin's language (as users.info said, else the workspace's) and its words."""
    who = call.command.who
    prefs = await bot.prefs(who.workspace)
    guide = bot.conversations.guide_for(prefs, bot.people.known(who.workspace, who.user))
    return guide.content.locale, guide.content.messages


def admin_commands(runtime: Runtime, storage: Storage) -> dict[str, CommandHandler]:
    """`settings` and `stats` for the slash command."""
    admin = WorkspaceAdmin(runtime, storage, "slack")

    async def refusal(bot: SlackBot, call: CommandCall) -> str | None:
        """Answer Slack at once, then say why (a message key) the person may not go on."""
        await call.ack()
        why = await _command_refusal(bot, call)
        return "admin.no_database" if why is None and not admin.available else why

    async def settings(bot: SlackBot, call: CommandCall) -> None:
        why = await refusal(bot, call)
        locale, words = await _admin_words(bot, call)
        if why is not None:
            await _tell(bot, call, words[why])
            return
        team = call.command.who.workspace
        view = settings_view(admin, await admin.current(team), team, locale)
        try:
            await call.client.views_open(trigger_id=call.command.trigger_id or "", view=view)
        except SLACK_TROUBLE as exc:
            # a trigger_id lasts 3 seconds; past that Slack answers expired_trigger_id
            log.warning("could not open the settings form (%s)", failure(exc))
            await _tell(bot, call, words["slack.no_form"])

    async def stats(bot: SlackBot, call: CommandCall) -> None:
        why = await refusal(bot, call)
        _, words = await _admin_words(bot, call)
        text = words[why] if why else await admin.stats(call.command.who.workspace, words)
        await _tell(bot, call, text)

    return {"settings": settings, "stats": stats}


def register_settings_form(app: AsyncApp, bot: SlackBot) -> None:
    """Check and save the settings modal when an admin submits it."""
    admin = WorkspaceAdmin(bot.runtime, bot.conversations.storage, "slack")

    async def on_submit(
        ack: Ack, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        user, view = _dict(body.get("user")), _dict(body.get("view"))
        opened, shown_in = opened_for(view)
        team = one_workspace(
            [_dict(body.get("team")).get("id"), opened, authorized_team(context)],
            [user.get("team_id"), view.get("team_id"), view.get("app_installed_team_id")],
        )
        user_id = user.get("id")
        # the form's own language, so its errors read like the form
        words = bot.runtime.book.content(shown_in).messages
        if team is None or not isinstance(user_id, str):
            await ack(response_action="errors", errors={"region": words["slack.not_here"]})
            return
        form = submitted(view)
        invalid = admin.check(form)
        if invalid is not None:
            await ack(response_action="errors", errors=invalid.said_in(words))
            return
        # users.info can outlast Slack's 3 seconds: answer now, then finish the form in place
        await ack(response_action="update", view=notice_view(words["slack.saving"], words))
        why = await refusal(bot, client, user_id, team)
        if why is None:
            text = outcome_text(await admin.save(team, form), "slack.saved", words)
        else:
            text = words[why]
        view_id = view.get("id")
        if not isinstance(view_id, str):
            return
        try:
            await client.views_update(view_id=view_id, view=notice_view(text, words))
        except SLACK_TROUBLE as exc:
            log.warning("could not finish the settings form (%s)", failure(exc))

    app.view(SETTINGS_VIEW)(on_submit)
