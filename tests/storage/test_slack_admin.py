"""Slack admins change their own workspace's settings and read its totals; no one else can."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.admin import one_workspace
from adapters.storage import rows
from adapters.storage.interface import NoStorage, WorkspacePrefs
from adapters.storage.rows import month_of
from adapters.storage.stats import shown
from adapters.storage.validation import MAX_CARD_CHANNELS
from tests.conftest import words
from tests.slack.conftest import Person, shown_text
from tests.storage.slack_fake import (
    admin_reply,
    form_outcome,
    submit_view,
    type_command,
    view_ids,
)
from tests.storing import last_month, shown_for

ADMIN = "UADMIN"
EN = words("en")
NOT_ADMIN = EN["slack.not_admin"]
NOT_HERE = EN["slack.not_here"]
SAVED = EN["slack.saved"]


def form(**values: str) -> dict[str, dict[str, dict[str, object]]]:
    """Block values as Slack sends them for the settings modal."""
    state: dict[str, dict[str, dict[str, object]]] = {}
    for block, value in values.items():
        if block in ("region", "locale"):
            state[block] = {
                "setting": {"type": "static_select", "selected_option": {"value": value}}
            }
        elif block == "card_channels":
            chosen = [c for c in value.split(",") if c]
            state[block] = {
                "setting": {"type": "multi_conversations_select", "selected_conversations": chosen}
            }
        else:
            state[block] = {"setting": {"type": "plain_text_input", "value": value}}
    return state


async def test_someone_who_is_not_an_admin_is_refused_privately(serve_stored, installing_slack):
    stored = await serve_stored()
    for word in ("settings", "stats"):
        reply = await admin_reply(stored.server, word, user="UMEMBER")
        assert reply["response_type"] == "ephemeral"
        assert NOT_ADMIN in shown_text(reply)
    assert installing_slack.api_method("views.open") == []


async def test_an_admin_gets_the_settings_form_filled_with_what_is_stored(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    await stored.workspaces.save_settings(
        "slack", "T1", WorkspacePrefs(region="US", eap_contact="Call HR on 1234")
    )
    assert await type_command(stored.server, "settings", user=ADMIN) is None
    opened = await installing_slack.wait_for(installing_slack.api_url + "views.open")
    assert opened[0]["trigger_id"] == "trigger-1"
    view = opened[0]["view"]
    assert view["callback_id"] == "cot_settings"
    # the workspace it was opened for, and the language it is shown in
    assert view["private_metadata"] == "T1 en"
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["region"]["initial_option"]["value"] == "US"
    assert blocks["eap_contact"]["initial_value"] == "Call HR on 1234"


async def test_a_slow_users_info_is_answered_after_the_ack(serve_stored, installing_slack):
    # users.info slower than Slack's 3 seconds: the command is acked at once, answered later
    installing_slack.admins.add(ADMIN)
    installing_slack.stalls["/api/users.info"] = 3.5
    stored = await serve_stored()
    reply = await admin_reply(stored.server, "stats", user=ADMIN)
    assert "No month has ended since counting began" in shown_text(reply)


async def test_saved_settings_change_what_people_in_that_workspace_see(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    person = Person(stored.server)
    await person.start()
    help_before = await person.click("Get help now")
    assert "call 999" in shown_text(help_before)  # the server's default region, GB

    reply = await submit_view(
        stored.server,
        form(
            region="US",
            eap_contact="https://intranet.example.com/eap",
            coaching_contact="",
            locale="default",
            card_channels="C0123ABCD",
        ),
        user=ADMIN,
    )
    assert reply["response_action"] == "update"
    assert await form_outcome(installing_slack) == SAVED

    person = Person(stored.server)
    await person.start()
    help_after = await person.click("Get help now")
    assert "call 911" in shown_text(help_after)
    assert "https://intranet.example.com/eap" in shown_text(help_after)
    other_team = Person(stored.server, team="T9")
    await other_team.start()
    assert "call 999" in shown_text(await other_team.click("Get help now"))


async def test_wrong_input_is_shown_next_to_its_field_and_nothing_is_saved(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    reply = await submit_view(
        stored.server,
        form(region="ZZ", eap_contact="http://not-secure.example.com", card_channels="general"),
        user=ADMIN,
    )
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {"region", "eap_contact", "card_channels"}
    assert "https://" in reply["errors"]["eap_contact"]
    assert await stored.workspaces.settings("slack", "T1") == WorkspacePrefs()


async def test_a_submission_from_someone_no_longer_admin_is_refused(serve_stored, installing_slack):
    stored = await serve_stored()
    reply = await submit_view(stored.server, form(region="US"), user="UMEMBER")
    assert reply["response_action"] == "update"
    assert await form_outcome(installing_slack) == NOT_ADMIN
    assert await stored.workspaces.settings("slack", "T1") == WorkspacePrefs()


ID_FIELDS = ("user_team", "view_team", "installed_team", "opened_for")


@pytest.mark.parametrize("field", ["team", *ID_FIELDS])
async def test_a_form_naming_another_workspace_anywhere_changes_nothing(
    serve_stored, installing_slack, field
):
    # an admin of T1, in a Slack Connect channel or an Enterprise Grid org, naming T2
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    other = {"id": "T2", "domain": "other"} if field == "team" else "T2"
    reply = await submit_view(stored.server, form(region="US"), user=ADMIN, ids={field: other})
    assert reply == {"response_action": "errors", "errors": {"region": NOT_HERE}}
    for team in ("T1", "T2"):
        assert await stored.workspaces.settings("slack", team) == WorkspacePrefs()


async def test_an_admin_of_another_workspace_cannot_change_or_read_this_one(
    serve_stored, installing_slack
):
    # users.info places the person in T2 (a shared channel): their rights do not hold in T1
    installing_slack.admins.add(ADMIN)
    installing_slack.homes[ADMIN] = "T2"
    stored = await serve_stored()
    stored.workspaces.count("slack", "T1", ("started",))
    for word in ("settings", "stats"):
        reply = await admin_reply(stored.server, word, user=ADMIN)
        assert shown_text(reply) == NOT_HERE
    assert installing_slack.api_method("views.open") == []
    await submit_view(stored.server, form(region="US"), user=ADMIN)
    assert await form_outcome(installing_slack) == NOT_HERE
    assert await stored.workspaces.settings("slack", "T1") == WorkspacePrefs()


async def test_a_command_from_a_workspace_the_app_was_not_authorized_for_is_refused(
    serve_stored, installing_slack
):
    # single-workspace mode: the token is T1's (auth.test), the command claims T7
    installing_slack.admins.add(ADMIN)
    installing_slack.homes[ADMIN] = "T7"
    stored = await serve_stored()
    await admin_reply(stored.server, "stats", user=ADMIN)  # auth.test is learned on a request
    reply = await admin_reply(stored.server, "stats", user=ADMIN, team="T7")
    assert shown_text(reply) == NOT_HERE


@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["T1", "T2", ""]), st.integers()), max_size=4),
    st.lists(st.one_of(st.none(), st.sampled_from(["T1", "T2", ""]), st.integers()), max_size=4),
)
def test_one_workspace_only_when_every_id_agrees(required, present):
    found = one_workspace(required, present)
    ids = [*required, *(i for i in present if i is not None)]
    if found is None:
        assert (
            not ids
            or len({repr(i) for i in ids}) > 1
            or not all(isinstance(i, str) and i for i in ids)
        )
    else:
        assert all(i == found for i in ids) and found in ("T1", "T2")


async def test_without_a_database_the_admin_hears_so(serve_slack_on, installing_slack):
    installing_slack.admins.add(ADMIN)
    stored = await serve_slack_on(NoStorage())
    for word in ("settings", "stats"):
        reply = await admin_reply(stored.server, word, user=ADMIN)
        assert shown_text(reply) == EN["admin.no_database"]


async def test_an_admin_sees_ended_months_rounded_and_nothing_of_this_one(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    engine = stored.workspaces.engine
    month = last_month()
    rows.add_counts(engine, Counter({("slack", "T1", month, "started"): 17}))
    for _ in range(5):
        person = Person(stored.server)
        await person.start()
    await person.click("Get help now")

    reply = await admin_reply(stored.server, "stats", user=ADMIN)
    text = shown_text(reply)
    assert reply["response_type"] == "ephemeral"
    started = shown(shown_for(engine, "slack", "T1", month, "started", 17), EN)
    assert f"Walk-throughs started: {started}" in text
    assert "Urgent help shown: fewer than 5" in text
    assert month_of(time.time()) not in text, "this month is not shown until it ends"
    assert "U1" not in text


def test_view_ids_name_one_workspace():
    assert len({str(v) for k, v in view_ids("T5").items() if k != "team"}) == 1


def _channels(count: int) -> str:
    return ",".join(f"C{n:08d}X" for n in range(count))


@pytest.mark.parametrize("count", [MAX_CARD_CHANNELS + 1, 3000])
async def test_too_many_card_channels_are_refused_and_nothing_is_saved(
    serve_stored, installing_slack, count
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    reply = await submit_view(stored.server, form(card_channels=_channels(count)), user=ADMIN)
    assert reply["response_action"] == "errors"
    expected = f"Please choose at most {MAX_CARD_CHANNELS} channels."
    assert reply["errors"] == {"card_channels": expected}
    assert await stored.workspaces.settings("slack", "T1") == WorkspacePrefs()
    reply = await submit_view(
        stored.server, form(card_channels=_channels(MAX_CARD_CHANNELS)), user=ADMIN
    )
    assert reply["response_action"] == "update"
    assert await form_outcome(installing_slack) == SAVED
    assert len((await stored.workspaces.settings("slack", "T1")).card_channels) == MAX_CARD_CHANNELS


@pytest.mark.parametrize("mark", ["\u202e", "\u2028", "\u200b"])
async def test_a_contact_with_a_hidden_character_is_refused_next_to_its_field(
    serve_stored, installing_slack, mark
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    reply = await submit_view(stored.server, form(eap_contact=f"Call HR{mark} on 1234"), user=ADMIN)
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {"eap_contact"}
    assert await stored.workspaces.settings("slack", "T1") == WorkspacePrefs()


async def test_an_admin_reads_the_form_its_errors_and_the_totals_in_their_language(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    installing_slack.locales[ADMIN] = "de-DE"
    stored = await serve_stored()
    de = words("de")
    assert await type_command(stored.server, "settings", user=ADMIN) is None
    (opened,) = await installing_slack.wait_for(installing_slack.api_url + "views.open")
    view = opened["view"]
    assert view["title"]["text"] == de["slack.form_title"]
    assert view["submit"]["text"] == de["slack.save"]
    assert view["private_metadata"] == "T1 de"
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert labels[0] == de["admin.labels.region"]
    languages = [o["text"]["text"] for o in view["blocks"][3]["element"]["options"]]
    assert {"Deutsch", "English", "Español", "Français"} <= set(languages)
    # the form comes back in the language it was shown in, its errors too
    reply = await submit_view(
        stored.server,
        form(region="ZZ"),
        user=ADMIN,
        ids={"opened_for": view["private_metadata"]},
    )
    assert reply["response_action"] == "errors"
    assert reply["errors"]["region"].startswith("Für „ZZ“ haben wir keine Hilfetelefone.")
    stats = await admin_reply(stored.server, "stats", user=ADMIN)
    assert de["stats.none_yet"] in shown_text(stats)
