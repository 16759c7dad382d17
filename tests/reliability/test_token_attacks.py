"""Attacks on the signed conversation token, end to end through Slack and Discord.

Every altered, cut, borrowed, expired or unsigned token is refused with a kind private message
and never moves anyone's walk-through; a key being rotated out keeps working until it is removed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from adapters.runtime import build_runtime
from bot.state import TOKEN_ALPHABET
from tests.configured import settings_of
from tests.discord.conftest import ALEX, SAM, Discord, logged_in
from tests.discord.fake_discord import Message
from tests.slack.conftest import Clock, Person, SlackServer, button, buttons, shown_text

EPHEMERAL = 64
TTL_SECONDS = 24 * 3600
REFUSALS = {
    "tampered": "couldn't read that button",
    "foreign": "belong to someone else",
    "expired": "too old to continue",
    "content_changed": "questions have been updated",
}
OLD_SECRET = "the-secret-being-rotated-out"
NEW_SECRET = "the-secret-rotated-in"


def flipped(token: str, position: int) -> str:
    """The token with one character changed to its neighbour in the token alphabet."""
    answer = position >= 34 and token[position].isdigit()
    alphabet = "0123456789" if answer else TOKEN_ALPHABET
    changed = alphabet[(alphabet.index(token[position]) + 1) % len(alphabet)]
    return token[:position] + changed + token[position + 1 :]


def bit_flipped(token: str, position: int, bit: int) -> str:
    """The token with one bit of one byte flipped (the result may leave the alphabet)."""
    raw = bytearray(token.encode())
    raw[position] ^= 1 << bit
    return raw.decode("latin-1")


def refusal_of(text: str) -> str | None:
    return next((reason for reason, words in REFUSALS.items() if words in text), None)


# --- Slack -----------------------------------------------------------------------------------


async def slack_click(
    server: SlackServer,
    message: dict[str, Any],
    label: str,
    value: str,
    user: str = "U1",
    team: str = "T1",
) -> dict[str, Any]:
    pressed = dict(button(message, label))
    pressed["value"] = value
    url = await server.click(pressed, user=user, team=team)
    return (await server.fake.wait_for(url))[0]


def assert_slack_refused(reply: dict[str, Any], *reasons: str) -> None:
    text = shown_text(reply)
    assert reply["replace_original"] is False and reply["response_type"] == "ephemeral"
    assert refusal_of(text) in reasons, text
    assert "Question" not in text


async def _slack_on_question_3(server: SlackServer) -> Person:
    person = Person(server)
    await person.start()
    await person.click("No")
    await person.click("I'm not sure")
    return person


async def test_slack_every_single_character_change_is_refused(slack):
    person = await _slack_on_question_3(slack)
    token = button(person.message, "Back")["value"]
    seen: set[str | None] = set()
    for position in range(len(token)):
        reply = await slack_click(slack, person.message, "Back", flipped(token, position))
        assert_slack_refused(reply, "tampered", "foreign", "expired", "content_changed")
        seen.add(refusal_of(shown_text(reply)))
    assert "tampered" in seen and "foreign" in seen
    # the real button still works: nothing was changed by the attempts
    assert "Question 2 of 9" in shown_text(await person.click("Back"))


async def test_slack_bit_flips_and_truncations_are_refused(slack):
    person = await _slack_on_question_3(slack)
    token = button(person.message, "Back")["value"]
    attempts = [bit_flipped(token, p, b) for p in range(0, len(token), 3) for b in (0, 5, 7)]
    attempts += [token[:cut] for cut in range(1, len(token))]
    attempts += [token + "0", token + "A", token * 2, token.lower(), token[::-1]]
    for value in attempts:
        reply = await slack_click(slack, person.message, "Back", value)
        assert_slack_refused(reply, "tampered", "foreign", "expired", "content_changed")
    assert "Question 2 of 9" in shown_text(await person.click("Back"))


async def test_slack_reuse_by_another_person_or_workspace_is_refused(slack):
    person = await _slack_on_question_3(slack)
    token = button(person.message, "Back")["value"]
    for user, team in (("U2", "T1"), ("U1", "T2"), ("U2", "T2")):
        reply = await slack_click(slack, person.message, "Back", token, user=user, team=team)
        assert_slack_refused(reply, "foreign")
    assert "Question 2 of 9" in shown_text(await person.click("Back"))


async def test_slack_replay_after_expiry_is_refused(serve):
    clock = Clock()
    server = await serve(clock=clock)
    person = await _slack_on_question_3(server)
    token = button(person.message, "Back")["value"]
    issued = float(int(clock.now))
    clock.now = issued + TTL_SECONDS
    reply = await slack_click(server, person.message, "Back", token)
    assert "Question 2 of 9" in shown_text(reply), "still valid on the last second"
    clock.now = issued + TTL_SECONDS + 1
    reply = await slack_click(server, person.message, "Back", token)
    assert_slack_refused(reply, "expired")


async def test_slack_a_rotated_out_key_is_accepted_until_removed(serve):
    before = await serve(state_secret=OLD_SECRET)
    person = await _slack_on_question_3(before)
    old_message = person.message

    rotating = await serve(state_secret=NEW_SECRET, state_secret_old=OLD_SECRET)
    person.server = rotating
    first_answer = buttons(old_message)[0]["text"]["text"]
    reply = await person.click(first_answer, on=old_message)
    assert "Question 4 of 9" in shown_text(reply)
    new_message = person.message

    rotated = await serve(state_secret=NEW_SECRET)
    person.server = rotated
    reply = await person.click("Back", on=old_message)
    assert_slack_refused(reply, "tampered")
    reply = await person.click("Back", on=new_message)
    assert "Question 3 of 9" in shown_text(reply), "tokens signed with the new key go on"


# --- Discord ---------------------------------------------------------------------------------


def with_custom_id(message: Message, label: str, custom_id: str) -> Message:
    altered = copy.deepcopy(message)
    for component in altered.buttons():
        if component["label"] == label:
            component["custom_id"] = custom_id
    return altered


def assert_discord_refused(seen: Any, *reasons: str) -> None:
    callback = seen.callback
    assert callback["type"] == 4, callback
    assert callback["data"]["flags"] == EPHEMERAL
    assert refusal_of(callback["data"]["content"]) in reasons, callback["data"]["content"]


async def _discord_on_question_3(bot: Discord, person: Any = ALEX) -> Message:
    await bot.command(person)
    message = bot.thread_messages()[-1]
    message = (await bot.click(person, message, "No")).message
    return (await bot.click(person, message, "I'm not sure")).message


def _token(message: Message, label: str) -> tuple[str, str]:
    code, _, token = message.button(label)["custom_id"][len("cot:") :].partition(":")
    return code, token


async def test_discord_single_character_changes_bit_flips_and_cuts_are_refused(bot: Discord):
    message = await _discord_on_question_3(bot)
    before = bot.fake.messages[message.id].content
    code, token = _token(message, "Back")
    attempts = [flipped(token, p) for p in range(len(token))]
    attempts += [bit_flipped(token, p, 0) for p in range(0, len(token), 4)]
    attempts += [token[:cut] for cut in range(1, len(token), 3)]
    for value in attempts:
        altered = with_custom_id(message, "Back", f"cot:{code}:{value}")
        seen = await bot.click(ALEX, altered, "Back")
        assert_discord_refused(seen, "tampered", "foreign", "expired", "content_changed")
    assert bot.fake.messages[message.id].content == before
    seen = await bot.click(ALEX, message, "Back")
    assert "Question 2 of 9" in seen.message.content


async def test_discord_reuse_by_another_person_is_refused(bot: Discord):
    message = await _discord_on_question_3(bot)
    before = bot.fake.messages[message.id].content
    seen = await bot.click(SAM, message, "Back")
    assert_discord_refused(seen, "foreign")
    assert bot.fake.messages[message.id].content == before


async def test_discord_replay_after_expiry_is_refused(bot: Discord):
    clock = Clock()
    bot.client.conversations.service.clock = clock
    message = await _discord_on_question_3(bot)
    clock.now += TTL_SECONDS + 1
    seen = await bot.click(ALEX, message, "Back")
    assert_discord_refused(seen, "expired")


async def test_discord_a_rotated_out_key_is_accepted_until_removed(fake, api_base, tmp_path):
    def client_with(**secrets: str) -> Any:
        settings = settings_of(
            discord_token="fake-token",
            discord_api_url=fake.base,
            data_dir=tmp_path,
            default_region="GB",
            **secrets,
        )
        return logged_in(build_runtime(settings))

    first = Discord(fake, await client_with(state_secret=OLD_SECRET))
    rotating = Discord(
        fake, await client_with(state_secret=NEW_SECRET, state_secret_old=OLD_SECRET)
    )
    rotated = Discord(fake, await client_with(state_secret=NEW_SECRET))
    try:
        old_message = copy.deepcopy(await _discord_on_question_3(first))
        seen = await rotating.click(ALEX, old_message, old_message.labels()[0])
        assert "Question 4 of 9" in seen.message.content
        new_message = copy.deepcopy(seen.message)
        seen = await rotated.click(ALEX, old_message, "Back")
        assert_discord_refused(seen, "tampered")
        seen = await rotated.click(ALEX, new_message, "Back")
        assert "Question 3 of 9" in seen.message.content
    finally:
        for bot in (first, rotating, rotated):
            await bot.client.close()


@pytest.mark.parametrize(
    "custom_id", ["cot:c1:", "cot:b:", "cot:k:x", "cot:r:!", "cot:h:" + "A" * 90]
)
async def test_discord_buttons_with_no_usable_token_are_refused(bot: Discord, custom_id):
    message = await _discord_on_question_3(bot)
    seen = await bot.click(ALEX, with_custom_id(message, "Back", custom_id), "Back")
    callback = seen.callback
    assert callback["type"] == 4 and callback["data"]["flags"] == EPHEMERAL
    assert "Question" not in callback["data"]["content"]
