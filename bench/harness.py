"""What every benchmark of the real process shares: processes, a database, rounds and the report.

A benchmark here starts `coach-or-therapy` the way an operator does (the installed command, its
settings in the environment only, a data folder of its own) next to a bare library app in a
process of its own, drives both with simulated people over the platform's wire protocol, and
compares them round by round. Nothing here imports the app: what is measured is whatever code
the installed command runs.

A platform's benchmark supplies the fake platform, how to start each app, and one person's
conversation; this module does the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import re
import signal
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent

COMMAND = ROOT / ".venv" / "bin" / "coach-or-therapy"
"""The installed command, exactly as `make run` and an operator run it."""

PYTHON = ROOT / ".venv" / "bin" / "python"
"""The same environment's Python, for the bare library apps."""

REPLY_TIMEOUT = 30.0
"""How long a person waits for one reply before the conversation counts as an error."""

# --- processes ------------------------------------------------------------------------------


def operator_env(home: Path, **settings: object) -> dict[str, str]:
    """A bare environment (PATH, HOME, LANG) plus these settings, as a service manager gives."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    env.update({name: str(value) for name, value in settings.items()})
    return env


class AppProcess:
    """One app under test in a process of its own, its output kept in a log file."""

    def __init__(self, name: str, argv: Sequence[str | Path], env: dict[str, str], folder: Path):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.env = env
        self.folder = folder
        self.log_path = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.exit_code: int | None = None
        self._ps: psutil.Process | None = None

    async def start(self, ready: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
        """Start it and wait until `ready()` is true; raise with its log when it never is."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.argv,
                env=self.env,
                cwd=self.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._ps = psutil.Process(self.process.pid)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.returncode is not None:
                code = self.process.returncode
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log()}")
            with contextlib.suppress(OSError):
                if await ready():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} not ready in {timeout:.0f} s:\n{self.log()}")
            await asyncio.sleep(0.1)

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far."""
        assert self._ps is not None
        times = self._ps.cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        """Resident memory in bytes."""
        assert self._ps is not None
        return int(self._ps.memory_info().rss)

    async def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as a service manager stops it; killed if still running after `timeout`."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.exit_code = self.process.returncode
        return int(self.exit_code if self.exit_code is not None else -1)

    def log(self) -> str:
        """Everything it printed."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def troubles(self) -> list[str]:
        """Lines of its output that speak of a problem (warnings, errors, tracebacks)."""
        words = ("Traceback", "WARNING", "ERROR", "CRITICAL", "Exception")
        return [line for line in self.log().splitlines() if any(w in line for w in words)]


async def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:`port`."""
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    await writer.wait_closed()
    return True


def run_command(args: Sequence[str], env: dict[str, str], folder: Path) -> str:
    """Run `coach-or-therapy ARGS` to completion (like `db upgrade`); raise when it fails."""
    done = subprocess.run(
        [str(COMMAND), *args], env=env, cwd=folder, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise RuntimeError(f"coach-or-therapy {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


@contextlib.contextmanager
def throwaway_postgres(dbname: str = "bench") -> Iterator[str]:
    """A fresh PostgreSQL server from the machine's binaries, as the tests start one: its URL."""
    from tests.storage.postgres import start_server

    server = start_server()
    try:
        janitor = server.janitor(dbname)
        janitor.init()
        yield server.url(dbname)
    finally:
        server.remove()


def postgres_version() -> str:
    """The server binaries' version, for the report."""
    from tests.storage.postgres import find_pg_ctl

    done = subprocess.run([find_pg_ctl(), "--version"], capture_output=True, text=True)
    found = re.search(r"\d+(\.\d+)+", done.stdout)
    return found.group(0) if found else "of unknown version"


# --- load -----------------------------------------------------------------------------------


class Mismatch(Exception):
    """A reply that is not what the person should see next."""


ANSWERS = (2, 0, 1, 2, 0, 1, 2, 0, 1)
"""The safety "No", then a mix of answers; every benchmarked conversation takes this path."""
QUESTIONS = 9
"""A walk-through's questions, the safety question first."""
RESULT_HEADING = "Where to go next"


def check_walk_through(texts: list[str], what: str = "message") -> None:
    """A recorded walk-through, each step's text: nine questions in order, then a result."""
    for n, text in enumerate(texts[:QUESTIONS]):
        if f"Question {n + 1} of {QUESTIONS}" not in text:
            raise Mismatch(f"recorded {what} {n} is not question {n + 1}: {text[:200]!r}")
    if RESULT_HEADING not in texts[QUESTIONS]:
        raise Mismatch("the recorded walk-through does not end in a result")


def difference(got: str, recorded: str) -> str:
    """Where `got` first differs from `recorded`, with a little of each around it."""
    at = next(
        (i for i, (a, b) in enumerate(zip(got, recorded, strict=False)) if a != b),
        min(len(got), len(recorded)),
    )
    return f"{got[max(0, at - 80) : at + 80]!r} where {recorded[max(0, at - 80) : at + 80]!r}"


@dataclass
class Timings:
    """Latencies in seconds: of the commands that open walk-throughs, and of the clicks."""

    commands: list[float] = field(default_factory=list)
    clicks: list[float] = field(default_factory=list)

    def all(self) -> list[float]:
        """Every latency."""
        return self.commands + self.clicks


Conversation = Callable[[int, int, Timings], Awaitable[None]]
"""One person's walk-through: (person, conversation number, where to add its latencies)."""


@dataclass
class App:
    """An app under test: its process and how a person talks to it."""

    name: str
    process: AppProcess
    converse: Conversation
    baseline: bool = False


@dataclass
class Round:
    """One timed round of one app."""

    app: str
    elapsed: float
    cpu: float
    driver_cpu: float
    timings: Timings
    errors: list[str]

    @property
    def events(self) -> int:
        """Events answered in the round."""
        return len(self.timings.commands) + len(self.timings.clicks)

    @property
    def rate(self) -> float:
        """Events per second over the round."""
        return self.events / self.elapsed


async def drive(app: App, people: int, conversations: int) -> Round:
    """`people` at once, each through `conversations` walk-throughs in turn."""
    timings = Timings()
    errors: list[str] = []

    async def person(n: int) -> None:
        for number in range(conversations):
            try:
                await app.converse(n, number, timings)
            except Exception as exc:  # an error is a result of the round, not its end
                errors.append(f"person {n}, conversation {number}: {type(exc).__name__}: {exc}")

    cpu, driver_cpu = app.process.cpu_seconds(), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(person(n) for n in range(people)))
    elapsed = time.perf_counter() - started
    cpu, driver_cpu = app.process.cpu_seconds() - cpu, time.process_time() - driver_cpu
    return Round(app.name, elapsed, cpu, driver_cpu, timings, errors)


async def alternate(
    apps: Sequence[App], rounds: int, people: int, conversations: int
) -> dict[str, list[Round]]:
    """A warm-up round each, then `rounds` rounds of every app, the order rotating each round."""
    for app in apps:
        await drive(app, people, 1)
    results: dict[str, list[Round]] = {app.name: [] for app in apps}
    for r in range(rounds):
        shift = r % len(apps)
        for app in [*apps[shift:], *apps[:shift]]:
            done = await drive(app, people, conversations)
            results[app.name].append(done)
            print(
                f"  round {r + 1} {app.name}: {done.rate:.0f}/s, {len(done.errors)} errors",
                flush=True,
            )
    return results


# --- report ---------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class Targets:
    """What ours must reach against the baseline."""

    rate: float = 0.95
    p99: float = 1.10


@dataclass
class Summary:
    """One app's rounds in a few numbers."""

    rate: float
    p50: float
    p99: float
    clicks_p99: float
    commands_p99: float
    cpu_ms: float
    driver_cpu_ms: float
    events: int
    errors: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, rounds: Sequence[Round]) -> Summary:
        pooled = [x for r in rounds for x in r.timings.all()]
        clicks = [x for r in rounds for x in r.timings.clicks]
        commands = [x for r in rounds for x in r.timings.commands]
        return cls(
            rate=statistics.median(r.rate for r in rounds),
            p50=percentile(pooled, 0.50) * 1000,
            p99=percentile(pooled, 0.99) * 1000,
            clicks_p99=percentile(clicks, 0.99) * 1000,
            commands_p99=percentile(commands, 0.99) * 1000,
            cpu_ms=statistics.median(r.cpu / max(1, r.events) for r in rounds) * 1000,
            driver_cpu_ms=statistics.median(r.driver_cpu / max(1, r.events) for r in rounds) * 1000,
            events=len(pooled),
            errors=[e for r in rounds for e in r.errors],
        )


def machine() -> str:
    """Where and on what the run happened, in one line."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("slack_bolt", "discord.py", "aiohttp", "SQLAlchemy")
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"], capture_output=True, text=True
    ).stdout.strip()
    return (
        f"load average {load}; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"{versions}; code at {commit or 'unknown'}"
    )


def process_lines(apps: Sequence[App]) -> list[str]:
    """How each app stopped on SIGTERM and what it logged that speaks of a problem."""
    lines = []
    for app in apps:
        troubles = app.process.troubles()
        logged = len(app.process.log().splitlines())
        lines.append(
            f"{app.name}: exit code {app.process.exit_code} after SIGTERM; {logged} lines "
            f"logged, {len(troubles)} of them warnings or errors"
        )
        lines.extend(f"  {line}" for line in troubles[:5])
    return lines


def report(
    title: str,
    results: dict[str, list[Round]],
    apps: Sequence[App],
    unit: str,
    targets: Targets = Targets(),
) -> str:
    """The table and the ratios of every app against the baseline, as Markdown."""
    summaries = {name: Summary.of(rounds) for name, rounds in results.items()}
    lines = [
        title,
        "",
        f"| app | {unit}/s | p50 ms | p99 ms | clicks p99 | commands p99 | CPU ms each "
        f"| driver CPU ms each | {unit} | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in summaries.items():
        lines.append(
            f"| {name} | {s.rate:.0f} | {s.p50:.1f} | {s.p99:.1f} | {s.clicks_p99:.1f} "
            f"| {s.commands_p99:.1f} | {s.cpu_ms:.2f} "
            f"| {s.driver_cpu_ms:.2f} | {s.events} | {len(s.errors)} |"
        )
    baseline = next(app.name for app in apps if app.baseline)
    bare = summaries[baseline]
    lines += [
        "",
        f"| ours / {baseline} | {unit}/s | paired rounds | p99 | clicks p99 | CPU each "
        "| targets met |",
        "|---|---|---|---|---|---|---|",
    ]
    for app in apps:
        if app.baseline:
            continue
        s = summaries[app.name]
        paired = statistics.median(
            o.rate / b.rate for o, b in zip(results[app.name], results[baseline], strict=True)
        )
        rate, p99 = s.rate / bare.rate, s.p99 / bare.p99
        met = rate >= targets.rate and p99 <= targets.p99 and not s.errors
        lines.append(
            f"| {app.name} | {rate:.2f}x | {paired:.2f}x | {p99:.2f}x "
            f"| {s.clicks_p99 / bare.clicks_p99:.2f}x | {s.cpu_ms / bare.cpu_ms:.2f}x "
            f"| {'yes' if met else 'no'} |"
        )
    lines += [
        "",
        f"Targets: at least {targets.rate:.2f}x the {baseline} app's {unit}/s, "
        f"p99 at most {targets.p99:.2f}x, no errors.",
    ]
    for name, s in summaries.items():
        for error in s.errors[:5]:
            lines.append(f"error ({name}): {error}")
    return "\n".join(lines)
