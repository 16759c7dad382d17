"""The data folder, the SQLite database (with its -wal and -shm files) and the signing key are
their owner's alone whatever the umask, and start-up names any that other users could read."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from adapters.keys import load_keyring
from adapters.private_files import sqlite_files
from adapters.settings import Settings
from adapters.storage.startup import open_storage
from tests.loopback import free_port

DATABASE = "coach-or-therapy.db"
# umasks that leave the owner their own rights (any other would lock the bot out of its files)
UMASKS = st.integers(0, 0o077)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    """Whatever umask the test sets is put back afterwards."""
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


_folders = iter(range(10**6))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(mask=UMASKS)
def test_whatever_the_umask_the_data_folder_and_every_file_in_it_are_owner_only(
    tmp_path, umask, mask
):
    data = tmp_path / f"run-{next(_folders)}" / "data"
    os.umask(mask)
    load_keyring(None, None, data)
    workspaces = open_storage(Settings(data_dir=data))
    try:
        with workspaces.engine.begin() as connection:
            connection.execute(text("SELECT count(*) FROM workspace_settings"))
        files = [f for f in sqlite_files(data / DATABASE) if f.exists()]
        assert {f.name for f in files} >= {DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm"}
        assert mode(data) == 0o700
        for path in [data / "state-secret", *files]:
            assert mode(path) == 0o600, (oct(mask), path.name, oct(mode(path)))
    finally:
        workspaces.engine.dispose()


def _environment(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATA_DIR": str(tmp_path / "data"),
        "DEFAULT_REGION": "GB",
    }


@pytest.mark.slow
def test_the_oauth_process_under_umask_0_keeps_its_tokens_to_its_owner(tmp_path):
    port = free_port()
    env = _environment(tmp_path) | {
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "slack"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        umask=0,
    )
    data = tmp_path / "data"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/slack/install") as page:
                    assert page.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the app never answered"
                time.sleep(0.1)
        files = {f.name: mode(f) for f in sqlite_files(data / DATABASE) if f.exists()}
        assert files == {DATABASE: 0o600, f"{DATABASE}-wal": 0o600, f"{DATABASE}-shm": 0o600}
        assert mode(data) == 0o700
        assert mode(data / "state-secret") == 0o600
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert b"can be read by other users" not in stderr


@pytest.mark.parametrize("names", [["folder"], ["key"], ["database"], [".env"], ["all four"]])
def test_start_up_names_each_secret_file_others_can_read_and_the_fix(tmp_path, names):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    key, database, dotenv = data / "state-secret", data / DATABASE, tmp_path / ".env"
    key.write_text("k" * 40 + "\n")
    database.write_bytes(b"")
    dotenv.write_text("DISCORD_TOKEN=a.secret.token\n")
    open_ones = {"folder": data, "key": key, "database": database, ".env": dotenv}
    chosen = list(open_ones) if names == ["all four"] else names
    for path in (key, database, dotenv):
        path.chmod(0o600)
    for name in chosen:
        open_ones[name].chmod(0o755 if name == "folder" else 0o644)
    env = _environment(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "card"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "can be read by other users" in line]
    assert len(warnings) == len(chosen), done.stderr
    for name in chosen:
        path = ".env" if name == ".env" else open_ones[name]  # .env is read from where it runs
        fix = f"run: chmod {'700' if name == 'folder' else '600'} {path}"
        assert any(line.endswith(fix) for line in warnings), (fix, warnings)


def test_nothing_is_said_about_private_files_or_a_dotenv_without_secrets(tmp_path):
    (tmp_path / ".env").write_text("DEFAULT_REGION=GB\n")
    (tmp_path / ".env").chmod(0o644)
    env = _environment(tmp_path)
    for _ in range(2):  # the first run creates the folder and the key, the second finds them
        done = subprocess.run(
            [sys.executable, "-m", "adapters.cli", "chat"],
            input="q\n",
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0
        assert done.stderr == ""
