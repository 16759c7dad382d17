"""Every request must carry the Bot Connector's token for this bot and this serviceUrl: any
other gets 401 from the real process, and nothing is sent anywhere."""

from __future__ import annotations

import time

import jwt
import pytest

from adapters.teams.auth import MicrosoftKeys, Refused, TokenCheck, verified_claims
from tests.teams.conftest import Person
from tests.teams.fake_microsoft import APP_ID, KEY_ID, FakeMicrosoft

pytestmark = pytest.mark.slow

EVIL = "http://127.0.0.1:9/evil/"


def _bad_tokens(fake: FakeMicrosoft) -> dict[str, str]:
    now = int(time.time())
    return {
        "expired": fake.mint(exp=now - 3600, nbf=now - 7200),
        "not yet valid": fake.mint(nbf=now + 3600),
        "no expiry": fake.mint(exp=None),
        "wrong audience": fake.mint(aud="00000000-0000-0000-0000-000000000000"),
        "no audience": fake.mint(aud=None),
        "wrong issuer": fake.mint(iss="https://sts.windows.net/evil/"),
        "unknown key": fake.mint(key=fake.other_key, kid="some-other-key"),
        "wrong signature": fake.mint(key=fake.other_key, kid=KEY_ID),
        "alg none": fake.mint(algorithm="none"),
        "HMAC": jwt.encode(
            {"iss": "https://api.botframework.com", "aud": APP_ID},
            "s" * 32,
            algorithm="HS256",
            headers={"kid": KEY_ID},
        ),
        "serviceurl mismatch": fake.mint(service_url=EVIL),
        "no serviceurl": fake.mint(serviceurl=None, service_url=None),
        "not a JWT": "not-a-jwt",
    }


BAD = (
    "expired",
    "not yet valid",
    "no expiry",
    "wrong audience",
    "no audience",
    "wrong issuer",
    "unknown key",
    "wrong signature",
    "alg none",
    "HMAC",
    "serviceurl mismatch",
    "no serviceurl",
    "not a JWT",
)


def _no_call_out(fake: FakeMicrosoft) -> None:
    assert fake.connector_calls() == []
    assert not [c for c in fake.calls if "oauth2" in c.path]


@pytest.mark.parametrize("kind", BAD)
async def test_a_bad_token_gets_401_and_nothing_is_sent(bot, microsoft, http, kind):
    token = _bad_tokens(microsoft)[kind]
    microsoft.forget()
    person = Person(bot, microsoft, http)
    for body in (
        person.activity("message", text="hi"),
        person.activity(
            "invoke", name="adaptiveCard/action", value={"action": {"verb": "cot:s", "data": {}}}
        ),
    ):
        status, answer = await person.post(body, token=token)
        assert status == 401, (kind, answer)
    _no_call_out(microsoft)


async def test_an_activity_naming_another_service_url_gets_401(bot, microsoft, http):
    microsoft.forget()
    person = Person(bot, microsoft, http)
    body = {**person.activity("message", text="hi"), "serviceUrl": EVIL}
    status, _ = await person.post(body)
    assert status == 401
    _no_call_out(microsoft)


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer a b", "Bot x.y.z"]
)
async def test_no_bearer_token_gets_401(bot, microsoft, http, header):
    microsoft.forget()
    person = Person(bot, microsoft, http)
    headers = {} if header is None else {"Authorization": header}
    async with http.post(bot.url, json=person.activity("message", text="hi"), headers=headers) as a:
        assert a.status == 401
    _no_call_out(microsoft)


async def test_a_good_token_signed_with_rs384_or_rs512_is_accepted(bot, microsoft, http):
    person = Person(bot, microsoft, http)
    for algorithm in ("RS384", "RS512"):
        status, _ = await person.post(
            person.activity("message", text="hi"), token=microsoft.mint(algorithm=algorithm)
        )
        assert status == 200


async def test_a_token_within_five_minutes_of_its_expiry_is_still_accepted(bot, microsoft, http):
    person = Person(bot, microsoft, http)
    status, _ = await person.post(
        person.activity("message", text="hi"), token=microsoft.mint(exp=int(time.time()) - 60)
    )
    assert status == 200


async def test_a_key_not_endorsed_for_teams_is_refused(microsoft, http):
    microsoft.endorsements = ["webchat"]
    try:
        keys = MicrosoftKeys(microsoft.openid_url, lambda: http)
        with pytest.raises(Refused, match="endorsed"):
            await verified_claims(microsoft.mint(), keys, APP_ID)
    finally:
        microsoft.endorsements = ["msteams"]
    keys = MicrosoftKeys(microsoft.openid_url, lambda: http)
    claims = await verified_claims(microsoft.mint(), keys, APP_ID)
    assert claims["aud"] == APP_ID


async def test_a_new_key_is_fetched_when_microsoft_rotates(microsoft, http):
    keys = MicrosoftKeys(microsoft.openid_url, lambda: http)
    await verified_claims(microsoft.mint(), keys, APP_ID)
    old = microsoft.key
    microsoft.key, microsoft.other_key = microsoft.other_key, old
    try:
        # the same kid with another key: refused until the keys are fetched again, and an
        # unknown kid does not make every request fetch them
        with pytest.raises(Refused):
            await verified_claims(microsoft.mint(), keys, APP_ID)
        fetched = len([c for c in microsoft.calls if c.path.endswith("/keys")])
        for _ in range(3):
            with pytest.raises(Refused):
                await verified_claims(microsoft.mint(kid="brand-new"), keys, APP_ID)
        assert len([c for c in microsoft.calls if c.path.endswith("/keys")]) == fetched
    finally:
        microsoft.key, microsoft.other_key = old, microsoft.key


class _NoKeys:
    """Microsoft with no keys at all: only a token trusted already can pass."""

    async def key(self, kid):
        return None


async def test_a_token_that_checked_out_is_trusted_again_only_until_it_expires(microsoft, http):
    now = [time.time()]
    check = TokenCheck(MicrosoftKeys(microsoft.openid_url, lambda: http), APP_ID, lambda: now[0])
    token = microsoft.mint(exp=int(now[0]) + 60)
    assert (await check.claims(token))["aud"] == APP_ID
    check.keys = _NoKeys()
    assert (await check.claims(token))["aud"] == APP_ID  # trusted without its signature
    with pytest.raises(Refused):
        await check.claims(microsoft.mint())  # another token is checked in full
    now[0] += 60 + 5 * 60 + 1  # past its expiry and the leeway
    with pytest.raises(Refused):
        await check.claims(token)
