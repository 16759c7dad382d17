"""Which verified requests reach Bolt: only the kinds the app handles, in shapes Bolt reads safely.

Bolt reads ids, flags and nested objects straight out of payloads (``body["actions"][0]``,
``body["view"]["type"]``, ``"id" in payload["enterprise"]``) while it routes every request
through its matchers, so a payload of a kind the app never asked for, or a field of the wrong
type, became a 500. Here each request is judged first: the app's own kinds (its slash command,
its buttons, its settings form, the Home tab and uninstall events, Slack's URL and SSL checks)
go on to Bolt when every field Bolt reads has Slack's shape; any other kind Slack may send is
acknowledged and ignored (200); anything malformed is refused (400).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from adapters.slack.admin import SETTINGS_VIEW
from adapters.slack.app import COMMAND
from adapters.slack.parse import ACTION_ID_PATTERN

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

HANDLED_EVENTS = frozenset({"app_home_opened", "app_uninstalled", "tokens_revoked"})
HANDLED_VIEWS = frozenset({SETTINGS_VIEW})

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
        "event_id",
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
_COMMAND_TEXT = ("command", "text", "user_id", "team_id", "channel_id", "trigger_id")


@dataclass(frozen=True)
class Refused:
    """A request answered 400, and why (safe to log: it names fields, never their values)."""

    reason: str


Verdict = Literal["handle", "ignore"] | Refused
"""handle: pass it to Bolt; ignore: answer 200 and do nothing; Refused: answer 400."""


def judge_body(content_type: str, text: str) -> Verdict:
    """The verdict on a verified HTTP request body, as Slack posts it (form or JSON)."""
    if content_type == JSON:
        return judge_payload(_json(text, "body"))
    if content_type != FORM:
        return Refused("unexpected content type")
    form = parse_qs(text, keep_blank_values=True)
    if "payload" in form:
        return judge_payload(_json(form["payload"][0], "payload"))
    if "command" in form:
        return judge_command({key: values[0] for key, values in form.items()})
    if "ssl_check" in form:
        return "handle"
    return Refused("form body is neither a command nor a payload")


def judge_command(fields: Mapping[str, Any]) -> Verdict:
    """The verdict on a slash command's fields (a form's values, or Socket Mode's payload)."""
    for key in _COMMAND_TEXT:
        if key in fields and not isinstance(fields[key], str):
            return Refused(f"slash command whose {key} is not text")
    if fields.get("command") != COMMAND:
        return "ignore"
    missing = [key for key in ("user_id", "team_id") if not fields.get(key)]
    return Refused(f"slash command without {', '.join(missing)}") if missing else "handle"


def judge_payload(value: Any) -> Verdict:
    """The verdict on an interaction or event payload (already parsed from its JSON)."""
    if isinstance(value, Refused):
        return value
    if not isinstance(value, dict):
        return Refused("payload is not a JSON object")
    kind = value.get("type")
    if not isinstance(kind, str):
        return Refused("payload has no type")
    handled = _handled(kind, value)
    if handled != "handle":
        return handled
    problem = _object_problem(value, "payload", 0)
    return Refused(problem) if problem else "handle"


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return Refused(f"{what} is not JSON")


def _handled(kind: str, payload: dict[str, Any]) -> Verdict:
    """Whether the payload is one of the app's own kinds ("handle"), another kind, or broken."""
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
            return Refused("block_actions without actions")
        action_id = actions[0].get("action_id")
        if not isinstance(action_id, str):
            return Refused("block_actions without an action_id")
        return "handle" if ACTION_ID_PATTERN.fullmatch(action_id) else "ignore"
    if kind == "view_submission":
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return Refused("view_submission without a view callback_id")
        if view["callback_id"] not in HANDLED_VIEWS:
            return "ignore"
        if not isinstance(view.get("type"), str):
            return Refused("view_submission whose view has no type")
        return _form_state_problem(view.get("state")) or "handle"
    if kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return Refused("event_callback without an event type")
        if event["type"] not in HANDLED_EVENTS:
            return "ignore"
        if not isinstance(payload.get("team_id"), str):
            return Refused("event_callback without a team_id")
        return "handle"
    if kind == "url_verification":
        if not isinstance(payload.get("challenge"), str):
            return Refused("url_verification without a challenge")
        return "handle"
    return "ignore"


def _form_state_problem(state: Any) -> Refused | None:
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
        for block in values.values()
    ):
        return Refused("view_submission whose view.state.values is not an object of objects")
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
