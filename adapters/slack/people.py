"""A person's language on Slack: users.info's locale, asked once and held only in memory.

Slack tells a person's language only through users.info (``include_locale=true``). A person's
first command must still be answered within Slack's 3 seconds, so an answer waits a short while
for Slack at most; when it is not back by then, the reply is in the workspace's language and the
answer, once it comes, is used from the next message on. Nothing of it is ever stored.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from cachetools import TLRUCache
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.quiet import SLACK_TROUBLE, failure

log = logging.getLogger(__name__)

KEEP_FOR = 6 * 3600.0
"""How long a person's language is remembered (a changed language is seen within this)."""
KEEP_UNKNOWN_FOR = 300.0
"""How long a failed or empty answer is remembered before Slack is asked again."""
MOST = 10_000
"""The most people remembered, or asked about at once, by one process."""
ASK_TIMEOUT = 10.0
"""How long one users.info may take in the background before it is given up."""

_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")

Person = tuple[str, str]
"""A workspace and a user id."""


def locale_of(member: Any) -> str | None:
    """The locale in a users.info ``user`` object (``de-DE``); None when it has no sensible one."""
    if not isinstance(member, dict):
        return None
    locale = member.get("locale")
    if isinstance(locale, str) and _LOCALE.fullmatch(locale):
        return locale
    return None


class PersonLocales:
    """Each person's Slack language as last heard, for a bounded time and number of people."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        keep_for: float = KEEP_FOR,
        most: int = MOST,
        ask_timeout: float = ASK_TIMEOUT,
    ) -> None:
        self._keep_for = keep_for
        self._ask_timeout = ask_timeout
        self._most = most
        self._known: TLRUCache[Person, str | None] = TLRUCache(
            maxsize=most, ttu=self._expires, timer=clock
        )
        self._asking: dict[Person, asyncio.Task[str | None]] = {}

    def _expires(self, _person: Person, locale: str | None, now: float) -> float:
        unknown = min(KEEP_UNKNOWN_FOR, self._keep_for)
        return now + (self._keep_for if locale is not None else unknown)

    def known(self, team: str, user: str) -> str | None:
        """What is remembered of this person's language, never asking Slack."""
        return self._known.get((team, user))

    def remember(self, team: str, user: str, locale: str | None) -> None:
        """Keep what a users.info asked for another reason said of this person."""
        self._known[(team, user)] = locale

    async def of(self, client: AsyncWebClient, team: str, user: str, wait: float) -> str | None:
        """The person's Slack locale, waiting at most `wait` seconds for Slack (None: not known).

        Slack is asked once per person while the answer is remembered; a question still open
        when `wait` is over carries on in the background for the next message.
        """
        person = (team, user)
        if person in self._known:
            return self._known[person]
        asking = self._asking.get(person)
        if asking is None:
            if len(self._asking) >= self._most:
                return None
            asking = asyncio.ensure_future(self._ask(client, person))
            self._asking[person] = asking
        try:
            return await asyncio.wait_for(asyncio.shield(asking), wait)
        except TimeoutError:
            return None

    async def _ask(self, client: AsyncWebClient, person: Person) -> str | None:
        locale: str | None = None
        try:
            async with asyncio.timeout(self._ask_timeout):
                response = await client.users_info(user=person[1], include_locale=True)
            locale = locale_of(response.get("user"))
        except SLACK_TROUBLE as exc:
            log.warning("users.info failed (%s); the workspace's language is used", failure(exc))
        finally:
            self._known[person] = locale
            self._asking.pop(person, None)
        return locale
