"""A tenant's settings and totals with the real `coach-or-therapy teams` process, on its SQLite
database: the people in TEAMS_ADMINS type settings or stats in a personal chat; the form's Save
is an invoke whose answer replaces the form in place; everyone else is refused kindly."""

from __future__ import annotations

import itertools
import string
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from adapters.storage import rows
from adapters.storage.database import make_engine
from adapters.storage.interface import WorkspacePrefs
from adapters.storage.stats import shown
from adapters.teams.limits import MESSAGE_BYTES, size_of
from adapters.teams.render import invoke_reply
from bot.content import load_content
from bot.regions import region_code
from tests.conftest import CONTENT_ROOT, words
from tests.storing import last_month, shown_for
from tests.teams.conftest import Person, TeamsProcess, actions, click_value, shown_text
from tests.teams.test_cards import assert_adaptive_card

pytestmark = pytest.mark.slow

ADMIN = "5e2f3a10-8c4b-4d6e-9f01-23456789abcd"
OTHER_ADMIN = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
ALEX = "11111111-2222-4333-8444-555555555555"
EN = words("en")
_tenants = itertools.count(1)


def new_tenant() -> str:
    """A tenant of its own for each test, so that no test sees another's settings."""
    return f"aaaaaaaa-0000-4000-8000-{next(_tenants):012d}"


@pytest.fixture(scope="module")
def bot(microsoft, tmp_path_factory) -> Iterator[TeamsProcess]:
    # upper case and spaces, as an operator may paste them
    admins = f" {ADMIN.upper()} , {OTHER_ADMIN}"
    process = TeamsProcess(
        microsoft, tmp_path_factory.mktemp("teams-admin"), TEAMS_ADMINS=admins
    ).start()
    yield process
    process.kill()


@pytest.fixture(scope="module")
def engine(bot) -> Engine:
    """The process's own SQLite database, read and written as the test's evidence."""
    return make_engine(f"sqlite:///{bot.folder / 'data' / 'coach-or-therapy.db'}")


def stored(engine: Engine, tenant: str) -> WorkspacePrefs:
    return rows.read_settings(engine, [("teams", tenant)]).get(("teams", tenant), WorkspacePrefs())


def admin(bot, microsoft, http, tenant: str, aad: str = ADMIN) -> Person:
    return Person(bot, microsoft, http, user="29:sam", aad=aad, conversation="a:sam", tenant=tenant)


def alex(bot, microsoft, http, tenant: str) -> Person:
    return Person(
        bot, microsoft, http, user="29:alex", aad=ALEX, conversation="a:alex", tenant=tenant
    )


def inputs(card: dict[str, Any]) -> dict[str, str]:
    """Each input of a form and the value it shows."""
    return {
        item["id"]: item.get("value", "")
        for item in card["body"]
        if str(item.get("type", "")).startswith("Input.")
    }


def save_action(card: dict[str, Any], **typed: str) -> dict[str, Any]:
    """The form's Save as Teams sends it: its data with every input's value merged in."""
    (save,) = [a for a in actions(card) if a["title"] == "Save"]
    return {**save, "data": {**save["data"], **inputs(card), **typed}}


async def open_form(person: Person) -> dict[str, Any]:
    (card,) = await person.say("settings")
    assert_adaptive_card(card)
    assert inputs(card), shown_text(card)
    return card


async def invoke(person: Person, value: Any, **fields: Any) -> tuple[int, Any]:
    """Post an `adaptiveCard/action` invoke with any value at all."""
    body = person.activity("invoke", name="adaptiveCard/action", value=value, **fields)
    return await person.post(body)


def answered_card(status: int, answer: Any) -> dict[str, Any]:
    assert status == 200, answer
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    card = answer["value"]
    assert_adaptive_card(card)
    assert size_of(invoke_reply(card)) < MESSAGE_BYTES
    return card


async def test_an_admin_saves_and_the_next_walk_through_uses_it(bot, microsoft, http, engine):
    tenant = new_tenant()
    sam = admin(bot, microsoft, http, tenant)
    form = await open_form(sam)
    assert inputs(form) == {
        "region": "default",
        "eap_contact": "",
        "coaching_contact": "",
        "locale": "default",
    }
    text = shown_text(form)
    assert EN["teams.admin.form_title"] in text and "Default (GB)" in str(form)
    assert "US – United States" in str(form) and "Deutsch" in str(form)

    saved = await sam.press(
        save_action(form, region="us", eap_contact="Call Priya in HR on 5550 1234")
    )
    assert_adaptive_card(saved)
    assert EN["teams.admin.saved"] in shown_text(saved)
    assert inputs(saved)["region"] == "US"
    assert stored(engine, tenant) == WorkspacePrefs(
        region="US", eap_contact="Call Priya in HR on 5550 1234"
    )
    # opening the form again shows what is stored now
    again = await open_form(sam)
    assert inputs(again) == {
        "region": "US",
        "eap_contact": "Call Priya in HR on 5550 1234",
        "coaching_contact": "",
        "locale": "default",
    }

    # someone else in that tenant, right away: this process's cache holds the save already
    person = alex(bot, microsoft, http, tenant)
    await person.say("hi")
    await person.click("No")
    help_card = shown_text(await person.click("Get help now"))
    assert "call 911" in help_card and "988" in help_card
    assert "Samaritans" not in help_card
    assert "Call Priya in HR on 5550 1234" in help_card
    # and in any other tenant nothing changed
    elsewhere = alex(bot, microsoft, http, new_tenant())
    await elsewhere.say("hi")
    assert "call 999" in shown_text(await elsewhere.click("Get help now"))


async def test_a_second_save_and_a_cleared_field(bot, microsoft, http, engine):
    tenant = new_tenant()
    sam = admin(bot, microsoft, http, tenant)
    first = await sam.press(save_action(await open_form(sam), region="DE", locale="de"))
    assert stored(engine, tenant) == WorkspacePrefs(region="DE", locale="de")
    # the saved card's own Save works again: the form shows the settings now stored
    second = await sam.press(save_action(first, region="default", coaching_contact="Ask Jo"))
    assert EN["teams.admin.saved"] in shown_text(second)
    assert stored(engine, tenant) == WorkspacePrefs(locale="de", coaching_contact="Ask Jo")


REGIONS = set(load_content(CONTENT_ROOT, "en").helplines.regions)
BAD_REGIONS = st.text(string.ascii_letters, min_size=1, max_size=3).filter(
    lambda r: region_code(r) not in {"", *REGIONS}
)
BAD_CONTACTS = st.one_of(
    st.builds(
        lambda host: f"http://{host}.example.com", st.text(string.ascii_lowercase, min_size=1)
    ),
    st.builds(lambda rest: "javascript:" + rest, st.text(string.ascii_letters, max_size=20)),
    st.builds(lambda a, b: f"{a}\n{b}", st.text("ab", min_size=1), st.text("cd", min_size=1)),
    st.builds(lambda a: f"<{a}>", st.text(string.ascii_letters, min_size=1, max_size=20)),
    st.builds(lambda a: "Call HR\u200b" + a, st.text(string.digits, max_size=5)),
    st.integers(201, 790).map(lambda n: "x" * n),
)
BAD_LOCALES = st.text(string.ascii_lowercase + "-", min_size=1, max_size=8).filter(
    lambda code: code.strip() and code.strip() not in ("en", "de", "fr", "es")
)


@st.composite
def bad_forms(draw: st.DrawFn) -> tuple[dict[str, str], set[str]]:
    """A form with at least one field that cannot be saved, and which fields those are."""
    form = {
        "region": draw(st.sampled_from(["default", "GB", "uk"])),
        "eap_contact": draw(st.sampled_from(["", "https://eap.example.org"])),
        "coaching_contact": draw(st.sampled_from(["", "Ask Jo"])),
        "locale": draw(st.sampled_from(["default", "fr"])),
    }
    wrong = draw(st.sets(st.sampled_from(list(form)), min_size=1))
    bad = {
        "region": BAD_REGIONS,
        "eap_contact": BAD_CONTACTS,
        "coaching_contact": BAD_CONTACTS,
        "locale": BAD_LOCALES,
    }
    for name in wrong:
        form[name] = draw(bad[name])
    return form, wrong


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(bad=bad_forms())
async def test_invalid_input_is_explained_kindly_and_changes_nothing(
    bot, microsoft, http, engine, bad
):
    form, wrong = bad
    tenant = "bbbbbbbb-0000-4000-8000-000000000001"
    before = stored(engine, tenant)
    sam = admin(bot, microsoft, http, tenant)
    opened = await open_form(sam)
    card = await sam.press(save_action(opened, **form))
    assert_adaptive_card(card)
    notice = card["body"][0]["text"]
    assert notice.startswith(EN["admin.fix"])
    # one line for each field that is wrong, under its label, and none for the others
    fixes = {line.split(":")[0].lstrip("• ") for line in notice.splitlines()[1:]}
    assert fixes == {EN[f"admin.labels.{name}"] for name in wrong}
    assert stored(engine, tenant) == before
    # the form again, with what they typed in the text fields (as much as the field holds)
    shown_again = inputs(card)
    for name in ("eap_contact", "coaching_contact"):
        assert shown_again[name] == form[name][:200]
    assert "Save" in [a["title"] for a in actions(card)]


async def test_people_not_in_teams_admins_are_refused_and_change_nothing(
    bot, microsoft, http, engine
):
    tenant = new_tenant()
    person = alex(bot, microsoft, http, tenant)
    for command in ("settings", "stats", "<at>Coaching or therapy?</at> SETTINGS"):
        (card,) = await person.say(command)
        assert_adaptive_card(card)
        text = shown_text(card)
        assert EN["teams.admin.not_admin"] in text
        # their own object id, for them to pass on, in their own personal chat only
        assert EN.format("teams.admin.your_id", object_id=ALEX) in text
        assert EN["teams.admin.form_title"] not in text and "Input." not in str(card)
    # pressing an admin's Save (copied from their form) changes nothing either
    sam = admin(bot, microsoft, http, tenant)
    taken = save_action(await open_form(sam), region="US")
    refused = await person.press(taken)
    assert EN["teams.admin.not_admin"] in shown_text(refused)
    assert stored(engine, tenant) == WorkspacePrefs()
    # nor does someone whose Teams gives no object id at all
    nobody = Person(bot, microsoft, http, user="29:guest", aad=None, tenant=tenant)
    refused = await nobody.press(taken)
    assert EN["teams.admin.not_admin"] in shown_text(refused)
    assert "object id:" not in shown_text(refused)
    assert stored(engine, tenant) == WorkspacePrefs()
    # the usage note mentions settings only to admins
    (usage,) = await person.say("help")
    assert EN["teams.admin.usage"] not in shown_text(usage)
    (usage,) = await sam.say("help")
    assert EN["teams.admin.usage"] in shown_text(usage)


async def test_in_a_channel_settings_are_never_shown(bot, microsoft, http, engine):
    tenant = new_tenant()
    channel = "19:general@thread.tacv2;messageid=1"
    for aad in (ADMIN, ALEX):
        person = Person(
            bot,
            microsoft,
            http,
            aad=aad,
            conversation=channel,
            conversation_type="channel",
            tenant=tenant,
        )
        for command in ("settings", "stats"):
            (card,) = await person.say(f"<at>Coaching or therapy?</at> {command}")
            assert shown_text(card) == EN["teams.admin.private_only"]
        # and a Save pressed in a channel changes nothing
        card = answered_card(
            *await invoke(person, click_value({"verb": "cot:settings", "data": {"region": "US"}}))
        )
        assert shown_text(card) == EN["teams.admin.private_only"]
    assert stored(engine, tenant) == WorkspacePrefs()


async def test_a_save_touches_only_the_activitys_own_tenant(bot, microsoft, http, engine):
    mine, theirs = new_tenant(), new_tenant()
    sam = admin(bot, microsoft, http, mine)
    action = save_action(await open_form(sam), region="FR")
    # data naming another tenant is just data: the activity's tenant is the one saved
    action["data"].update({"tenant": theirs, "tenantId": theirs, "workspace": theirs})
    saved = await sam.press(action)
    assert EN["teams.admin.saved"] in shown_text(saved)
    assert stored(engine, mine) == WorkspacePrefs(region="FR")
    assert stored(engine, theirs) == WorkspacePrefs()
    # an activity whose tenant ids disagree is refused outright
    disagreeing = await invoke(
        sam, click_value(save_action(saved, region="US")), channelData={"tenant": {"id": theirs}}
    )
    assert shown_text(answered_card(*disagreeing)) == EN["teams.admin.not_here"]
    # a form opened in one tenant and pressed in another: the settings it was opened with are
    # not the other tenant's, so nothing is saved there either
    other = admin(bot, microsoft, http, theirs, aad=OTHER_ADMIN)
    card = await other.press(save_action(saved, region="US"))
    assert EN["teams.admin.changed"] in shown_text(card)
    assert stored(engine, mine) == WorkspacePrefs(region="FR")
    assert stored(engine, theirs) == WorkspacePrefs()


def _malformed(form: dict[str, Any]) -> list[Any]:
    data = save_action(form)["data"]
    huge = "x" * 100_000
    values: list[Any] = [
        None,
        "cot:settings",
        [],
        {"action": "cot:settings"},
        {"action": {"verb": "cot:settings"}},
        {"action": {"verb": "cot:settings", "data": None}},
        {"action": {"verb": "cot:settings", "data": "region=US"}},
        {"action": {"verb": "cot:settings", "data": ["US"]}},
        {"action": {"verb": "cot:settings", "data": {"region": "US"}}},
        {"action": {"verb": ["cot:settings"], "data": data}},
    ]
    for name in data:
        values.append(
            {
                "action": {
                    "verb": "cot:settings",
                    "data": {k: v for k, v in data.items() if k != name},
                }
            }
        )
        for wrong in (None, 7, 1.5, True, ["US"], {"value": "US"}, huge):
            values.append({"action": {"verb": "cot:settings", "data": {**data, name: wrong}}})
    return values


async def test_malformed_saves_never_get_a_5xx_and_change_nothing(bot, microsoft, http, engine):
    tenant = new_tenant()
    sam = admin(bot, microsoft, http, tenant)
    form = await open_form(sam)
    for value in _malformed(form):
        status, answer = await invoke(sam, value)
        assert status < 500, (value, answer)
        if status == 200 and answer.get("type") == "application/vnd.microsoft.card.adaptive":
            card = answered_card(status, answer)
            assert EN["teams.admin.saved"] not in shown_text(card)
        assert stored(engine, tenant) == WorkspacePrefs(), value
    # an unreadable form is answered with the form again, as the settings are now
    card = answered_card(*await invoke(sam, {"action": {"verb": "cot:settings", "data": {}}}))
    assert EN["teams.admin.unreadable"] in shown_text(card)
    assert inputs(card)["region"] == "default"


async def test_a_replayed_or_stale_save_changes_nothing(bot, microsoft, http, engine):
    tenant = new_tenant()
    sam = admin(bot, microsoft, http, tenant)
    form = await open_form(sam)
    first = click_value(save_action(form, region="US"))
    card = answered_card(*await invoke(sam, first))
    assert EN["teams.admin.saved"] in shown_text(card)
    second = await sam.press(save_action(card, region="AU"))
    assert EN["teams.admin.saved"] in shown_text(second)
    # the first Save again (delivered twice, or pressed on an old copy of the form)
    for _ in range(2):
        card = answered_card(*await invoke(sam, first))
        assert EN["teams.admin.changed"] in shown_text(card)
        assert inputs(card)["region"] == "AU"
        assert stored(engine, tenant) == WorkspacePrefs(region="AU")


async def test_stats_show_the_rounded_totals_of_months_that_have_ended(
    bot, microsoft, http, engine
):
    tenant = new_tenant()
    month = last_month()
    exact = {"started": 23, "finished": 17, "coaching": 6, "therapy": 2, "both": 9}
    rows.add_counts(
        engine, Counter({("teams", tenant, month, name): n for name, n in exact.items()})
    )
    rows.add_counts(engine, Counter({("teams", tenant, "2999-01", "started"): 40}))
    sam = admin(bot, microsoft, http, tenant)
    (card,) = await sam.say("stats")
    assert_adaptive_card(card)
    text = shown_text(card)
    assert EN["teams.admin.stats_title"] in text
    assert EN.format("stats.note", within=4) in text
    assert month in text and "2999-01" not in text
    for name, n in exact.items():
        total = shown(shown_for(engine, "teams", tenant, month, name, n), EN)
        assert EN.format("stats.line", label=EN[f"stats.rows.{name}"], total=total) in text
    # a tenant with nothing counted yet
    (card,) = await admin(bot, microsoft, http, new_tenant()).say("stats")
    assert EN["stats.none_yet"] in shown_text(card)


async def test_an_admin_reads_it_all_in_their_teams_language(bot, microsoft, http):
    de = words("de")
    sam = admin(bot, microsoft, http, new_tenant())
    status, _ = await sam.post(sam.activity("message", text="settings", locale="de-DE"))
    assert status == 200
    card = microsoft.sent_cards()[-1]
    assert de["teams.admin.form_title"] in shown_text(card)
    assert [a["title"] for a in actions(card)] == [de["teams.admin.save"]]


async def test_no_form_value_reaches_a_log_line(bot, microsoft, http):
    tenant = new_tenant()
    sam = admin(bot, microsoft, http, tenant)
    secret_eap = "Ring Quentin Zabriskie on 0161 496 0321"
    secret_coach = "https://coaching.example.net/zabriskie-programme"
    saved = await sam.press(
        save_action(await open_form(sam), eap_contact=secret_eap, coaching_contact=secret_coach)
    )
    assert EN["teams.admin.saved"] in shown_text(saved)
    await sam.press(save_action(saved, eap_contact="javascript:zabriskie()"))
    await invoke(sam, {"action": {"verb": "cot:settings", "data": {"region": "zabriskie"}}})
    output = bot.output()
    assert " DEBUG " in output, "the process did log at DEBUG"
    assert "workspace settings saved" in output
    assert "Traceback" not in output
    assert "zabriskie" not in output.lower()
    assert "Quentin" not in output and "0161 496" not in output
