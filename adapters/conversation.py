"""The one conversation service every platform calls for a turn.

For each event: the workspace's settings (from storage, held in memory), the guide for that
workspace in the walk-through's language, one turn of the engine, and the anonymous counts it
moves. Adapters only parse what the platform sent and render what comes back.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from rbloom import Bloom

from adapters.runtime import Runtime
from adapters.storage.interface import Storage, WorkspacePrefs
from bot.effects import Effect, RefusalReason
from bot.engine import Guide
from bot.events import Event
from bot.state import Who, token_locale
from bot.turn import take_turn

REMEMBERED = 100_000
"""How many counted events each of CountedOnce's filters is sized for (a few hundred KiB each)."""
FALSE_MATCH_RATE = 1e-9
"""How often a fresh event may be taken for one already counted, while a filter holds no more than
REMEMBERED: then a walk-through goes uncounted, never counted twice."""
GENERATIONS = 3
_GROUPS = {"started": "started", "help_shown": "help"}
"""Counters that go together: a finish and its outcome are one event of a walk-through."""


class CountedOnce:
    """What each walk-through has been counted for lately, as bits in memory only.

    A walk-through is its person and the moment it began, which its token carries; so a second
    press of a button, a stale client sending an old one, or an earlier question answered again
    after the result counts nothing more. What is remembered are Bloom filters of a fixed size,
    made at start, so memory stays the same whatever the traffic, and no id or hash of one is
    kept. Each filter takes the events of half a token's life; the last GENERATIONS are
    consulted, so an event is remembered for at least as long as its token lasts. Python's
    string hash, salted anew in each process, places the bits, so no one can choose ids that
    collide on purpose. Only in this process: across replicas, the rounding of the totals
    (adapters/storage/stats.py) keeps what is left unable to single anyone out.
    """

    def __init__(self, keep_for: float, most: int = REMEMBERED) -> None:
        self._span = keep_for / (GENERATIONS - 1)
        self._most = most
        self._filters = deque(Bloom(most, FALSE_MATCH_RATE) for _ in range(GENERATIONS))
        self._current_since: float | None = None

    def _rotate(self, now: float) -> None:
        if self._current_since is None:
            self._current_since = now
        turns = 0
        while now - self._current_since >= self._span and turns < GENERATIONS:
            self._filters.popleft()
            self._filters.append(Bloom(self._most, FALSE_MATCH_RATE))
            self._current_since += self._span
            turns += 1
        if now - self._current_since >= self._span:
            self._current_since = now

    def fresh(
        self, who: Who, walk_through: int | None, counters: tuple[str, ...], now: float
    ) -> tuple[str, ...]:
        """The counters not yet counted for this walk-through (remembered from now on)."""
        self._rotate(now)
        current = self._filters[-1]
        # help with no walk-through to tie it to: one per person per second
        began = str(walk_through) if walk_through is not None else f"none:{int(now)}"
        kept: list[str] = []
        decided: dict[str, bool] = {}
        for counter in counters:
            group = _GROUPS.get(counter, "finished")
            if group not in decided:
                key = "\x1f".join((*who.parts, began, group))
                decided[group] = not any(key in seen for seen in self._filters)
                current.add(key)
            if decided[group]:
                kept.append(counter)
        return tuple(kept)


@dataclass(frozen=True)
class TurnReply:
    """What one turn shows, the token its buttons carry, and the guide it was taken with."""

    effects: tuple[Effect, ...]
    token: str | None
    guide: Guide
    unusable: RefusalReason | None = None
    """Why the token the event came with could not be used (None when it could, or none came)."""


class ConversationService:
    """Settings -> guide -> turn -> counts, for every platform alike."""

    def __init__(
        self,
        runtime: Runtime,
        storage: Storage,
        clock: Callable[[], float] = time.time,
        *,
        workplace: bool = True,
    ) -> None:
        """`workplace`: the surface is a workspace others administer (every chat platform);
        False for a person's own terminal."""
        self.runtime = runtime
        self.storage = storage
        self.clock = clock
        self.workplace = workplace
        self.counted = CountedOnce(runtime.settings.state_ttl_seconds)

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        """The workspace's settings (the defaults when none are stored or storage is away)."""
        return await self.storage.settings(platform, workspace)

    def guide_for(
        self,
        prefs: WorkspacePrefs,
        person_locale: str | None = None,
        place_locale: str | None = None,
    ) -> Guide:
        """The guide for a workspace with these settings, in the first language the content has:
        the person's, the workspace's setting, the place's own (a Discord server's), the default.
        """
        book = self.runtime.book
        return book.guide(
            locale=book.locale_for(person_locale, prefs.locale, place_locale),
            region=prefs.region,
            eap_contact=prefs.eap_contact,
            coaching_contact=prefs.coaching_contact,
            workplace=self.workplace,
        )

    async def guide(
        self, who: Who, person_locale: str | None = None, place_locale: str | None = None
    ) -> Guide:
        """The guide this person's turns are taken with."""
        prefs = await self.prefs(who.platform, who.workspace)
        return self.guide_for(prefs, person_locale, place_locale)

    async def take(
        self,
        who: Who,
        event: Event,
        token: str | None,
        person_locale: str | None = None,
        place_locale: str | None = None,
    ) -> TurnReply:
        """One turn of this person's conversation, counted anonymously for their workspace.

        A walk-through stays in the language it began in (its token says which), whatever
        the person's platform says now and whichever replica takes the click.
        """
        began_in = token_locale(token) if token else None
        if began_in is not None and began_in in self.runtime.book.contents:
            person_locale = began_in
        guide = await self.guide(who, person_locale, place_locale)
        now = self.clock()
        turn = take_turn(
            guide,
            self.runtime.keyring,
            who,
            event,
            token,
            now=now,
            ttl=self.runtime.settings.state_ttl_seconds,
        )
        if turn.counters:
            fresh = self.counted.fresh(who, turn.walk_through, turn.counters, now)
            self.storage.count(who.platform, who.workspace, fresh)
        return TurnReply(turn.effects, turn.token, guide, turn.unusable)
