"""The keys that sign conversation buttons: STATE_SECRET, or one generated once in DATA_DIR."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from bot.errors import SettingsError
from bot.state import Keyring, key_from_secret

KEY_FILE = "state-secret"
"""The generated signing key's file, in the data folder."""


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
