"""What an admin types into the settings form: kept when sensible, else a kind reason per field."""

from __future__ import annotations

import pytest

from adapters.storage.interface import WorkspacePrefs
from adapters.storage.validation import Invalid, validate_prefs
from tests.conftest import words

REGIONS = ("GB", "US", "IE")
LOCALES = ("en",)


def check(**raw: str) -> WorkspacePrefs | Invalid:
    checked = validate_prefs(raw, regions=REGIONS, locales=LOCALES)
    return checked if isinstance(checked, Invalid) else checked.applied_to(WorkspacePrefs())


STORED = WorkspacePrefs(region="US", eap_contact="Call 1234", card_roles=("123456789012345678",))


def test_blank_fields_mean_the_defaults():
    assert check() == WorkspacePrefs()
    assert check(region=" ", eap_contact="", card_channels="  ") == WorkspacePrefs()
    blanked = validate_prefs({"region": "", "eap_contact": ""}, regions=REGIONS, locales=LOCALES)
    assert not isinstance(blanked, Invalid)
    assert blanked.applied_to(STORED) == WorkspacePrefs(card_roles=STORED.card_roles)


def test_fields_a_form_does_not_have_stay_as_stored():
    # Slack's form has no card roles, Discord's no card channels
    changes = validate_prefs({"region": "gb"}, regions=REGIONS, locales=LOCALES)
    assert not isinstance(changes, Invalid)
    assert changes.applied_to(STORED) == WorkspacePrefs(
        region="GB", eap_contact="Call 1234", card_roles=STORED.card_roles
    )


def test_only_the_fields_a_form_has_are_judged():
    assert not isinstance(
        validate_prefs({"region": "GB"}, regions=REGIONS, locales=LOCALES), Invalid
    )


def test_sensible_input_is_kept_tidied():
    assert check(
        region="gb",
        eap_contact="  https://intranet.example.com/eap  ",
        coaching_contact="Ask the People team (#people-help)",
        locale="en",
        card_channels="c0123abcd, C0999ZZZZ C0123ABCD",
        card_roles="123456789012345678",
    ) == WorkspacePrefs(
        region="GB",
        eap_contact="https://intranet.example.com/eap",
        coaching_contact="Ask the People team (#people-help)",
        locale="en",
        card_channels=("C0123ABCD", "C0999ZZZZ"),
        card_roles=("123456789012345678",),
    )


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("region", "XX", "We have no helplines for 'XX'. Choose one of: GB (or UK), IE, US."),
        ("locale", "fr", "Choose a language we have: en."),
        ("eap_contact", "http://intranet.example.com", "must start with https://"),
        ("eap_contact", "javascript:alert(1)", "must start with https://"),
        ("coaching_contact", "x" * 201, "Please keep this to 200 characters or fewer."),
        ("coaching_contact", "line one\nline two", "on one line"),
        ("coaching_contact", "<https://evil.example|click>", "plain text or an https:// link"),
        ("card_channels", "general", "'general' is not a channel id"),
        ("card_roles", "@admins", "'@admins' is not a role id"),
    ],
)
def test_each_wrong_field_says_what_to_do(field, value, says):
    checked = check(**{field: value})
    assert isinstance(checked, Invalid)
    assert list(checked.errors) == [field]
    assert says in checked.said_in(words("en"))[field]
    # and in every other language, in its own words
    for locale in ("de", "fr", "es"):
        said = checked.said_in(words(locale))[field]
        assert said and said != checked.said_in(words("en"))[field]


def test_every_wrong_field_is_reported_at_once():
    checked = check(region="ZZ", eap_contact="ftp://x", card_roles="abc")
    assert isinstance(checked, Invalid)
    assert set(checked.errors) == {"region", "eap_contact", "card_roles"}
