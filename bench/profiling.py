"""Where an app's time goes under load: py-spy attached to its process while the rounds run.

py-spy (`pip install py-spy` into .venv; it is no dependency of the project) samples the running
process from outside, so the app runs unchanged. Idle samples are left out, so recording across
all the rounds only sees the app while it works. The summary gives the functions that were
running (self time) and, for each library, the share of samples it was anywhere on the stack.
"""

from __future__ import annotations

import collections
import contextlib
import re
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.harness import ROOT, AppProcess

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"
PACKAGES = (
    "sqlalchemy",
    "sqlite3",
    "psycopg",
    "alembic",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "aiohttp",
    "yarl",
    "multidict",
    "json",
    "logging",
    "asyncio",
    "concurrent",
    "threading",
    "adapters",
    "bot",
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^():]*)(?::\d+)?\)$")


@contextlib.contextmanager
def recording(processes: Sequence[AppProcess], folder: Path | None) -> Iterator[list[Path]]:
    """Sample each process while the block runs (nothing when `folder` is None)."""
    if folder is None:
        yield []
        return
    if not PY_SPY.exists():
        raise RuntimeError(f"{PY_SPY} is missing; install it with .venv/bin/pip install py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    outputs = [folder / f"{process.name}.txt" for process in processes]
    spies = []
    for process, output in zip(processes, outputs, strict=True):
        assert process.process is not None
        argv = [str(PY_SPY), "record", "--pid", str(process.process.pid), "--format", "raw"]
        argv += ["--rate", "200", "--nonblocking", "--output", str(output)]
        spies.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        yield outputs
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=60)


def summary(path: Path, top: int = 15) -> list[str]:
    """The busiest functions and each library's share of one recorded profile."""
    own: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_FRAME.match(frame) for frame in stack.split(";")]
        files = [m["file"] for m in frames if m]
        if frames and frames[-1]:
            leaf = frames[-1]
            own[f"{leaf['function']} ({_short(leaf['file'])})"] += samples
        for package in {p for f in files for p in PACKAGES if _in_package(f, p)}:
            packages[package] += samples
    if not total:
        return [f"{path.name}: no samples"]
    lines = [f"{path.name}: {total} busy samples"]
    lines.append("  share of samples with the library anywhere on the stack:")
    lines += [f"    {p:<12} {n / total:6.1%}" for p, n in packages.most_common()]
    lines.append(f"  top {top} functions by own time:")
    lines += [f"    {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    return lines


def _in_package(file: str, package: str) -> bool:
    parts = Path(file).parts
    return package in parts or f"{package}.py" in parts


def _short(file: str) -> str:
    parts = Path(file).parts
    for marker in ("site-packages", "python3.11"):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + 1 :])
    return "/".join(parts[-2:])
