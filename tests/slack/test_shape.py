"""The judgement in front of Bolt: Slack's real payloads of the app's own kinds pass, other kinds
are ignored, and fields of the wrong type are refused."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from adapters.slack.shape import FORM, JSON, Refused, judge_body

CLICK = {
    "type": "block_actions",
    "user": {"id": "U1", "team_id": "T1"},
    "team": {"id": "T1", "domain": "test"},
    "enterprise": None,
    "is_enterprise_install": False,
    "container": {"type": "message", "is_ephemeral": True, "channel_id": "C1"},
    "channel": {"id": "C1", "name": "general"},
    "response_url": "https://hooks.slack.com/actions/T1/1/x",
    "actions": [{"type": "button", "action_id": "cot:c1", "block_id": "b", "value": "tok"}],
    "state": {"values": {}},
}
EVENT = {
    "type": "event_callback",
    "team_id": "T1",
    "authorizations": [{"team_id": "T1", "user_id": "UB", "is_enterprise_install": False}],
    "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
}


def as_form(payload):
    return urlencode({"payload": json.dumps(payload)})


SETTINGS = {
    "type": "view_submission",
    "team": {"id": "T1"},
    "user": {"id": "U1", "team_id": "T1"},
    "view": {
        "id": "V1",
        "type": "modal",
        "callback_id": "cot_settings",
        "state": {"values": {"region": {"setting": {"type": "static_select"}}}},
    },
}


def shape_problem(content_type, text):
    verdict = judge_body(content_type, text)
    return verdict.reason if isinstance(verdict, Refused) else None


def test_slacks_own_payloads_of_the_apps_kinds_pass():
    assert judge_body(FORM, as_form(CLICK)) == "handle"
    assert judge_body(FORM, as_form(SETTINGS)) == "handle"
    assert judge_body(JSON, json.dumps(EVENT)) == "handle"
    assert judge_body(JSON, json.dumps({"type": "url_verification", "challenge": "c"})) == "handle"
    command = "command=%2Fcoach-or-therapy&text=&user_id=U1&team_id=T1"
    assert judge_body(FORM, command) == "handle"
    assert judge_body(FORM, "ssl_check=1&token=x") == "handle"


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "workflow_step_edit", "callback_id": "x"},
        {"type": "shortcut", "callback_id": "x"},
        {"type": "view_closed", "view": {"callback_id": "cot_settings"}},
        {"type": "view_submission", "view": {"callback_id": "another_app_form"}},
        {**CLICK, "actions": [{"action_id": "someone_elses_button"}]},
        {"type": "event_callback", "team_id": "T1", "event": {"type": "message"}},
        {"type": "app_rate_limited", "minute_rate_limited": 1},
        {"type": "something_new"},
    ],
)
def test_other_kinds_slack_may_send_are_ignored(payload):
    assert judge_body(JSON, json.dumps(payload)) == "ignore"
    assert judge_body(FORM, "command=%2Fanother&text=&user_id=U1&team_id=T1") == "ignore"


@pytest.mark.parametrize(
    "view",
    [
        {"callback_id": "cot_settings", "state": {"values": {}}},
        {"callback_id": "cot_settings", "type": "modal", "state": "values"},
        {"callback_id": "cot_settings", "type": "modal", "state": {"values": []}},
        {"callback_id": "cot_settings", "type": "modal", "state": {"values": {"region": 1}}},
        {"callback_id": "cot_settings", "type": "modal"},
    ],
)
def test_a_settings_form_bolt_or_the_app_cannot_read_is_refused(view):
    assert shape_problem(FORM, as_form({**SETTINGS, "view": view})) is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"actions": []}, "without actions"),
        ({"actions": "cot:c1"}, "without actions"),
        ({"actions": [1]}, "without actions"),
        ({"actions": [{"value": "x"}]}, "action_id"),
        ({"enterprise": 7}, "text or an object"),
        ({"team": {"id": ["T1"]}}, "id must be text"),
        ({"user": {"id": "U1", "team_id": 5}}, "must be text"),
        ({"container": "x"}, "must be an object"),
        ({"is_enterprise_install": "yes"}, "true or false"),
        ({"authorizations": {"team_id": "T1"}}, "list of objects"),
        ({"response_url": 3}, "must be text"),
    ],
)
def test_a_click_with_a_field_of_the_wrong_type_is_refused(change, expected):
    problem = shape_problem(FORM, as_form({**CLICK, **change}))
    assert problem is not None and expected in problem


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "interactive_message", "callback_id": None},
        {"type": "view_submission", "view": {"id": "V1"}},
        {"type": "event_callback"},
        {"type": "event_callback", "event": {"type": 3}},
        {"type": "url_verification"},
        {"type": 5},
    ],
)
def test_payloads_missing_what_bolt_routes_by_never_reach_it(payload):
    assert judge_body(JSON, json.dumps(payload)) != "handle"


def test_deep_nesting_is_refused_not_recursed_forever():
    deep: dict = {**CLICK}
    node = deep
    for _ in range(100):
        node["message"] = {}
        node = node["message"]
    assert "nested too deeply" in shape_problem(JSON, json.dumps(deep))
