"""The shape check in front of Bolt: Slack's real payloads pass, fields of the wrong type do not."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from adapters.slack.shape import FORM, JSON, shape_problem

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


def test_slacks_own_payloads_pass():
    assert shape_problem(FORM, as_form(CLICK)) is None
    assert shape_problem(JSON, json.dumps(EVENT)) is None
    assert shape_problem(JSON, json.dumps({"type": "url_verification", "challenge": "c"})) is None
    assert shape_problem(FORM, "command=%2Fcoach-or-therapy&text=&user_id=U1&team_id=T1") is None
    assert shape_problem(FORM, "ssl_check=1&token=x") is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"actions": []}, "without actions"),
        ({"actions": "cot:c1"}, "list of objects"),
        ({"actions": [1]}, "list of objects"),
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
def test_payloads_missing_what_bolt_routes_by_are_refused(payload):
    assert shape_problem(JSON, json.dumps(payload)) is not None


def test_deep_nesting_is_refused_not_recursed_forever():
    deep: dict = {"type": "block_actions"}
    node = deep
    for _ in range(100):
        node["message"] = {}
        node = node["message"]
    assert "nested too deeply" in shape_problem(JSON, json.dumps(deep))
