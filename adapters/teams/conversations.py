"""What the bot does with each activity Teams sends: parse it, take the turn, render the card.

In a personal chat any message starts a walk-through (``help`` explains, ``card`` shows the
comparison); a click is an `adaptiveCard/action` invoke whose answer replaces the card in place.
In a channel or group chat the bot only hears messages that mention it: ``card`` posts the
comparison, whose "Take it privately" starts a walk-through in a personal chat. ``settings`` and
``stats`` are for the people in TEAMS_ADMINS, in a personal chat (see admin.py).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from microsoft_agents.activity import Activity

from adapters.conversation import ConversationService, TurnReply
from adapters.log_privacy import BUTTON_PREFIX
from adapters.teams.admin import TeamsAdmin, is_settings_save
from adapters.teams.connector import Connector, ConnectorTrouble
from adapters.teams.render import (
    TOKEN_FIELD,
    invoke_reply,
    message,
    notice_card,
    render,
    welcome_card,
)
from bot.effects import Action
from bot.engine import refusal
from bot.events import EVENT_CODE_PATTERN, Event, ShowCard, Start, parse_event_code
from bot.state import Who

log = logging.getLogger(__name__)

PLATFORM = "teams"
INVOKE_BUDGET_SECONDS = 4.0
"""How long a click may wait on the Bot Connector: Teams shows an error after about 5 s."""
REPLY_BUDGET_SECONDS = 12
"""How long a message may wait on its replies: the Bot Connector delivers it again after 15 s."""
CARD_ACTION = "adaptiveCard/action"
PERSONAL = "personal"
_VERB = re.compile(re.escape(BUTTON_PREFIX) + f"(?P<code>{EVENT_CODE_PATTERN})")
_MENTION = re.compile(r"<at>.*?</at>", re.DOTALL | re.IGNORECASE)
ADMIN_COMMANDS = ("settings", "stats")


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to one activity: its status, and a JSON body when there is one."""

    status: int
    body: dict[str, Any] | None = None


OK = Answer(200)


class NotUsable(Exception):
    """An activity that lacks what its kind needs (no sender, no conversation); a 400."""


@dataclass(frozen=True)
class Click:
    """A press of a card's button: the event its verb names and the token its data carries."""

    event: Event
    token: str | None


def parse_click(value: object) -> Click | None:
    """The click an invoke's value stands for, or None when it is no button of ours."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        return None
    verb = action.get("verb")
    match = _VERB.fullmatch(verb) if isinstance(verb, str) else None
    event = parse_event_code(match["code"]) if match else None
    if event is None:
        return None
    data = action.get("data")
    token = data.get(TOKEN_FIELD) if isinstance(data, dict) else None
    if token is not None and not isinstance(token, str):
        return None
    # a damaged token still reaches the engine, which refuses it kindly
    return Click(event, token or None)


def command_text(activity: Activity) -> str:
    """What the person typed, without the mentions of the bot, in lower case."""
    return " ".join(_MENTION.sub(" ", activity.text or "").split()).lower()


def _tenant(activity: Activity) -> str:
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return conversation.tenant_id
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, dict) else None
    found = tenant.get("id") if isinstance(tenant, dict) else None
    if isinstance(found, str) and found:
        return found
    raise NotUsable("no tenant")


def who_sent(activity: Activity) -> Who:
    """The person an activity is from, in their tenant: a walk-through's token binds them."""
    sender = activity.from_property
    person = sender.aad_object_id or sender.id if sender is not None else None
    if not person:
        raise NotUsable("no sender")
    return Who(PLATFORM, _tenant(activity), person)


def is_personal(activity: Activity) -> bool:
    """Whether the activity comes from the bot's 1:1 chat with a person."""
    conversation = activity.conversation
    return conversation is not None and conversation.conversation_type == PERSONAL


class TeamsConversations:
    """Answers activities: the conversation service takes each turn, render makes the cards."""

    def __init__(
        self,
        service: ConversationService,
        connector: Connector,
        admins: frozenset[str] = frozenset(),
    ) -> None:
        """`admins`: the object ids of TEAMS_ADMINS, in lower case."""
        self.service = service
        self.connector = connector
        self.admin = TeamsAdmin(service, admins)
        self._private_starts: set[asyncio.Task[bool]] = set()

    async def on_activity(self, activity: Activity) -> Answer:
        """Answer one activity whose token has been checked."""
        if activity.type == "message":
            await self._on_message(activity)
            return OK
        if activity.type == "conversationUpdate" and is_personal(activity):
            await self._on_installed(activity)
            return OK
        if activity.type == "invoke":
            if activity.name == CARD_ACTION and is_settings_save(activity.value):
                card = await self.admin.save(activity, who_sent(activity), is_personal(activity))
                return Answer(200, invoke_reply(card))
            if activity.name == CARD_ACTION:
                return await self._on_click(activity)
            # Bot Framework adapters answer 501 to an invoke they do not handle; Teams would
            # show that as an error, and nothing is wrong
            return Answer(200, {})
        return OK

    async def finish(self, grace: float) -> None:
        """Let walk-throughs still being opened in private chats finish, up to `grace` seconds."""
        if self._private_starts:
            await asyncio.wait(self._private_starts, timeout=grace)

    async def _on_message(self, activity: Activity) -> None:
        who = who_sent(activity)
        words = command_text(activity)
        if words in ADMIN_COMMANDS:
            card = await self.admin.command(activity, who, words, is_personal(activity))
            await self._send(activity, [card])
            return
        if not is_personal(activity):
            if words == "card":
                turn = await self._take(who, activity, ShowCard(), None)
                await self._send(activity, [render(e, turn.token) for e in turn.effects])
            else:
                await self._send(activity, [await self._usage(who, activity)])
            return
        if words == "help":
            await self._send(activity, [await self._usage(who, activity)])
            return
        event: Event = ShowCard() if words == "card" else Start()
        turn = await self._take(who, activity, event, None)
        await self._send(activity, [render(e, turn.token) for e in turn.effects])

    async def _on_installed(self, activity: Activity) -> None:
        """Welcome a person who has just added the bot: what it does, and a Start button."""
        recipient = activity.recipient
        added = [member.id for member in activity.members_added or []]
        if recipient is None or recipient.id not in added:
            return
        who = who_sent(activity)
        guide = await self.service.guide(who, activity.locale)
        words = guide.content.messages
        start = Action(Start(), words["buttons.start"], "primary")
        await self._send(activity, [welcome_card(words["teams.usage"], start)], reply=False)

    async def _on_click(self, activity: Activity) -> Answer:
        who = who_sent(activity)
        click = parse_click(activity.value)
        if click is None:
            guide = await self.service.guide(who, activity.locale)
            return Answer(200, invoke_reply(render(refusal(guide.content, "tampered"), None)))
        if isinstance(click.event, Start) and not is_personal(activity):
            return await self._take_privately(who, activity)
        turn = await self._take(who, activity, click.event, click.token)
        first, *more = turn.effects
        if more:
            await self._send(activity, [render(e, turn.token) for e in more], reply=False)
        return Answer(200, invoke_reply(render(first, turn.token)))

    async def _take_privately(self, who: Who, activity: Activity) -> Answer:
        """Start a walk-through in the clicker's personal chat; the channel card stays as it
        was, with a line for them saying where it went (or how to open that chat)."""
        card_turn = await self._take(who, activity, ShowCard(), None)
        sender = activity.from_property
        opening = asyncio.create_task(
            self._open_private(who, activity, sender.id if sender is not None else None)
        )
        self._private_starts.add(opening)
        opening.add_done_callback(self._private_starts.discard)
        # Teams waits about 5 seconds for the card; a chat that takes longer to open still
        # gets its walk-through, and meanwhile the person reads how to open it themselves
        done, _ = await asyncio.wait({opening}, timeout=INVOKE_BUDGET_SECONDS)
        opened = opening in done and opening.result()
        notice = "teams.sent_privately" if opened else "teams.open_chat"
        words = card_turn.guide.content.messages[notice]
        return Answer(200, invoke_reply(render(card_turn.effects[0], card_turn.token, words)))

    async def _open_private(self, who: Who, activity: Activity, person_id: str | None) -> bool:
        service_url = activity.service_url
        if not person_id or not service_url:
            return False
        try:
            chat = await self.connector.open_personal_chat(service_url, who.workspace, person_id)
            turn = await self._take(who, activity, Start(), None)
            for effect in turn.effects:
                card = render(effect, turn.token)
                await self.connector.reply(service_url, chat, None, message(card))
        except ConnectorTrouble as exc:
            log.warning("could not start a walk-through in a private chat: %s", exc)
            return False
        return True

    async def _take(
        self, who: Who, activity: Activity, event: Event, token: str | None
    ) -> TurnReply:
        return await self.service.take(who, event, token, activity.locale)

    async def _usage(self, who: Who, activity: Activity) -> dict[str, Any]:
        guide = await self.service.guide(who, activity.locale)
        words = guide.content.messages
        usage = [words["teams.usage"]]
        if self.admin.is_admin(activity):
            usage.append(words["teams.admin.usage"])
        return notice_card(" ".join(usage))

    async def _send(
        self, activity: Activity, cards: list[dict[str, Any]], reply: bool = True
    ) -> None:
        conversation = activity.conversation
        if conversation is None or not activity.service_url:
            raise NotUsable("no conversation")
        try:
            # answered before the Bot Connector gives up on us and delivers the message again
            async with asyncio.timeout(REPLY_BUDGET_SECONDS):
                for card in cards:
                    await self.connector.reply(
                        activity.service_url,
                        conversation.id,
                        activity.id if reply else None,
                        message(card),
                    )
        except ConnectorTrouble as exc:
            log.warning("a reply was not delivered: %s", exc)
        except TimeoutError:
            log.warning(
                "a reply was not delivered: Teams' Bot Connector took more than %d seconds",
                REPLY_BUDGET_SECONDS,
            )
