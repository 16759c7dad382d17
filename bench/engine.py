"""Cost of one engine step, one full turn (open token, step, seal) and loading the content.

Run from the project folder:  .venv/bin/python bench/engine.py [--quick]
Each case runs in batches; the table shows the best, the median and the 99th percentile of the
per-call time across batches, so one slow batch (a garbage collection, a busy neighbour) shows
as p99, not as the typical cost, and the best shows what the code costs on an idle core.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from bot.engine import Guide, step  # noqa: E402
from bot.events import Choose, Start  # noqa: E402
from bot.guides import load_guide_book  # noqa: E402
from bot.state import Keyring, State, Who, key_from_secret, open_token, seal  # noqa: E402
from bot.turn import take_turn  # noqa: E402

CONTENT_ROOT = ROOT / "content"
NOW = 1_800_000_000.0


def measure(call: Callable[[], object], batches: int, per_batch: int) -> tuple[float, float, float]:
    """Best, median and p99 seconds per call over `batches` timed batches of `per_batch` calls."""
    call()  # warm caches the way a running bot has them warm
    times = timeit.repeat(call, repeat=batches, number=per_batch)
    per_call = sorted(t / per_batch for t in times)
    p99 = per_call[min(len(per_call) - 1, round(0.99 * (len(per_call) - 1)))]
    return per_call[0], statistics.median(per_call), p99


def _human(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} µs"
    return f"{seconds * 1e3:8.2f} ms"


def main(argv: list[str] | None = None) -> None:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches, for a smoke run")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1

    content = load_content(CONTENT_ROOT, "en")
    guide = Guide(content, "GB", "https://eap.example.com", "coaching@example.com")
    keyring = Keyring(key_from_secret("bench"), (key_from_secret("older"),))
    who = Who("slack", "T0123456", "U0123456")
    stranger = Who("slack", "T0123456", "U0999999")
    no = next(i for i, a in enumerate(content.safety.answers) if a.action == "continue")
    # a typical mid-conversation click: the fourth question is on screen, the person answers it
    mid = State((no, 0, 1, 2))
    token = seal(keyring, who, mid, content.fingerprint, NOW)
    last = State((no, *([1] * (len(content.questions) - 1))))
    last_token = seal(keyring, who, last, content.fingerprint, NOW)

    cases: list[tuple[str, Callable[[], object], int, int]] = [
        (
            "take_turn, mid-conversation click",
            lambda: take_turn(guide, keyring, who, Choose(1), token, NOW + 30),
            2000 // scale,
            50,
        ),
        (
            "take_turn, last answer -> result",
            lambda: take_turn(guide, keyring, who, Choose(0), last_token, NOW + 30),
            2000 // scale,
            50,
        ),
        (
            "take_turn, Start (no token)",
            lambda: take_turn(guide, keyring, who, Start(), None, NOW),
            2000 // scale,
            50,
        ),
        (
            "step alone, mid-conversation click",
            lambda: step(guide, mid, Choose(1), NOW),
            2000 // scale,
            50,
        ),
        (
            "take_turn, someone else's click",
            lambda: take_turn(guide, keyring, stranger, Choose(1), token, NOW + 30),
            2000 // scale,
            50,
        ),
        (
            "open_token alone",
            lambda: open_token(keyring, who, token, content.fingerprint, NOW + 30, 86400),
            2000 // scale,
            50,
        ),
        (
            "seal alone",
            lambda: seal(keyring, who, mid, content.fingerprint, NOW),
            2000 // scale,
            50,
        ),
        ("load_content (en)", lambda: load_content(CONTENT_ROOT, "en"), 100 // scale, 1),
        ("load_guide_book (all locales)", lambda: load_guide_book(CONTENT_ROOT), 100 // scale, 1),
    ]

    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"{'case':<38} {'best':>11} {'median':>11} {'p99':>11}  batches x calls")
    for name, call, batches, per_batch in cases:
        best, median, p99 = measure(call, batches, per_batch)
        print(
            f"{name:<38} {_human(best):>11} {_human(median):>11} {_human(p99):>11}"
            f"  {batches} x {per_batch}"
        )


if __name__ == "__main__":
    main()
