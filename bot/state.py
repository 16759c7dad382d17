"""The conversation state as a compact token, signed and bound to one person.

Layout (all URL-safe base64 characters, then the answers as digits)::

    version(1) fingerprint(6) issued(6) owner-tag(4) mac(16) answers(0-9)

The mac is HMAC-SHA256 over the platform, workspace, owner and every other part of the token, so a
token copied into someone else's click, edited, or made for another version of the content is
recognised and refused. The owner tag is a short plain hash of the owner, not keyed: it only picks
the kindest refusal for a token whose mac fails (someone else's, versus one signed with a key that
has since gone), so a lost or retired key never makes a person's own buttons look like a stranger's.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from bot.effects import RefusalReason
from bot.errors import SettingsError

FORMAT_VERSION = "1"
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TOKEN_PATTERN = r"[A-Za-z0-9_-]{33}[0-9]{0,15}"
"""A regular expression matching any well-formed token, for platforms that route by pattern."""
MAX_TOKEN_LENGTH = 33 + 15
KEY_FILE = "state-secret"
"""The generated signing key's file, in the data folder."""
CLOCK_SKEW_SECONDS = 300

_FIXED = 33
_FINGERPRINT_LENGTH = 6
_ALPHABET = frozenset(TOKEN_ALPHABET)
_MAC_BYTES = 12


@dataclass(frozen=True)
class State:
    """Where a conversation is: the answers chosen so far, one index per question."""

    answers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Who:
    """The person a conversation belongs to, and where."""

    platform: str
    workspace: str
    user: str

    def _bytes(self) -> bytes:
        # length-prefixed, so no choice of ids can make two different people read the same
        return "".join(
            f"{len(part)}:{part}" for part in (self.platform, self.workspace, self.user)
        ).encode()


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


def load_keyring(secret: str | None, old_secrets: str | None, data_dir: Path) -> Keyring:
    """Keys from STATE_SECRET (+ STATE_SECRET_OLD, comma-separated), else one kept in data_dir."""
    older = tuple(key_from_secret(s.strip()) for s in (old_secrets or "").split(",") if s.strip())
    if secret:
        return Keyring(key_from_secret(secret), older)
    key_file = data_dir / KEY_FILE
    try:
        stored = _read_or_create_key(key_file)
    except OSError as exc:
        raise SettingsError(
            f"STATE_SECRET is not set and {key_file} cannot be used ({exc.strerror or exc}); "
            "set STATE_SECRET or DATA_DIR to a writable folder"
        ) from None
    except UnicodeDecodeError:
        raise SettingsError(
            f"{key_file} does not hold a key written by this bot; delete it or set STATE_SECRET"
        ) from None
    if not stored:
        raise SettingsError(f"{key_file} is empty; delete it or set STATE_SECRET")
    return Keyring(key_from_secret(stored), older)


def _read_or_create_key(key_file: Path) -> str:
    """The secret kept in key_file, writing a new random one (owner-only) when there is none."""
    if not key_file.exists():
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
        # owner-only from the first byte; linked into place whole, so a process starting at the
        # same moment reads either no key or the complete one, and never overwrites it
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(draft, key_file)
        finally:
            draft.unlink()
    return key_file.read_text(encoding="ascii").strip()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _owner_tag(who: Who) -> str:
    return _b64(hashlib.sha256(b"owner\x1f" + who._bytes()).digest()[:3])


def _mac(key: bytes, who: Who, body: str) -> str:
    return _b64(hmac.digest(key, who._bytes() + b"\x1e" + body.encode(), "sha256")[:_MAC_BYTES])


def seal(keyring: Keyring, who: Who, state: State, fingerprint: str, issued: float) -> str:
    """A signed token for this person's state, issued at `issued` (seconds since the epoch)."""
    if any(not 0 <= a <= 9 for a in state.answers):
        raise ValueError("answer indexes must be single digits")
    if len(fingerprint) != _FINGERPRINT_LENGTH or not set(fingerprint) <= _ALPHABET:
        raise ValueError("a content fingerprint is six URL-safe base64 characters")
    issued_part = _b64(struct.pack(">I", int(issued) & 0xFFFFFFFF))
    prefix = FORMAT_VERSION + fingerprint + issued_part + _owner_tag(who)
    answers = "".join(str(a) for a in state.answers)
    return prefix + _mac(keyring.current, who, prefix + answers) + answers


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


def open_token(
    keyring: Keyring, who: Who, token: str, fingerprint: str, now: float, ttl: float
) -> Opened | RefusalReason:
    """The state a token carries for this person, or why it cannot be used."""
    if len(token) < _FIXED or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return "tampered"
    if token[0] != FORMAT_VERSION:
        # a token from another release of the bot: as good as a change of content
        return "content_changed" if token[0] in TOKEN_ALPHABET else "tampered"
    prefix, mac, answers = token[:17], token[17:_FIXED], token[_FIXED:]
    if not answers.isdigit() and answers:
        return "tampered"
    signed = any(hmac.compare_digest(mac, _mac(key, who, prefix + answers)) for key in keyring.all)
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
    return Opened(State(tuple(int(c) for c in answers)), issued)
