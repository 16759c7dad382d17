"""The few sentences only Discord needs (threads, permissions, trouble), in plain English.

A locale translates any of them by adding a ``discord:`` section to its messages.yaml with the
same keys; whatever a locale leaves out is said in English.
"""

from __future__ import annotations

from bot.model import Content

ENGLISH: dict[str, str] = {
    "thread_name": "Coaching or therapy? {name}",
    "thread_opened": (
        "I've opened a private thread for you: {thread}. Only you and this server's moderators "
        "can see it."
    ),
    "thread_welcome": "{mention}, this thread is just for you.",
    "no_thread_dm": (
        "This runs here in messages only you can see, because direct messages can't have threads."
    ),
    "no_thread_in_thread": (
        "This runs here in messages only you can see, because a thread can't hold another thread."
    ),
    "no_thread_kind": (
        "This runs here in messages only you can see, because this kind of channel can't have "
        "private threads."
    ),
    "no_thread_permission": (
        "This runs here in messages only you can see, because I'm not allowed to open private "
        "threads in this channel."
    ),
    "no_thread_trouble": (
        "This runs here in messages only you can see, because Discord couldn't open a private "
        "thread just now."
    ),
    "card_not_allowed": (
        "Only members who can manage messages (or the roles this server chose) can post the "
        "comparison card. You can still take the walk-through privately with /coach-or-therapy."
    ),
    "card_not_here": (
        "The comparison card can't be posted in this channel. You can still take the "
        "walk-through privately with /coach-or-therapy."
    ),
    "usage": (
        "/coach-or-therapy walks you privately through a few questions about whether coaching, "
        "therapy or both might be worth exploring. Type /coach-or-therapy to start, choose "
        "show: card to post the full comparison here, or show: help for this message."
    ),
    "card_for_you": "Here is the full comparison, just for you.",
    "trouble": "Discord had trouble with that just now. Please try again in a moment.",
    "busy": "Discord is busy right now. Please wait a few seconds and try again.",
    "not_allowed_here": (
        "I'm not allowed to do that in this channel. A server admin can check my permissions."
    ),
}


# sentences every platform shares live in the content itself
_SHARED = {"card_not_here": "notices.card_not_here", "trouble": "notices.reply_failed"}


def say(content: Content, key: str, **values: object) -> str:
    """The Discord sentence `key` in the content's language (English when it has none)."""
    texts = content.messages.texts
    text = texts.get(f"discord.{key}") or texts.get(_SHARED.get(key, "")) or ENGLISH[key]
    return text.format(**values) if values else text
