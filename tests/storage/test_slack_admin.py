"""Slack admins change a workspace's settings and read its totals; no one else can."""

from __future__ import annotations

import pytest

from adapters.slack.admin import NOT_ADMIN, SAVED
from adapters.storage.validation import MAX_CARD_CHANNELS
from adapters.workspaces import WorkspacePrefs
from tests.slack.conftest import Person, shown_text
from tests.storage.slack_fake import submit_view, type_command

ADMIN = "UADMIN"


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
        reply = await type_command(stored.server, word, user="UMEMBER")
        assert reply["response_type"] == "ephemeral"
        assert NOT_ADMIN in shown_text(reply)
    assert installing_slack.api_method("views.open") == []


async def test_an_admin_gets_the_settings_form_filled_with_what_is_stored(
    serve_stored, installing_slack
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    await stored.workspaces.save_prefs(
        "slack", "T1", WorkspacePrefs(region="US", eap_contact="Call HR on 1234")
    )
    assert await type_command(stored.server, "settings", user=ADMIN) is None
    opened = await installing_slack.wait_for(installing_slack.api_url + "views.open")
    assert opened[0]["trigger_id"] == "trigger-1"
    view = opened[0]["view"]
    assert view["callback_id"] == "cot_settings"
    blocks = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert blocks["region"]["initial_option"]["value"] == "US"
    assert blocks["eap_contact"]["initial_value"] == "Call HR on 1234"


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
    assert SAVED in reply["view"]["blocks"][0]["text"]["text"]

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
    assert await stored.workspaces.prefs("slack", "T1") == WorkspacePrefs()


async def test_a_submission_from_someone_no_longer_admin_is_refused(serve_stored):
    stored = await serve_stored()
    reply = await submit_view(stored.server, form(region="US"), user="UMEMBER")
    assert reply == {"response_action": "errors", "errors": {"region": NOT_ADMIN}}
    assert await stored.workspaces.prefs("slack", "T1") == WorkspacePrefs()


async def test_an_admin_sees_the_totals_with_small_numbers_hidden(serve_stored, installing_slack):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    for _ in range(5):
        person = Person(stored.server)
        await person.start()
    await person.click("Get help now")

    reply = await type_command(stored.server, "stats", user=ADMIN)
    text = shown_text(reply)
    assert reply["response_type"] == "ephemeral"
    assert "Walk-throughs started: 5" in text
    assert "Urgent help shown: fewer than 5" in text
    assert "Finished: fewer than 5" in text
    assert "U1" not in text


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
    assert await stored.workspaces.prefs("slack", "T1") == WorkspacePrefs()
    reply = await submit_view(
        stored.server, form(card_channels=_channels(MAX_CARD_CHANNELS)), user=ADMIN
    )
    assert reply["response_action"] == "update"
    assert len((await stored.workspaces.prefs("slack", "T1")).card_channels) == MAX_CARD_CHANNELS


@pytest.mark.parametrize("mark", ["\u202e", "\u2028", "\u200b"])
async def test_a_contact_with_a_hidden_character_is_refused_next_to_its_field(
    serve_stored, installing_slack, mark
):
    installing_slack.admins.add(ADMIN)
    stored = await serve_stored()
    reply = await submit_view(stored.server, form(eap_contact=f"Call HR{mark} on 1234"), user=ADMIN)
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {"eap_contact"}
    assert await stored.workspaces.prefs("slack", "T1") == WorkspacePrefs()
