"""Contacts reach the help message word for word, so none may hold a character people cannot see,
one that breaks the line or one that turns the text around: in the settings, and in both forms."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.settings import load_settings
from adapters.storage.validation import Invalid, validate_prefs
from bot.errors import SettingsError
from bot.plain_text import hidden

HIDING = st.sampled_from(
    [
        "\u2028",  # LINE SEPARATOR
        "\u2029",  # PARAGRAPH SEPARATOR
        "\u202e",  # RIGHT-TO-LEFT OVERRIDE
        "\u202d",  # LEFT-TO-RIGHT OVERRIDE
        "\u2066",  # LEFT-TO-RIGHT ISOLATE
        "\u200b",  # ZERO WIDTH SPACE
        "\u200c",  # ZERO WIDTH NON-JOINER
        "\u200d",  # ZERO WIDTH JOINER
        "\u2060",  # WORD JOINER
        "\ufeff",  # ZERO WIDTH NO-BREAK SPACE
        "\u00ad",  # SOFT HYPHEN
        "\u061c",  # ARABIC LETTER MARK
        "\u3164",  # HANGUL FILLER
        "\u2800",  # BRAILLE PATTERN BLANK
        "\ue000",  # a private-use character
        "\U000e0041",  # TAG LATIN CAPITAL LETTER A
        "\x07",
        "\x1b",
    ]
) | st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co"])
VISIBLE = st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="<>").filter(
    lambda c: not hidden(c) and c != "\u3000"
)
CONTACT = st.builds(
    lambda before, mark, after: before + mark + after,
    st.text(VISIBLE, min_size=1, max_size=40).map(str.strip).filter(bool),
    HIDING,
    st.text(VISIBLE, min_size=1, max_size=40).map(str.strip).filter(bool),
)


def settings_with(contact: str):
    return load_settings({"EAP_CONTACT": contact}, None)


@given(contact=CONTACT, name=st.sampled_from(["EAP_CONTACT", "COACHING_CONTACT"]))
def test_a_contact_setting_with_a_hidden_character_is_refused_naming_it(contact, name):
    with pytest.raises(SettingsError) as raised:
        load_settings({name: contact}, None)
    message = str(raised.value)
    assert message.startswith(name)
    mark = next(c for c in contact if hidden(c))
    if mark not in "\n\r":
        assert f"U+{ord(mark):04X}" in message
    assert contact not in message


@given(contact=CONTACT, field=st.sampled_from(["eap_contact", "coaching_contact"]))
def test_a_contact_typed_in_a_settings_form_with_a_hidden_character_is_refused(contact, field):
    checked = validate_prefs({field: contact}, regions={"GB"}, locales={"en"})
    assert isinstance(checked, Invalid)
    assert set(checked.errors) == {field}


@given(contact=st.text(VISIBLE, min_size=1, max_size=120).map(str.strip).filter(bool))
def test_visible_text_in_any_script_is_a_fine_contact(contact):
    assert settings_with(contact).eap_contact == contact
    checked = validate_prefs({"eap_contact": contact}, regions={"GB"}, locales={"en"})
    if isinstance(checked, Invalid):
        # a form only refuses it for looking like a link that is not https
        assert "link" in checked.errors["eap_contact"], checked.errors
    else:
        assert checked.values["eap_contact"] == contact


@pytest.mark.parametrize(
    "contact",
    ["call 0800 111 0 111", "Téléphone\u00a0: 01 23 45 67 89", "社内相談窓口 03-1234-5678"],
)
def test_real_contacts_with_accents_other_scripts_and_no_break_spaces_are_kept(contact):
    assert settings_with(contact).eap_contact == contact
    assert unicodedata.normalize("NFC", contact) == contact
