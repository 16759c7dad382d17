"""Whether a verified request body has the shape Bolt 1.30 can read without raising.

Bolt reads ids, flags and nested objects straight out of payloads (``body["actions"][0]``,
``"id" in payload["enterprise"]``), so a field of the wrong type becomes a 500. Slack's own
payloads always have these shapes; anything else is answered 400 before Bolt sees it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_MAX_DEPTH = 40
# fields that are text wherever they appear
_TEXT = frozenset(
    {
        "type",
        "team_id",
        "user_id",
        "enterprise_id",
        "channel_id",
        "api_app_id",
        "trigger_id",
        "response_url",
        "callback_id",
        "action_id",
        "block_id",
        "value",
        "tab",
        "thread_ts",
        "user_team",
        "context_team_id",
        "context_enterprise_id",
        "app_installed_team_id",
        "function_execution_id",
        "execution_id",
        "bot_access_token",
        "channel_type",
        "subtype",
        "bot_id",
        "challenge",
        "token",
    }
)
# text or an object with text ids
_REFERENCES = frozenset({"user", "team", "channel", "enterprise"})
# objects wherever they appear
_OBJECTS = frozenset(
    {
        "event",
        "container",
        "view",
        "message",
        "previous_message",
        "item",
        "assistant_thread",
        "function_data",
        "workflow_step",
    }
)
# lists of objects
_LISTS = frozenset({"actions", "authorizations"})
_FLAGS = frozenset({"is_enterprise_install", "is_ext_shared_channel", "is_ephemeral"})

# what each payload type must carry for Bolt to route it
_REQUIRED: dict[str, tuple[str, ...]] = {
    "block_actions": ("actions",),
    "interactive_message": ("actions", "callback_id"),
    "attachment_actions": ("actions", "callback_id"),
    "view_submission": ("view",),
    "view_closed": ("view",),
    "shortcut": ("callback_id",),
    "message_action": ("callback_id",),
    "block_suggestion": ("action_id",),
    "dialog_submission": ("callback_id",),
    "dialog_cancellation": ("callback_id",),
    "dialog_suggestion": ("callback_id",),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}


def shape_problem(content_type: str, text: str) -> str | None:
    """Why a verified body cannot be a Slack request Bolt reads safely (None when it can)."""
    if content_type == JSON:
        return _payload_problem(text, "body")
    if content_type != FORM:
        return "unexpected content type"
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        return _payload_problem(form["payload"][0], "payload")
    if "command" in form:
        missing = [k for k in ("command", "user_id", "team_id") if not form.get(k, [""])[0]]
        return f"slash command without {', '.join(missing)}" if missing else None
    if "ssl_check" in form:
        return None
    return "form body is neither a command nor a payload"


def _payload_problem(text: str, what: str) -> str | None:
    try:
        value: Any = json.loads(text)
    except (ValueError, RecursionError):
        return f"{what} is not JSON"
    if not isinstance(value, dict):
        return f"{what} is not a JSON object"
    kind = value.get("type")
    if not isinstance(kind, str):
        return f"{what} has no type"
    problem = _object_problem(value, what, 0)
    if problem:
        return problem
    for key in _REQUIRED.get(kind, ()):
        if value.get(key) in (None, [], ""):
            return f"{kind} without {key}"
    if kind in ("block_actions", "interactive_message", "attachment_actions"):
        first = value["actions"][0]
        if kind == "block_actions" and not isinstance(first.get("action_id"), str):
            return "block_actions without an action_id"
    if kind in ("view_submission", "view_closed") and not isinstance(
        value["view"].get("callback_id"), str
    ):
        return f"{kind} without a view callback_id"
    if kind == "event_callback" and not isinstance(value["event"].get("type"), str):
        return "event without a type"
    return None


def _object_problem(obj: dict[str, Any], where: str, depth: int) -> str | None:
    if depth > _MAX_DEPTH:
        return f"{where} is nested too deeply"
    for key, value in obj.items():
        here = f"{where}.{key}"
        if value is None:
            continue
        if key in _TEXT and not isinstance(value, str):
            return f"{here} must be text"
        if key in _FLAGS and not isinstance(value, bool):
            return f"{here} must be true or false"
        if key in _REFERENCES and not isinstance(value, str | dict):
            return f"{here} must be text or an object"
        if (
            key in _REFERENCES
            and isinstance(value, dict)
            and not isinstance(value.get("id", ""), str)
        ):
            return f"{here}.id must be text"
        if key in _OBJECTS and not isinstance(value, dict):
            return f"{here} must be an object"
        if key in _LISTS and not (
            isinstance(value, list) and all(isinstance(item, dict) for item in value)
        ):
            return f"{here} must be a list of objects"
        problem = _nested_problem(value, here, depth)
        if problem:
            return problem
    return None


def _nested_problem(value: Any, where: str, depth: int) -> str | None:
    if isinstance(value, dict):
        return _object_problem(value, where, depth + 1)
    if isinstance(value, list):
        for n, item in enumerate(value):
            problem = _nested_problem(item, f"{where}[{n}]", depth + 1)
            if problem:
                return problem
    return None
