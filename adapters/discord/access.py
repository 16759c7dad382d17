"""Who may post the comparison card, and where: settings first, Manage Messages by default."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

CardRefusal = Literal["card_not_allowed", "card_not_here"]


@dataclass(frozen=True)
class Poster:
    """The member asking to post the card, and the channel they asked in."""

    in_server: bool
    role_ids: tuple[int, ...]
    role_names: tuple[str, ...]
    can_manage_messages: bool
    channel_id: int | None
    channel_name: str | None


def card_refusal(
    poster: Poster, roles: Iterable[str], channels: Iterable[str]
) -> CardRefusal | None:
    """Why this member may not post the card here, or None when they may.

    `roles` and `channels` are ids or names; with no roles set, Manage Messages is needed. In a
    direct message the card is only ever shown to the person who asked, so it is always allowed.
    """
    if not poster.in_server:
        return None
    wanted_channels = {_plain(c) for c in channels}
    if wanted_channels and not wanted_channels & _names(poster.channel_id, poster.channel_name):
        return "card_not_here"
    wanted_roles = {_plain(r) for r in roles}
    if wanted_roles:
        held = {str(i) for i in poster.role_ids} | {n.casefold() for n in poster.role_names}
        return None if wanted_roles & held else "card_not_allowed"
    return None if poster.can_manage_messages else "card_not_allowed"


def _plain(name: str) -> str:
    return name.strip().lstrip("#@").casefold()


def _names(channel_id: int | None, channel_name: str | None) -> set[str]:
    names = set()
    if channel_id is not None:
        names.add(str(channel_id))
    if channel_name:
        names.add(channel_name.casefold())
    return names
