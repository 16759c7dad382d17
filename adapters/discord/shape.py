"""Whether an INTERACTION_CREATE payload is one the bot handles, in a shape discord.py can read.

discord.py reads the person, a command's name and options, and a button's or form's ids straight
out of the payload, and an odd field surfaces as an exception in a task nobody awaits (or, for a
missing person, as an interaction whose `user` is missing). Discord's own payloads always have
these shapes; anything else is dropped before discord.py sees it.
"""

from __future__ import annotations

from typing import Any

APPLICATION_COMMAND = 2
COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5
_CHAT_INPUT = 1
_STRING_OPTION = 3
_ACTION_ROW = 1
_LABEL = 18
_MAX_DEPTH = 4


def _snowflake(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value).isdigit()


def says_who(data: dict[str, Any]) -> bool:
    """Whether the payload names the person who sent it.

    Discord puts the person in `member.user` in a server and in `user` elsewhere.
    """
    if data.get("guild_id"):
        member = data.get("member")
        user = member.get("user") if isinstance(member, dict) else None
    else:
        user = data.get("user")
    return isinstance(user, dict) and _snowflake(user.get("id"))


def _command_problem(data: dict[str, Any]) -> str | None:
    # the bot's commands are chat commands whose options are all text
    if data.get("type", _CHAT_INPUT) != _CHAT_INPUT:
        return "a kind of command the bot does not have"
    if not isinstance(data.get("name"), str):
        return "a command without a name"
    if not isinstance(data.get("resolved", {}), dict):
        return "a command whose resolved data is not an object"
    if "guild_id" in data and not _snowflake(data["guild_id"]):
        return "a command with an unreadable server id"
    options = data.get("options", [])
    if not isinstance(options, list):
        return "a command whose options are not a list"
    for option in options:
        if not (
            isinstance(option, dict)
            and isinstance(option.get("name"), str)
            and option.get("type") == _STRING_OPTION
            and isinstance(option.get("value"), str)
            and isinstance(option.get("focused", False), bool)
        ):
            return "a command with an option the bot does not have"
    return None


def _form_fields_problem(components: Any, depth: int = 0) -> str | None:
    if depth > _MAX_DEPTH or not isinstance(components, list):
        return "a form whose fields cannot be read"
    for component in components:
        if not isinstance(component, dict) or not isinstance(component.get("type"), int):
            return "a form whose fields cannot be read"
        if component["type"] == _ACTION_ROW:
            inner = component.get("components")
        elif component["type"] == _LABEL:
            inner = [component.get("component")]
        elif "custom_id" in component and not (
            isinstance(component["custom_id"], str) and isinstance(component.get("value", ""), str)
        ):
            return "a form field that cannot be read"
        else:
            continue
        problem = _form_fields_problem(inner, depth + 1)
        if problem:
            return problem
    return None


def interaction_problem(data: Any) -> str | None:
    """Why the bot drops this INTERACTION_CREATE payload unread; None for one it handles."""
    if not isinstance(data, dict):
        return "an interaction that is not an object"
    if not says_who(data):
        return "an interaction that does not say who sent it"
    kind, inner = data.get("type"), data.get("data")
    if kind not in (APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT):
        return "a kind of interaction the bot does not handle"
    if not isinstance(inner, dict):
        return "an interaction without its data"
    if kind in (APPLICATION_COMMAND, AUTOCOMPLETE):
        return _command_problem(inner)
    if not isinstance(inner.get("custom_id"), str):
        return "a button or form without an id"
    if kind == COMPONENT:
        if not isinstance(inner.get("component_type"), int) or isinstance(
            inner["component_type"], bool
        ):
            return "a button press without its component type"
        return None
    if not isinstance(inner.get("resolved", {}), dict):
        return "a form whose resolved data is not an object"
    return _form_fields_problem(inner.get("components"))
