"""How long the command line takes to be useful: start-up to first question, card, full walk.

Runs the installed `coach-or-therapy` script as a person would, in a scratch folder with a
private data folder and no platform settings, and prints median and p90 wall times.

    .venv/bin/python bench/cli_startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.content import load_content  # noqa: E402
from bot.engine import outcome_for  # noqa: E402

SCRIPT = str(Path(sys.executable).parent / "coach-or-therapy")


def _walk_lines() -> str:
    """Typed lines that reach the "both" result, read from the content."""
    content = load_content(REPO / "content", "en")
    no = next(i for i, a in enumerate(content.safety.answers, 1) if a.action == "continue")
    ranges = [range(len(q.answers)) for q in content.questions]
    answers = next(c for c in itertools.product(*ranges) if outcome_for(content, c) == "both")
    return "\n".join([str(no), *(str(a + 1) for a in answers), "q"]) + "\n"


def _first_question(env: dict[str, str], cwd: str) -> None:
    process = subprocess.Popen(
        [SCRIPT, "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=cwd
    )
    assert process.stdout is not None and process.stdin is not None
    seen = b""
    while b"[q] Quit" not in seen:
        chunk = process.stdout.read1(4096)
        if not chunk:
            raise RuntimeError("the chat ended before asking anything")
        seen += chunk
    process.stdin.close()
    process.wait()


def _run(args: list[str], stdin: str = "") -> Callable[[dict[str, str], str], None]:
    def go(env: dict[str, str], cwd: str) -> None:
        subprocess.run(
            [SCRIPT, *args], input=stdin.encode(), capture_output=True, env=env, cwd=cwd, check=True
        )

    return go


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    cases: list[tuple[str, Callable[[dict[str, str], str], None]]] = [
        ("--version", _run(["--version"])),
        ("card (text)", _run(["card"])),
        ("chat: start to first question", _first_question),
        ("chat: piped walk-through to a result", _run(["chat"], _walk_lines())),
    ]
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": scratch,
            "LANG": "C.UTF-8",
            "DATA_DIR": str(Path(scratch) / "data"),
        }
        print(f"| {'case':<38} | median  | p90     | runs |")
        print(f"|{'-' * 40}|---------|---------|------|")
        for name, case in cases:
            case(env, scratch)  # warm the file cache and create the key file
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                case(env, scratch)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
            median = statistics.median(times)
            print(f"| {name:<38} | {median:4.0f} ms | {p90:4.0f} ms | {runs:>4} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
