"""The conversation token: signed, bound to one person, refused kindly when it cannot be used."""

from __future__ import annotations

import multiprocessing
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.keys import load_keyring
from bot.content import MAX_ANSWERS, MAX_QUESTIONS
from bot.effects import REFUSAL_REASONS
from bot.errors import SettingsError
from bot.state import (
    MAX_TOKEN_LENGTH,
    TOKEN_PATTERN,
    Keyring,
    Opened,
    State,
    Who,
    key_from_secret,
    open_token,
    seal,
    token_locale,
)

NOW = 1_800_000_000.0
TTL = 24 * 3600.0
FINGERPRINT = "AbC-_9"
KEY = key_from_secret("current secret")
OLD_KEY = key_from_secret("old secret")
LONGEST_ADAPTER_PREFIX = 12  # e.g. "cot:c9:" is 7; leave room for any adapter's routing prefix
DISCORD_CUSTOM_ID_LIMIT = 100

# Where each part of a token sits: version, fingerprint, issued time, owner tag, mac, answers.
PARTS = {
    "version": slice(0, 1),
    "fingerprint": slice(1, 7),
    "issued": slice(7, 13),
    "owner tag": slice(13, 17),
    "mac": slice(17, 33),
    "answers": slice(33, None),
}

ME = Who("slack", "T1", "U1")
answers_strategy = st.lists(st.integers(0, 9), max_size=MAX_QUESTIONS + 1).map(tuple)


def _open(token: str, who: Who = ME, keyring: Keyring | None = None, **kwargs: float | str):
    return open_token(
        keyring or Keyring(KEY),
        who,
        token,
        str(kwargs.get("fingerprint", FINGERPRINT)),
        float(kwargs.get("now", NOW + 60)),
        float(kwargs.get("ttl", TTL)),
    )


def _sealed(answers: tuple[int, ...] = (2, 0, 1), who: Who = ME, key: bytes = KEY) -> str:
    return seal(Keyring(key), who, State(answers), FINGERPRINT, NOW)


def _changed(token: str, index: int) -> str:
    """The token with one character replaced by another of the same kind."""
    old = token[index]
    if old.isdigit() and index >= PARTS["answers"].start:
        new = str((int(old) + 1) % 10)
    else:
        new = "B" if old == "A" else "A"
    return token[:index] + new + token[index + 1 :]


# Round trip


@given(answers=answers_strategy, user=st.text(min_size=1, max_size=40))
def test_every_sealed_state_opens_to_the_same_state_for_its_owner(answers, user):
    who = Who("discord", "1234", user)
    token = seal(Keyring(KEY), who, State(answers), FINGERPRINT, NOW)
    opened = _open(token, who)
    assert opened == Opened(State(answers), int(NOW))
    assert re.fullmatch(TOKEN_PATTERN, token)
    assert len(token) <= MAX_TOKEN_LENGTH


def test_a_token_is_only_url_safe_characters_and_answers_are_one_digit_each():
    token = _sealed((2, 0, 1, 3))
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert token.endswith("2013")


def test_sealing_an_answer_that_does_not_fit_one_digit_is_a_programming_error():
    with pytest.raises(ValueError):
        _sealed((10,))
    with pytest.raises(ValueError):
        _sealed((-1,))


@pytest.mark.parametrize("fingerprint", ["", "abc", "abcdefg", "abc+/="])
def test_sealing_with_a_malformed_fingerprint_is_a_programming_error(fingerprint):
    with pytest.raises(ValueError):
        seal(Keyring(KEY), ME, State(()), fingerprint, NOW)


# Each part tampered


@pytest.mark.parametrize("part", [p for p in PARTS if p != "answers"])
def test_changing_any_character_of_a_part_is_refused(part):
    token = _sealed()
    where = PARTS[part]
    for index in range(where.start, where.stop):
        refused = _open(_changed(token, index))
        assert not isinstance(refused, Opened), (part, index)
        if part == "version":
            assert refused == "content_changed"
        elif part == "owner tag":
            # a tag that is not this person's reads as someone else's button
            assert refused == "foreign"
        elif part == "issued":
            # an edited time may read as long past; either way it is refused
            assert refused in ("tampered", "expired")
        else:
            assert refused == "tampered"


def test_changing_an_answer_is_refused():
    token = _sealed((2, 0, 1))
    for index in range(33, len(token)):
        assert _open(_changed(token, index)) == "tampered"


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda t: t + "0", id="answer added"),
        pytest.param(lambda t: t[:-1], id="answer removed"),
        pytest.param(lambda t: t[:-1] + "x", id="answer not a digit"),
        pytest.param(lambda t: t[:20], id="cut short"),
        pytest.param(lambda t: t + "0" * 20, id="too long"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: t[:-1] + "٣", id="non-ascii digit"),
        pytest.param(lambda t: t.replace(t[17], "é", 1), id="non-ascii"),
        pytest.param(lambda t: "!" + t[1:], id="version not from the alphabet"),
        pytest.param(lambda t: t[:20] + "+/=" + t[23:], id="characters outside the alphabet"),
    ],
)
def test_a_malformed_token_is_refused_as_tampered(edit):
    assert _open(edit(_sealed())) == "tampered"


@given(
    answers=answers_strategy,
    index=st.integers(0, 47),
    new=st.characters(codec="utf-8", exclude_categories=("Cs",)),
)
def test_no_single_character_edit_is_ever_accepted(answers, index, new):
    token = _sealed(answers)
    index %= len(token)
    edited = token[:index] + new + token[index + 1 :]
    if edited == token:
        return
    refused = _open(edited)
    assert not isinstance(refused, Opened)
    assert refused in REFUSAL_REASONS


@given(junk=st.text(max_size=120))
def test_any_text_at_all_is_refused_without_raising(junk):
    result = _open(junk)
    assert isinstance(result, Opened) or result in REFUSAL_REASONS
    assert not isinstance(result, Opened)


# Someone else's token


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(Who("slack", "T1", "U2"), id="other user"),
        pytest.param(Who("slack", "T2", "U1"), id="other workspace"),
        pytest.param(Who("discord", "T1", "U1"), id="other platform"),
        pytest.param(Who("slack", "T1U", "1"), id="ids shifted between fields"),
    ],
)
def test_a_token_opened_by_anyone_but_its_owner_is_foreign(other):
    token = _sealed()
    assert _open(token, ME) == Opened(State((2, 0, 1)), int(NOW))
    assert _open(token, other) == "foreign"


def test_ids_containing_separators_never_make_two_people_one():
    first, second = Who("slack", "T1\x1fU", "1"), Who("slack", "T1", "U\x1f1")
    token = seal(Keyring(KEY), first, State((2,)), FINGERPRINT, NOW)
    assert isinstance(_open(token, first), Opened)
    assert _open(token, second) == "foreign"


# Time


def test_a_token_is_good_until_the_ttl_and_expired_after_it():
    token = _sealed()
    assert isinstance(_open(token, now=NOW + TTL), Opened)
    assert _open(token, now=NOW + TTL + 1) == "expired"
    assert _open(token, now=NOW + 10 * TTL) == "expired"


def test_the_ttl_is_a_setting():
    token = _sealed()
    assert isinstance(_open(token, now=NOW + 3600, ttl=7200), Opened)
    assert _open(token, now=NOW + 3600, ttl=1800) == "expired"


def test_a_token_from_the_near_future_allows_for_clock_skew_but_not_more():
    token = _sealed()
    assert isinstance(_open(token, now=NOW - 60), Opened)
    assert _open(token, now=NOW - 3600) == "tampered"


def test_the_issue_time_is_carried_in_whole_seconds():
    token = seal(Keyring(KEY), ME, State(()), FINGERPRINT, NOW + 0.9)
    opened = _open(token)
    assert isinstance(opened, Opened)
    assert opened.issued == int(NOW)


# Content


def test_a_token_for_other_content_is_refused_as_content_changed():
    token = _sealed()
    assert _open(token, fingerprint="zzzzzz") == "content_changed"


def test_an_expired_token_for_old_content_says_it_expired():
    assert _open(_sealed(), fingerprint="zzzzzz", now=NOW + TTL + 1) == "expired"


# Key rotation


def test_a_token_signed_with_the_old_key_is_accepted_while_the_old_key_is_kept():
    token = _sealed(key=OLD_KEY)
    rotating = Keyring(KEY, (OLD_KEY,))
    assert _open(token, keyring=rotating) == Opened(State((2, 0, 1)), int(NOW))
    assert _open(token, Who("slack", "T1", "U2"), keyring=rotating) == "foreign"


def test_a_token_signed_with_a_retired_key_is_refused_but_never_called_someone_elses():
    token = _sealed(key=OLD_KEY)
    assert _open(token, keyring=Keyring(KEY)) == "tampered"
    assert _open(token, keyring=Keyring(KEY), now=NOW + TTL + 1) == "expired"
    assert _open(token, Who("slack", "T1", "U2"), keyring=Keyring(KEY)) == "foreign"


def test_after_the_generated_key_is_lost_a_persons_own_buttons_are_not_called_foreign(tmp_path):
    token = seal(load_keyring(None, None, tmp_path / "first"), ME, State((2,)), FINGERPRINT, NOW)
    fresh = load_keyring(None, None, tmp_path / "second")
    assert _open(token, keyring=fresh) == "tampered"
    assert _open(token, Who("slack", "T1", "U9"), keyring=fresh) == "foreign"


def test_new_tokens_are_signed_with_the_current_key():
    token = seal(Keyring(KEY, (OLD_KEY,)), ME, State((1,)), FINGERPRINT, NOW)
    assert isinstance(_open(token, keyring=Keyring(KEY)), Opened)
    assert _open(token, keyring=Keyring(OLD_KEY)) == "tampered"


# Size


def test_the_longest_conversation_with_any_adapter_prefix_fits_a_discord_custom_id(content):
    longest = tuple([9] * content.total_questions)
    token = _sealed(longest)
    assert len(token) + LONGEST_ADAPTER_PREFIX <= DISCORD_CUSTOM_ID_LIMIT
    assert len("cot:c9:" + token) <= DISCORD_CUSTOM_ID_LIMIT


def test_even_the_most_questions_content_may_have_fits_with_a_prefix():
    most = tuple([MAX_ANSWERS - 1] * (MAX_QUESTIONS + 1))
    token = seal(Keyring(KEY), ME, State(most), FINGERPRINT, NOW, "pt-BR")  # the longest locale
    assert len(token) == MAX_TOKEN_LENGTH
    assert MAX_TOKEN_LENGTH + LONGEST_ADAPTER_PREFIX <= DISCORD_CUSTOM_ID_LIMIT
    assert isinstance(_open(token), Opened)


@pytest.mark.parametrize("locale", ["en", "de", "fr", "es", "pt-BR"])
@pytest.mark.parametrize("help_seen", [False, True])
def test_the_language_and_the_help_mark_travel_in_the_token(locale, help_seen):
    state = State((2, 0, 1), help_seen)
    token = seal(Keyring(KEY), ME, state, FINGERPRINT, NOW, locale)
    assert token_locale(token) == locale
    assert _open(token) == Opened(state, int(NOW), locale)


@pytest.mark.parametrize(("mine", "theirs"), [("en", "de"), ("de", "en"), ("fr", "pt-BR")])
def test_a_token_whose_language_was_changed_is_refused(mine, theirs):
    token = seal(Keyring(KEY), ME, State((2, 0)), FINGERPRINT, NOW, mine)
    changed = token[:40] + theirs + token[40 + len(mine) :]
    assert token_locale(changed) == theirs
    assert _open(changed) == "tampered"


def test_a_token_from_the_previous_release_is_content_changed(content):
    # the first release's layout had no flags or language: version 1
    assert _open("1" + "A" * 32 + "201") == "content_changed"


# The keyring


def test_without_state_secret_a_key_is_generated_once_owner_only_and_reused(tmp_path):
    data = tmp_path / "data"
    first = load_keyring(None, None, data)
    key_file = data / "state-secret"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()
    assert len(written.strip()) >= 32
    second = load_keyring(None, None, data)
    assert second == first
    assert key_file.read_bytes() == written
    assert [p.name for p in data.iterdir()] == ["state-secret"]


def test_a_token_sealed_before_a_restart_opens_after_it(tmp_path):
    before = load_keyring(None, None, tmp_path)
    token = seal(before, ME, State((2, 0)), FINGERPRINT, NOW)
    after = load_keyring(None, None, tmp_path)
    assert _open(token, keyring=after) == Opened(State((2, 0)), int(NOW))


def test_state_secret_overrides_the_key_file(tmp_path):
    generated = load_keyring(None, None, tmp_path)
    chosen = load_keyring("a shared secret", None, tmp_path)
    assert chosen.current == key_from_secret("a shared secret")
    assert chosen.current != generated.current
    assert load_keyring("a shared secret", None, tmp_path / "never-made") == chosen
    assert not (tmp_path / "never-made").exists()


def test_state_secret_old_adds_older_keys_in_order(tmp_path):
    keyring = load_keyring("new", " old1 , ,old2", tmp_path)
    assert keyring.current == key_from_secret("new")
    assert keyring.older == (key_from_secret("old1"), key_from_secret("old2"))
    assert keyring.all == (keyring.current, *keyring.older)


def test_old_secrets_also_work_beside_a_generated_key(tmp_path):
    keyring = load_keyring(None, "old secret", tmp_path)
    assert keyring.older == (OLD_KEY,)
    assert isinstance(_open(_sealed(key=OLD_KEY), keyring=keyring), Opened)


def test_rotating_state_secret_through_state_secret_old(tmp_path):
    before = load_keyring("the first secret", None, tmp_path)
    token = seal(before, ME, State((2, 1)), FINGERPRINT, NOW)
    rotating = load_keyring("the second secret", "the first secret", tmp_path)
    assert _open(token, keyring=rotating) == Opened(State((2, 1)), int(NOW))
    rotated = load_keyring("the second secret", None, tmp_path)
    assert _open(token, keyring=rotated) == "tampered"
    assert _open(token, keyring=rotated, now=NOW + TTL + 1) == "expired"


def test_an_empty_key_file_stops_start_up_with_a_fix(tmp_path):
    (tmp_path / "state-secret").write_text("\n")
    with pytest.raises(SettingsError, match="state-secret is empty; delete it or set STATE_SECRET"):
        load_keyring(None, None, tmp_path)


def test_a_key_file_that_is_not_text_stops_start_up_with_a_fix(tmp_path):
    (tmp_path / "state-secret").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SettingsError, match="delete it or set STATE_SECRET"):
        load_keyring(None, None, tmp_path)


def test_a_data_folder_that_cannot_be_made_stops_start_up_naming_the_settings(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SettingsError) as caught:
        load_keyring(None, None, blocker / "data")
    message = str(caught.value)
    assert "STATE_SECRET" in message
    assert "DATA_DIR" in message
    assert "\n" not in message


def _load_key_in_a_process(data: str) -> bytes:
    return load_keyring(None, None, Path(data)).current


def test_processes_starting_together_agree_on_one_generated_key(tmp_path):
    context = multiprocessing.get_context("spawn")
    with context.Pool(6) as pool:
        keys = pool.map(_load_key_in_a_process, [str(tmp_path)] * 12)
    assert len(set(keys)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["state-secret"]
