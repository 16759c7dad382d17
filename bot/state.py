"""The conversation state as a compact token, signed and bound to one person.

Layout (URL-safe base64 characters, then the content's locale in letters, then the answers as
digits)::

    version(1) fingerprint(6) issued(6) owner-tag(4) mac(16) flags(1) began(6) locale(2-5)
    answers(0-15)

`began` is when the walk-through began, which tells one walk-through from another when counting
it; the locale is the language it began in, so it carries on in that language on any replica;
the flags say what it has already been counted for. The mac is
HMAC-SHA256 over the platform, workspace, owner and every other part of the token, so a token
copied into someone else's click, edited, or made for another version of the content is
recognised and refused. The owner tag is a short plain hash of the owner, not keyed: it only picks
the kindest refusal for a token whose mac fails (someone else's, versus one signed with a key that
has since gone), so a lost or retired key never makes a person's own buttons look like a stranger's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
from dataclasses import dataclass
from functools import cached_property

from bot.effects import RefusalReason

FORMAT_VERSION = "2"
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
LOCALE_PATTERN = r"[a-z]{2}(?:-[A-Z]{2})?"
"""The locales a token can carry: a content folder's name, like en or pt-BR."""
TOKEN_PATTERN = r"[A-Za-z0-9_-]{40}" + LOCALE_PATTERN + r"[0-9]{0,15}"
"""A regular expression matching any well-formed token of this release."""
TOKEN_SHAPE = r"[A-Za-z0-9_-]{33,64}"
"""What a token of any release looks like, for platforms that route buttons by pattern: one from
an earlier release still reaches open_token, which says the bot has changed since."""
MAX_TOKEN_LENGTH = 40 + 5 + 15
CLOCK_SKEW_SECONDS = 300

_FIXED = 40
_FINGERPRINT_LENGTH = 6
_ALPHABET = frozenset(TOKEN_ALPHABET)
_MAC_BYTES = 12
_LOCALE = re.compile(LOCALE_PATTERN)
_REST = re.compile(f"({LOCALE_PATTERN})([0-9]*)")
_HELP_SEEN = 1


@dataclass(frozen=True)
class State:
    """Where a conversation is: the answers chosen so far, one index per question."""

    answers: tuple[int, ...] = ()
    help_seen: bool = False
    """Whether this walk-through has shown the help message (it is counted once)."""
    began: int = 0
    """When this walk-through began (seconds since the epoch): which one it is, for counting."""


@dataclass(frozen=True)
class Who:
    """The person a conversation belongs to, and where."""

    platform: str
    workspace: str
    user: str

    @property
    def parts(self) -> tuple[str, str, str]:
        """Platform, workspace and user."""
        return (self.platform, self.workspace, self.user)

    @cached_property
    def _bytes(self) -> bytes:
        # length-prefixed, so no choice of ids can make two different people read the same
        return "".join(f"{len(part)}:{part}" for part in self.parts).encode()


@dataclass(frozen=True)
class Keyring:
    """The key that signs new tokens and older keys still accepted while they rotate out."""

    current: bytes
    older: tuple[bytes, ...] = ()

    @property
    def all(self) -> tuple[bytes, ...]:
        """Every key that may have signed a valid token, newest first."""
        return (self.current, *self.older)


def key_from_secret(secret: str) -> bytes:
    """A 32-byte signing key from a secret string of any length."""
    return hashlib.sha256(secret.encode()).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _owner_tag(who: Who) -> str:
    return _b64(hashlib.sha256(b"owner\x1f" + who._bytes).digest()[:3])


def _mac(key: bytes, who: Who, body: str) -> str:
    return _b64(hmac.digest(key, who._bytes + b"\x1e" + body.encode(), "sha256")[:_MAC_BYTES])


def seal(
    keyring: Keyring, who: Who, state: State, fingerprint: str, issued: float, locale: str = "en"
) -> str:
    """A signed token for this person's state in one locale's content, issued at `issued`."""
    if any(not 0 <= a <= 9 for a in state.answers):
        raise ValueError("answer indexes must be single digits")
    if len(fingerprint) != _FINGERPRINT_LENGTH or not set(fingerprint) <= _ALPHABET:
        raise ValueError("a content fingerprint is six URL-safe base64 characters")
    if not _LOCALE.fullmatch(locale):
        raise ValueError("a token's locale is a content folder name like en or pt-BR")
    prefix = FORMAT_VERSION + fingerprint + _moment(issued) + _owner_tag(who)
    flags = TOKEN_ALPHABET[_HELP_SEEN if state.help_seen else 0]
    rest = flags + _moment(state.began) + locale + "".join(str(a) for a in state.answers)
    return prefix + _mac(keyring.current, who, prefix + rest) + rest


def _moment(seconds: float) -> str:
    return _b64(struct.pack(">I", int(seconds) & 0xFFFFFFFF))


def token_locale(token: str) -> str | None:
    """The locale a token says it was made in (unchecked: opening the token checks it)."""
    found = _REST.fullmatch(token[_FIXED:]) if len(token) > _FIXED else None
    return found.group(1) if found else None


def _issued(part: str) -> int | None:
    """The issue time written in a token, or None when the characters cannot be one."""
    try:
        raw = base64.urlsafe_b64decode(part + "==")
    except ValueError:
        return None
    return struct.unpack(">I", raw)[0] if len(raw) == 4 else None


@dataclass(frozen=True)
class Opened:
    """A token that checked out, with the state it carries."""

    state: State
    issued: int
    locale: str = "en"


def open_token(
    keyring: Keyring, who: Who, token: str, fingerprint: str, now: float, ttl: float
) -> Opened | RefusalReason:
    """The state a token carries for this person, or why it cannot be used."""
    if not token.isascii() or not 33 <= len(token) <= 64:
        return "tampered"
    if token[0] != FORMAT_VERSION:
        # a token from another release of the bot: as good as a change of content
        return "content_changed" if token[0] in TOKEN_ALPHABET else "tampered"
    if len(token) < _FIXED or len(token) > MAX_TOKEN_LENGTH:
        return "tampered"
    prefix, mac, flags, began = token[:17], token[17:33], token[33], token[34:_FIXED]
    rest = token[_FIXED:]
    parts = _REST.fullmatch(rest)
    if parts is None or flags not in _ALPHABET or not set(began) <= _ALPHABET:
        return "tampered"
    locale, answers = parts.groups()
    signed = any(
        hmac.compare_digest(mac, _mac(key, who, prefix + flags + began + rest))
        for key in keyring.all
    )
    issued = _issued(prefix[7:13])
    if not signed:
        # unverified parts only choose the message; every one of these is refused
        if prefix[13:17] != _owner_tag(who):
            return "foreign"
        if issued is not None and now - issued > ttl:
            return "expired"
        return "tampered"
    if issued is None:
        return "tampered"
    if now - issued > ttl:
        return "expired"
    if issued - now > CLOCK_SKEW_SECONDS:
        return "tampered"
    if prefix[1:7] != fingerprint:
        return "content_changed"
    help_seen = bool(TOKEN_ALPHABET.index(flags) & _HELP_SEEN)
    state = State(tuple(int(c) for c in answers), help_seen, _issued(began) or 0)
    return Opened(state, issued, locale)
