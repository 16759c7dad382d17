"""Slack payloads as (who, event, token): shape-checked, never trusted, never raising."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from adapters.slack.render import ACTION_PREFIX
from bot.events import EVENT_CODE_PATTERN, Event, parse_event_code
from bot.state import TOKEN_SHAPE, Who

PLATFORM = "slack"

_ID = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,39}")
_TOKEN = re.compile(TOKEN_SHAPE)
ACTION_ID_PATTERN = re.compile("^" + re.escape(ACTION_PREFIX) + f"({EVENT_CODE_PATTERN})$")
"""The action_id of every button this app renders; Bolt routes clicks by it."""

Subcommand = Literal["start", "card", "help"]
SUBCOMMANDS: dict[str, Subcommand] = {"": "start", "start": "start", "card": "card", "help": "help"}


@dataclass(frozen=True)
class Command:
    """A `/coach-or-therapy ...` slash command: who typed it, where, and what they asked for."""

    who: Who
    channel: str
    word: str
    rest: str
    trigger_id: str | None = None
    response_url: str | None = None

    @property
    def subcommand(self) -> Subcommand | None:
        """start, card or help; None when the word means nothing to the walk-through."""
        return SUBCOMMANDS.get(self.word)


@dataclass(frozen=True)
class Click:
    """A button click: who clicked, what it means, and where to answer."""

    who: Who
    event: Event
    token: str | None
    channel: str | None
    response_url: str | None
    in_ephemeral: bool
    in_view: bool


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _url(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) < 2048:
        return value
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_command(body: Any) -> Command | None:
    """The slash command in a form body, or None when it lacks who or where."""
    if not isinstance(body, dict):
        return None
    user, team, channel = (
        _id(body.get("user_id")),
        _id(body.get("team_id")),
        _id(body.get("channel_id")),
    )
    text = _text(body.get("text"))
    if user is None or team is None or channel is None or text is None:
        return None
    word, _, rest = text.strip().partition(" ")
    trigger = _text(body.get("trigger_id"))
    return Command(
        Who(PLATFORM, team, user),
        channel,
        word.lower(),
        rest.strip(),
        trigger,
        _url(body.get("response_url")),
    )


def parse_click(body: Any) -> Click | None:
    """The first action of a block_actions payload as a Click, or None when it is not ours."""
    if not isinstance(body, dict) or body.get("type") != "block_actions":
        return None
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    action = actions[0]
    match = ACTION_ID_PATTERN.fullmatch(_text(action.get("action_id")) or "")
    event = parse_event_code(match.group(1)) if match else None
    user = _dict(body.get("user"))
    user_id = _id(user.get("id"))
    team_id = _id(_dict(body.get("team")).get("id")) or _id(user.get("team_id"))
    if event is None or user_id is None or team_id is None:
        return None
    value = action.get("value")
    token: str | None = None
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        token = value
    elif value not in (None, ""):
        # an unreadable value is passed on so the engine answers with its kind refusal
        token = value if isinstance(value, str) else "!"
        token = token[:64]
    container = _dict(body.get("container"))
    channel = _id(_dict(body.get("channel")).get("id")) or _id(container.get("channel_id"))
    return Click(
        who=Who(PLATFORM, team_id, user_id),
        event=event,
        token=token,
        channel=channel,
        response_url=_url(body.get("response_url")),
        in_ephemeral=container.get("is_ephemeral") is True,
        in_view=container.get("type") == "view",
    )


def parse_home_opened(body: Any) -> tuple[str, str] | None:
    """(team, user) for an app_home_opened event on the Home tab, else None."""
    if not isinstance(body, dict):
        return None
    event = _dict(body.get("event"))
    if event.get("type") != "app_home_opened" or event.get("tab", "home") != "home":
        return None
    team, user = _id(body.get("team_id")), _id(event.get("user"))
    if team is None or user is None:
        return None
    return team, user
