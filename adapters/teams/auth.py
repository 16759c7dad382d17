"""Checking the Bot Connector's JWT on every incoming request, before anything else reads it.

The SDK's own validator (microsoft_agents.hosting.core's JwtTokenValidator) takes its keys from
Microsoft's fixed addresses, accepts any issuer unless told otherwise, and checks neither the
key's endorsements nor the `serviceurl` claim, so the check Microsoft requires of a bot is made
here with PyJWT: an RSA signature by a key from the JWKS the OpenID metadata names (matched by
`kid`, endorsed for `msteams`), the Bot Framework issuer, our app id as audience, a live expiry,
and the `serviceurl` claim equal to the activity's serviceUrl.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from cachetools import TTLCache

log = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256", "RS384", "RS512")
LEEWAY_SECONDS = 5 * 60
CHANNEL = "msteams"
KEYS_KEPT_SECONDS = 24 * 60 * 60
"""How long fetched keys are used before they are fetched again (Microsoft rotates them)."""
UNKNOWN_KEY_REFETCH_SECONDS = 5 * 60
"""A token signed by a key we do not have makes us fetch again, at most this often."""
FETCH_TIMEOUT_SECONDS = 10.0
CHECKED_KEPT_SECONDS = 5 * 60
"""How long a token that checked out is trusted again without checking its signature (the Bot
Connector sends the same token with many activities); its expiry is still checked each time."""
CHECKED_KEPT = 4096
_ONE_WORD = re.compile(r"\S+")


class Refused(Exception):
    """The request's token cannot be trusted; the message says why (for the log, never the
    caller)."""


class KeysUnavailable(Exception):
    """Microsoft's signing keys could not be fetched, so no token can be checked just now."""


@dataclass(frozen=True)
class SigningKey:
    """One key of the JWKS, and the channels it is endorsed for (None: no endorsements given)."""

    key: Any
    endorsements: frozenset[str] | None


class MicrosoftKeys:
    """The Bot Framework's signing keys: the OpenID metadata's `jwks_uri`, fetched and kept."""

    def __init__(
        self,
        openid_url: str,
        session: Callable[[], aiohttp.ClientSession],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.openid_url = openid_url
        self._session = session
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> SigningKey | None:
        """The key with this id (None when Microsoft has none by that id)."""
        now = self._clock()
        fresh = self._fetched_at is not None and now - self._fetched_at < KEYS_KEPT_SECONDS
        if fresh and kid in self._keys:
            return self._keys[kid]
        recently = (
            self._fetched_at is not None and now - self._fetched_at < UNKNOWN_KEY_REFETCH_SECONDS
        )
        if fresh and recently:
            return None
        try:
            await self.refresh()
        except KeysUnavailable:
            if kid in self._keys:
                return self._keys[kid]  # older keys beat none while Microsoft is away
            raise
        return self._keys.get(kid)

    async def refresh(self) -> None:
        """Fetch the metadata and its JWKS again (KeysUnavailable when that fails)."""
        async with self._lock:
            fetched_at = self._fetched_at
            if fetched_at is not None and self._clock() - fetched_at < 1:
                return  # another request fetched them a moment ago
            try:
                metadata = await self._json(self.openid_url)
                jwks_uri = metadata.get("jwks_uri")
                if not isinstance(jwks_uri, str):
                    raise KeysUnavailable(
                        f"the OpenID metadata at {self.openid_url} has no jwks_uri"
                    )
                self._keys = _parse_keys(await self._json(jwks_uri))
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise KeysUnavailable(
                    f"could not fetch Microsoft's signing keys from {self.openid_url} "
                    f"({type(exc).__name__}); check the network and TEAMS_OPENID_URL"
                ) from None
            self._fetched_at = self._clock()

    async def _json(self, url: str) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT_SECONDS)
        async with self._session().get(url, timeout=timeout) as response:
            if response.status != 200:
                raise KeysUnavailable(f"{url} answered {response.status}; check TEAMS_OPENID_URL")
            found = await response.json(content_type=None)
        if not isinstance(found, dict):
            raise ValueError("not a JSON object")
        return found


def _parse_keys(jwks: Mapping[str, Any]) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    entries = jwks.get("keys")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str):
            continue
        try:
            key = jwt.PyJWK.from_dict(entry).key
        except (jwt.PyJWKError, ValueError, TypeError):
            continue
        endorsements = entry.get("endorsements")
        keys[kid] = SigningKey(
            key,
            frozenset(e for e in endorsements if isinstance(e, str))
            if isinstance(endorsements, list)
            else None,
        )
    return keys


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header (Refused otherwise)."""
    if not authorization:
        raise Refused("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _ONE_WORD.fullmatch(token):
        raise Refused("the Authorization header is not a bearer token")
    return token


async def verified_claims(token: str, keys: MicrosoftKeys, app_id: str) -> dict[str, Any]:
    """The claims of a token the Bot Connector signed for this bot (Refused otherwise).

    The `serviceurl` claim is checked against the activity by `check_service_url`.
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Refused("the token is not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise Refused(f"the token's algorithm {str(algorithm)[:20]!r} is not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Refused("the token names no key")
    signing = await keys.key(kid)
    if signing is None:
        raise Refused("the token is signed by a key Microsoft does not publish")
    if signing.endorsements is not None and CHANNEL not in signing.endorsements:
        raise Refused("the token's key is not endorsed for Teams")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing.key,
            algorithms=[algorithm],
            audience=app_id,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise Refused(f"the token was refused ({type(exc).__name__})") from None
    return claims


def check_service_url(claims: Mapping[str, Any], service_url: object) -> None:
    """Refused unless the token was issued for the serviceUrl the activity names."""
    claimed = claims.get("serviceurl")
    if not isinstance(claimed, str) or not isinstance(service_url, str):
        raise Refused("the token or the activity names no serviceUrl")
    if claimed.rstrip("/") != service_url.rstrip("/"):
        raise Refused("the token was issued for another serviceUrl")


class TokenCheck:
    """Checks tokens for one bot, trusting one that checked out again for a few minutes."""

    def __init__(
        self, keys: MicrosoftKeys, app_id: str, clock: Callable[[], float] = time.time
    ) -> None:
        self.keys = keys
        self.app_id = app_id
        self._clock = clock
        self._checked: TTLCache[bytes, dict[str, Any]] = TTLCache(
            maxsize=CHECKED_KEPT, ttl=CHECKED_KEPT_SECONDS
        )

    async def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token the Bot Connector signed for this bot (Refused otherwise)."""
        digest = hashlib.sha256(token.encode()).digest()
        claims = self._checked.get(digest)
        if claims is not None:
            expires = claims.get("exp")
            if isinstance(expires, int | float) and self._clock() <= expires + LEEWAY_SECONDS:
                return claims
            del self._checked[digest]
        claims = await verified_claims(token, self.keys, self.app_id)
        self._checked[digest] = claims
        return claims
