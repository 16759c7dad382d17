"""`settings` and `stats` in a personal chat with the bot, for the people in TEAMS_ADMINS.

Teams' activities say nothing of a person's role, so the operator names the admins by their
Microsoft Entra object id. An admin changes only the tenant the activity comes from, and only in
a personal chat, so a tenant's settings never show in a channel. The form is an Adaptive Card
whose Save is an Action.Execute; its answer replaces the card in place. The form carries a
fingerprint of the settings it was opened with, so a replayed or stale Save changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity

from adapters.admin import Saved, WorkspaceAdmin, label, outcome_text
from adapters.conversation import ConversationService
from adapters.log_privacy import BUTTON_PREFIX
from adapters.storage.interface import WorkspacePrefs
from adapters.teams.render import AdaptiveCard, Element, adaptive_card, notice_card, text
from bot.content.rules import CONTACT_LENGTH
from bot.model import Content, Messages
from bot.state import Who

log = logging.getLogger(__name__)

PLATFORM = "teams"
SAVE_VERB = BUTTON_PREFIX + "settings"
"""The Save button's verb; like every button's, log lines never show it or what it carries."""
OPENED_FIELD = "opened"
"""The key of the Save button's data holding the fingerprint of the settings it was opened with."""
FIELDS = ("region", "eap_contact", "coaching_contact", "locale")
"""The settings a Teams tenant has (the card's channels and roles are Slack's and Discord's)."""
DEFAULT_CHOICE = "default"
FIELD_MOST = 4 * CONTACT_LENGTH
"""A field longer than this is no form of ours (the inputs allow CONTACT_LENGTH)."""
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


def fingerprint(prefs: WorkspacePrefs) -> str:
    """A short digest of a tenant's settings: equal only while they are unchanged."""
    return hashlib.sha256(repr(prefs).encode()).hexdigest()[:16]


def is_settings_save(value: object) -> bool:
    """Whether an `adaptiveCard/action` invoke's value is a press of the settings form's Save."""
    action = value.get("action") if isinstance(value, dict) else None
    return isinstance(action, dict) and action.get("verb") == SAVE_VERB


@dataclass(frozen=True)
class Submitted:
    """A settings form as Save sent it: each field's text, and the fingerprint it was opened
    with."""

    form: dict[str, str]
    opened: str


def submitted(value: object) -> Submitted | None:
    """The form a Save carries, or None when it is not one the bot drew (a field missing, of
    the wrong type or far too long)."""
    action = value.get("action") if isinstance(value, dict) else None
    data = action.get("data") if isinstance(action, dict) else None
    if not isinstance(data, dict):
        return None
    opened = data.get(OPENED_FIELD)
    raw = {name: data.get(name) for name in FIELDS}
    if not isinstance(opened, str) or len(opened) > FIELD_MOST:
        return None
    if not all(isinstance(v, str) and len(v) <= FIELD_MOST for v in raw.values()):
        return None
    form = {name: str(v) for name, v in raw.items()}
    for name in ("region", "locale"):
        if form[name] == DEFAULT_CHOICE:
            form[name] = ""
    return Submitted(form, opened)


def admin_tenant(activity: Activity) -> str | None:
    """The tenant an activity comes from, when every tenant id it carries names the same one."""
    named: list[object] = []
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id is not None:
        named.append(conversation.tenant_id)
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, dict) else None
    if isinstance(tenant, dict) and "id" in tenant:
        named.append(tenant["id"])
    if not named or any(not isinstance(t, str) or not t for t in named) or len(set(named)) > 1:
        return None
    return str(named[0])


def object_id(activity: Activity) -> str | None:
    """The sender's Microsoft Entra object id, as Teams gave it."""
    sender = activity.from_property
    found = sender.aad_object_id if sender is not None else None
    return found if isinstance(found, str) and found else None


def _choice(title: str, value: str) -> dict[str, str]:
    return {"title": title, "value": value}


def _hint(words: str) -> Element:
    return text(words, isSubtle=True, size="Small", spacing="None")


class TeamsAdmin:
    """Answers an admin's `settings` and `stats`, and the settings form's Save."""

    def __init__(self, service: ConversationService, admins: frozenset[str]) -> None:
        self.service = service
        self.admins = admins
        self.workspaces = WorkspaceAdmin(service.runtime, service.storage, PLATFORM)

    def is_admin(self, activity: Activity) -> bool:
        """Whether the sender is one of TEAMS_ADMINS."""
        found = object_id(activity)
        return found is not None and found.lower() in self.admins

    async def command(
        self, activity: Activity, who: Who, command: str, personal: bool
    ) -> AdaptiveCard:
        """The card answering `settings` or `stats` typed to the bot by `who`."""
        content = await self._content(activity, who)
        words = content.messages
        tenant = self._allowed(activity, words, personal)
        if not isinstance(tenant, str):
            return tenant
        if command == "stats":
            return self.stats_card(words, await self.workspaces.stats(tenant, words))
        prefs = await self.workspaces.current(tenant)
        return self.form(content, _values(prefs), fingerprint(prefs))

    async def save(self, activity: Activity, who: Who, personal: bool) -> AdaptiveCard:
        """Check and store what the form's Save sent; the card that replaces the form."""
        content = await self._content(activity, who)
        words = content.messages
        tenant = self._allowed(activity, words, personal)
        if not isinstance(tenant, str):
            return tenant
        current = await self.workspaces.current(tenant)
        sent = submitted(activity.value)
        if sent is None:
            log.info("a settings form that could not be read was not saved")
            notice = words["teams.admin.unreadable"]
            return self.form(content, _values(current), fingerprint(current), notice, "Attention")
        if sent.opened != fingerprint(current):
            notice = words["teams.admin.changed"]
            return self.form(content, _values(current), fingerprint(current), notice, "Attention")
        outcome = await self.workspaces.save(tenant, sent.form)
        said = outcome_text(outcome, "teams.admin.saved", words)
        if isinstance(outcome, Saved):
            prefs = outcome.prefs
            return self.form(content, _values(prefs), fingerprint(prefs), said, "Good")
        # what they typed stays, so a mistake or an outage costs no retyping
        return self.form(content, sent.form, sent.opened, said, "Attention")

    def _allowed(self, activity: Activity, words: Messages, personal: bool) -> str | AdaptiveCard:
        """The tenant the sender may administer here, or the card saying why they may not."""
        tenant = admin_tenant(activity)
        if not personal:
            return notice_card(words["teams.admin.private_only"])
        if tenant is None:
            return notice_card(words["teams.admin.not_here"])
        if not self.is_admin(activity):
            return self.not_admin_card(words, object_id(activity))
        if not self.workspaces.available:
            return notice_card(words["admin.no_database"])
        return tenant

    async def _content(self, activity: Activity, who: Who) -> Content:
        """The content in the sender's language (as Teams says it, else the tenant's)."""
        guide = await self.service.guide(who, activity.locale)
        return guide.content

    @staticmethod
    def not_admin_card(words: Messages, found: str | None) -> AdaptiveCard:
        """Who may, and the person's own object id to pass on to whoever runs the bot."""
        body = [text(words["teams.admin.not_admin"])]
        if found is not None:
            body.append(text(words.format("teams.admin.your_id", object_id=found)))
        return adaptive_card(body)

    @staticmethod
    def stats_card(words: Messages, totals: str) -> AdaptiveCard:
        """The tenant's totals (WorkspaceAdmin.stats' text), one line a block, months bold."""
        body = [text(words["teams.admin.stats_title"], weight="Bolder", size="Medium")]
        for line in totals.splitlines():
            if line.strip():
                bold = _MONTH.fullmatch(line.strip()) is not None
                body.append(text(line.strip(), **({"weight": "Bolder"} if bold else {})))
        return adaptive_card(body)

    def form(
        self,
        content: Content,
        values: Mapping[str, str],
        opened: str,
        notice: str | None = None,
        color: str = "Default",
    ) -> AdaptiveCard:
        """The settings form, filled in with `values`, a `notice` above it when there is one."""
        words = content.messages
        settings = self.workspaces.runtime.settings
        helplines = content.helplines.regions
        names = self.workspaces.language_names()
        default_region = settings.default_region or words["admin.no_default_region"]
        default_locale = names.get(settings.default_locale, settings.default_locale)
        regions = [
            _choice(words.format("admin.default", value=default_region), DEFAULT_CHOICE),
            *(_choice(f"{c} – {helplines[c].name}", c) for c in self.workspaces.regions),
        ]
        locales = [
            _choice(words.format("admin.default", value=default_locale), DEFAULT_CHOICE),
            *(_choice(names[name], name) for name in self.workspaces.locales),
        ]
        body: list[Element] = []
        if notice:
            body.append(text(notice, weight="Bolder", color=color))
        body += [
            text(words["teams.admin.form_title"], weight="Bolder", size="Medium"),
            text(words["teams.admin.intro"]),
            _choice_set("region", label(words, "region"), regions, values.get("region", "")),
            _hint(words["teams.admin.region_hint"]),
            _text_input(
                "eap_contact",
                label(words, "eap_contact"),
                values.get("eap_contact", ""),
                words["teams.admin.contact_placeholder"],
            ),
            _text_input(
                "coaching_contact",
                label(words, "coaching_contact"),
                values.get("coaching_contact", ""),
                words["teams.admin.contact_placeholder"],
            ),
            _choice_set("locale", label(words, "locale"), locales, values.get("locale", "")),
            _hint(words["teams.admin.locale_hint"]),
            {
                "type": "ActionSet",
                "actions": [
                    {
                        "type": "Action.Execute",
                        "title": words["teams.admin.save"],
                        "verb": SAVE_VERB,
                        "data": {OPENED_FIELD: opened},
                        "style": "positive",
                    }
                ],
            },
        ]
        return adaptive_card(body)


def _values(prefs: WorkspacePrefs) -> dict[str, str]:
    return {
        "region": prefs.region or "",
        "eap_contact": prefs.eap_contact or "",
        "coaching_contact": prefs.coaching_contact or "",
        "locale": prefs.locale or "",
    }


def _choice_set(
    field: str, title: str, choices: list[dict[str, str]], chosen: str
) -> dict[str, Any]:
    known = {choice["value"] for choice in choices}
    return {
        "type": "Input.ChoiceSet",
        "id": field,
        "label": title,
        "style": "compact",
        "isMultiSelect": False,
        "choices": choices,
        "value": chosen if chosen in known else DEFAULT_CHOICE,
    }


def _text_input(field: str, title: str, value: str, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "Input.Text",
        "id": field,
        "label": title,
        "placeholder": placeholder,
        "maxLength": CONTACT_LENGTH,
    }
    if value:
        element["value"] = value[:CONTACT_LENGTH]
    return element
