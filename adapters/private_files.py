"""Files that hold secrets: created for their owner alone, whatever the umask, and checked at start.

The data folder keeps the generated signing key and the SQLite database, which in OAuth mode
holds every workspace's bot token; .env usually holds the platform tokens. New ones are made
owner-only (SQLite gives its -wal and -shm files the database's own mode), and one that already
exists and is open to other users of the machine is named at start-up with the command that
closes it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps next to a database while it is open."""


def make_private_folder(folder: Path) -> None:
    """Create `folder` (and any missing parents) readable by its owner only; leave one that exists.

    mkdir's mode can only be narrowed by the umask, never widened, so the new folders are 0700
    under any umask that leaves the owner their own rights.
    """
    missing: list[Path] = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made at the same moment elsewhere
            path.mkdir(mode=FOLDER_MODE)


def create_private_file(path: Path) -> None:
    """Create `path`, empty and owner-only, unless it exists already (then leave it as it is)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def open_to_others(paths: Iterable[tuple[Path, str]]) -> list[str]:
    """A warning for each existing path that users other than its owner may read or change.

    Each path comes with what it holds, for the warning ("bot tokens", "secrets").
    """
    warnings: list[str] = []
    for path, holds in paths:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if not mode & 0o077:
            continue
        private = FOLDER_MODE if stat.S_ISDIR(mode) else FILE_MODE
        warnings.append(
            f"{path} can be read by other users of this machine "
            f"({stat.filemode(mode)}) and holds {holds}; run: chmod {private:o} {path}"
        )
    return warnings


def sqlite_files(database: Path) -> list[Path]:
    """A SQLite database and the files SQLite keeps beside it."""
    return [database, *(database.with_name(database.name + end) for end in SQLITE_COMPANIONS)]
