"""A throwaway PostgreSQL server for tests, from Debian's server binaries (run as a plain user)."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import port_for
import psycopg
from pytest_postgresql.executors import PostgreSQLExecutor
from pytest_postgresql.janitor import DatabaseJanitor

HINT = "install them with `make postgres-binaries` (Debian's postgresql package)"


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start."""


def find_pg_ctl() -> str:
    """The newest pg_ctl on this machine (Debian keeps it outside PATH)."""
    found = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")

    def version(path: str) -> int:
        match = re.search(r"/postgresql/(\d+)/", path)
        return int(match.group(1)) if match else 0

    if found:
        return max(found, key=version)
    on_path = shutil.which("pg_ctl")
    if on_path:
        return on_path
    raise PostgresUnavailable(f"PostgreSQL's server binaries (pg_ctl) are missing; {HINT}")


def _server_user() -> pwd.struct_passwd | None:
    """initdb refuses to run as root, so root runs the server as `postgres` (else `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and there is no `postgres` or `nobody` user")


@dataclass
class Server:
    """A running server and where it lives."""

    executor: PostgreSQLExecutor
    folder: Path
    user: str = "postgres"
    host: str = "127.0.0.1"

    @property
    def port(self) -> int:
        """The TCP port it listens on."""
        return int(self.executor.port)

    def url(self, dbname: str) -> str:
        """A DATABASE_URL for one database on it."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def janitor(self, dbname: str) -> DatabaseJanitor:
        """Creates and drops one database."""
        return DatabaseJanitor(user=self.user, host=self.host, port=self.port, dbname=dbname)

    def stop(self) -> None:
        """Stop the server now (its data stays, so it can start again)."""
        self.executor.stop()

    def start(self) -> None:
        """Start it again after stop(); returns once a client can connect and query."""
        self.executor.start()
        self.executor.wait_for_postgres()
        wait_until_ready(self.host, self.port, self.user)

    def remove(self) -> None:
        """Stop it if running and delete its files."""
        try:
            if self.executor.running():
                self.executor.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


READY_SECONDS = 60


def wait_until_ready(host: str, port: int, user: str) -> None:
    """Wait until a client can connect over TCP and run a query, as the bot will.

    pg_ctl and the executor say the server is up once its process runs and its port takes
    connections; a client can still be refused, or told the database is starting up, for a
    moment after that (notably after a restart following a fast stop).
    """
    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            with psycopg.connect(
                host=host, port=port, user=user, dbname="postgres", connect_timeout=5
            ) as connection:
                connection.execute("SELECT 1")
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise PostgresUnavailable(f"PostgreSQL never took a query ({exc})") from exc
            time.sleep(0.1)


def start_server() -> Server:
    """Initialise and start a fresh server on a free loopback port; raise PostgresUnavailable."""
    pg_ctl = find_pg_ctl()
    folder = Path(tempfile.mkdtemp(prefix="coach-or-therapy-pg-"))
    executable = pg_ctl
    owner = _server_user()
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        # The wrapper stays root's; it only hands pg_ctl to the unprivileged user.
        wrapper_dir = Path(tempfile.mkdtemp(prefix="coach-or-therapy-pgctl-"))
        wrapper = wrapper_dir / "pg_ctl"
        wrapper.write_text(f'#!/bin/sh\nexec runuser -u {owner.pw_name} -- "{pg_ctl}" "$@"\n')
        wrapper.chmod(stat.S_IRWXU)
        executable = str(wrapper)
    port = port_for.select_random()
    executor = PostgreSQLExecutor(
        executable=executable,
        host="127.0.0.1",
        port=port,
        datadir=str(folder / "data"),
        unixsocketdir=str(folder),
        logfile=str(folder / "server.log"),
        startparams="-w",
        dbname="postgres",
        user="postgres",
    )
    try:
        executor.start()
        executor.wait_for_postgres()
        wait_until_ready("127.0.0.1", port, "postgres")
    except Exception as exc:
        log_file = folder / "server.log"
        tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise PostgresUnavailable(f"PostgreSQL did not start ({exc}); {HINT}\n{tail}") from exc
    return Server(executor, folder)
