"""The Makefile in a fresh clone, as a newcomer runs it: run, Ctrl-C, lint and clean.

These install from the package registry into the clone's own .venv, so they take a while.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.test_cli_e2e import _read_until

REPO = Path(__file__).resolve().parent.parent
INSTALL_TIMEOUT = 600
TEST_TOOLS = {"pytest", "pytest-asyncio", "pytest-postgresql", "hypothesis", "ruff", "mypy"}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(INSTALL_TIMEOUT)]


def _make_env(tmp: Path) -> dict[str, str]:
    """The caller's environment without anything an outer make or venv passes down."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES", "VIRTUAL_ENV")
        and not key.startswith(("SLACK_", "DISCORD_", "PYTEST_"))
    }
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env["DATA_DIR"] = str(tmp / "data")
    env["LANG"] = "C.UTF-8"
    return env


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A fresh `git clone` of this repository, with nothing installed."""
    where = tmp_path_factory.mktemp("fresh") / "coach-or-therapy"
    subprocess.run(
        ["git", "clone", "--quiet", str(REPO), str(where)], check=True, capture_output=True
    )
    yield where, _make_env(where.parent)
    shutil.rmtree(where, ignore_errors=True)


def make(
    clone: tuple[Path, dict[str, str]], *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    where, env = clone
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=where,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )


def _older_pythons() -> list[str]:
    """One Python older than 3.11 that runs on this machine, by full path, if there is one."""
    candidates = [shutil.which(f"python3.{minor}") for minor in (10, 9, 8)]
    candidates += [
        str(p) for p in sorted((Path.home() / ".pyenv" / "versions").glob("3.*/bin/python3"))
    ]
    for candidate in candidates:
        if candidate is None:
            continue
        ran = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info < (3, 11))"],
            capture_output=True,
            text=True,
        )
        if ran.returncode == 0 and ran.stdout.strip() == "True":
            return [candidate]
    return []


def _rest(fd: int) -> bytes:
    """What is left to read on a terminal whose other side has closed."""
    seen = b""
    while select.select([fd], [], [], 5)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _wait_until_reading(make_pid: int) -> None:
    """Wait until the bot under make waits for a key in select or poll.

    A signal that lands between the prompt and that wait (while readline still sets the
    terminal up, say) is only seen once something is typed, by a person as by this test.
    """
    deadline = time.monotonic() + 60
    while True:
        # the bot is the one at the end of make -> shell -> bot
        bots = [
            p
            for p in psutil.Process(make_pid).children(recursive=True)
            if not p.children() and "coach-or-therapy" in " ".join(p.cmdline())
        ]
        if bots:
            wchan = Path(f"/proc/{bots[0].pid}/wchan").read_text()
            if "poll" in wchan or "select" in wchan:
                return
        assert time.monotonic() < deadline, "the bot never waited for input"
        time.sleep(0.05)


def installed(where: Path) -> set[str]:
    listing = subprocess.run(
        [str(where / ".venv" / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        check=True,
        capture_output=True,
        text=True,
    )
    # package names normalised as PyPI does (PEP 503)
    return {re.sub(r"[-_.]+", "-", p["name"]).lower() for p in json.loads(listing.stdout)}


@pytest.mark.parametrize("python", ["no-such-python3", *_older_pythons()])
def test_an_unsuitable_python_is_named_in_one_line_and_nothing_is_made(clone, python):
    done = make(clone, "run", f"PYTHON={python}")
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "needs Python 3.11 or newer" in lines[0]
    assert python in lines[0]
    assert "make run PYTHON=python3.11" in lines[0]
    assert not (clone[0] / ".venv").exists()


def test_make_run_replaces_a_broken_venv_and_installs_only_what_running_needs(clone):
    where, _ = clone
    # a .venv whose Python has since been removed, as after `make run PYTHON=...` elsewhere
    (where / ".venv" / "bin").mkdir(parents=True)
    (where / ".venv" / "bin" / "python").symlink_to("/nonexistent/python3.10")
    done = make(clone, "run", stdin="q\n")
    assert done.returncode == 0, done.stderr
    assert ".venv was made by a Python that is gone or older than 3.11" in done.stdout
    assert "Question 1 of 9" in done.stdout
    assert "Goodbye" in done.stdout
    for noise in ("BuildBackendWarning", "editable", "!!", "Traceback"):
        assert noise not in done.stdout + done.stderr
    packages = installed(where)
    assert packages >= {"slack-bolt", "discord-py", "sqlalchemy"}
    assert not packages & TEST_TOOLS


def test_ctrl_c_under_make_run_leaves_without_an_error(clone):
    where, env = clone
    main, terminal = pty.openpty()
    # Ctrl-C at a terminal sends SIGINT to its whole foreground process group: make, the
    # shell and the bot; a session of its own makes that group exactly make and its children
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=where,
        env={**env, "TERM": "xterm"},
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        seen = _read_until(main, b"> ")
        assert b"Question 1 of 9" in seen
        _wait_until_reading(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        seen += _rest(main)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    assert b"make: ***" not in seen, seen
    assert b"Error 130" not in seen
    assert b"Traceback" not in seen
    assert process.returncode in (0, 130, -signal.SIGINT)


def test_make_lint_adds_the_test_and_lint_tools(clone):
    done = make(clone, "lint")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed" in done.stdout
    assert installed(clone[0]) >= TEST_TOOLS
    assert "BuildBackendWarning" not in done.stdout + done.stderr


def test_make_clean_removes_what_make_made_and_keeps_the_data(clone):
    where, _ = clone
    (where / ".data").mkdir(exist_ok=True)
    (where / ".data" / "kept").write_text("x")
    done = make(clone, "clean")
    assert done.returncode == 0, done.stderr
    assert not (where / ".venv").exists()
    assert (where / ".data" / "kept").is_file()


def test_a_venv_left_without_pip_is_made_again(clone):
    where, env = clone
    # as an interrupted first `make run` can leave it
    subprocess.run(
        ["python3", "-m", "venv", "--without-pip", str(where / ".venv")],
        check=True,
        env=env,
        timeout=INSTALL_TIMEOUT,
    )
    planned = make(clone, "--dry-run", "run")
    assert planned.returncode == 0, planned.stderr
    assert "python3 -m venv .venv" in planned.stdout
    assert "rm -rf .venv" in planned.stdout
