"""The one conversation service every platform calls for a turn.

For each event: the workspace's settings (from storage, held in memory), the guide for that
workspace and the person's language, one turn of the engine, and the anonymous counts it moves.
Adapters only parse what the platform sent and render what comes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from adapters.runtime import Runtime
from adapters.storage.interface import Storage, WorkspacePrefs
from bot.effects import Effect, RefusalReason
from bot.engine import Guide
from bot.events import Event
from bot.state import Who
from bot.tally import counters_for
from bot.turn import take_turn


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
        self, runtime: Runtime, storage: Storage, clock: Callable[[], float] = time.time
    ) -> None:
        self.runtime = runtime
        self.storage = storage
        self.clock = clock

    async def prefs(self, platform: str, workspace: str) -> WorkspacePrefs:
        """The workspace's settings (the defaults when none are stored or storage is away)."""
        return await self.storage.settings(platform, workspace)

    def guide_for(self, prefs: WorkspacePrefs, person_locale: str | None = None) -> Guide:
        """The guide for a workspace with these settings, in the person's language if we have it."""
        book = self.runtime.book
        return book.guide(
            locale=book.locale_for(person_locale, prefs.locale),
            region=prefs.region,
            eap_contact=prefs.eap_contact,
            coaching_contact=prefs.coaching_contact,
        )

    async def guide(self, who: Who, person_locale: str | None = None) -> Guide:
        """The guide this person's turns are taken with."""
        return self.guide_for(await self.prefs(who.platform, who.workspace), person_locale)

    async def take(
        self, who: Who, event: Event, token: str | None, person_locale: str | None = None
    ) -> TurnReply:
        """One turn of this person's conversation, counted anonymously for their workspace."""
        guide = await self.guide(who, person_locale)
        turn = take_turn(
            guide,
            self.runtime.keyring,
            who,
            event,
            token,
            now=self.clock(),
            ttl=self.runtime.settings.state_ttl_seconds,
        )
        self.storage.count(who.platform, who.workspace, counters_for(event, turn.effects))
        return TurnReply(turn.effects, turn.token, guide, turn.unusable)
