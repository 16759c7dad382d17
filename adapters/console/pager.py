"""Text taller than the terminal goes through the person's pager, as git does it."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from typing import TextIO

from adapters.console.text import is_tty

DEFAULT_PAGER = "less"
# git's defaults: quit when it fits, keep bold, leave the text on screen afterwards
PAGER_DEFAULTS = {"LESS": "FRX", "LV": "-c"}


def page(text: str, out: TextIO) -> None:
    """Write `text` to `out`; at a terminal too short for it, through `PAGER` (default less).

    Piped or redirected output, a text that fits, `PAGER` empty or `cat`, or a pager that is
    not installed: the text is written as it is.
    """
    command = _pager_command()
    if command is None or not is_tty(out) or _fits(text):
        _write(text, out)
        return
    out.flush()
    env = {**os.environ}
    for name, value in PAGER_DEFAULTS.items():
        env.setdefault(name, value)
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, stdout=out, env=env)
    except OSError:
        _write(text, out)
        return
    assert pager.stdin is not None
    data = text.encode(getattr(out, "encoding", None) or "utf-8", errors="replace")
    # the person may quit the pager before reading it all; Ctrl-C reaches the pager too, which
    # handles it and keeps the terminal until it ends
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt), pager.stdin:
        pager.stdin.write(data)
    while True:
        with contextlib.suppress(KeyboardInterrupt):
            pager.wait()
            return


def _pager_command() -> str | None:
    command = os.environ.get("PAGER", DEFAULT_PAGER).strip()
    if not command or command == "cat":
        return None
    try:
        program = shlex.split(command)[0]
    except (ValueError, IndexError):
        return None
    return command if shutil.which(program) else None


def _fits(text: str) -> bool:
    return text.count("\n") < shutil.get_terminal_size().lines


def _write(text: str, out: TextIO) -> None:
    out.write(text)
    out.flush()
