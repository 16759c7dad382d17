"""Cost of checking content: the start-up load, and scoring every answer combination in validate.

Run from the project folder:  .venv/bin/python bench/validate.py [--quick]
Each case runs in batches; the table shows the median and 99th percentile of the per-call time.
"""

from __future__ import annotations

import argparse
import io
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.console.validate import run_validate  # noqa: E402
from bot import located_yaml  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.content.coverage import check_coverage, combinations  # noqa: E402
from bot.content.validate import validate_content  # noqa: E402
from bot.engine import outcome_for  # noqa: E402

CONTENT_ROOT = ROOT / "content"


def measure(call: Callable[[], object], batches: int) -> tuple[float, float]:
    """Median and p99 seconds per call over `batches` single calls (after one warm-up call)."""
    call()
    times = sorted(timeit.repeat(call, repeat=batches, number=1))
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


class _PureLoader(yaml.SafeLoader):
    """The same located loader on PyYAML's pure-Python parser, for comparison with libyaml."""

    file_label = "?"


_PureLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    located_yaml._construct_map,  # type: ignore[arg-type]
)
_PureLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    located_yaml._construct_list,  # type: ignore[arg-type]
)


def _pure_python_load() -> object:
    saved = located_yaml._Loader
    located_yaml._Loader = _PureLoader  # type: ignore[misc]
    try:
        return load_content(CONTENT_ROOT, "en")
    finally:
        located_yaml._Loader = saved  # type: ignore[misc]


def main(argv: list[str] | None = None) -> None:
    """Run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches, for a smoke run")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    content = load_content(CONTENT_ROOT, "en")
    every = list(combinations(content))

    cases: list[tuple[str, Callable[[], object], int]] = [
        ("load_content (en), libyaml parser", lambda: load_content(CONTENT_ROOT, "en"), 200),
        ("load_content (en), pure-Python parser", _pure_python_load, 50),
        (
            f"outcome_for over all {len(every)} combinations",
            lambda: [outcome_for(content, c) for c in every],
            20,
        ),
        ("check_coverage (split, idle answers, rules_out)", lambda: check_coverage(content), 20),
        ("validate_content(content/), every rule", lambda: validate_content(CONTENT_ROOT), 20),
        (
            "run_validate(content/), + Slack/Discord rendering",
            lambda: run_validate(CONTENT_ROOT, False, io.StringIO()),
            20,
        ),
    ]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"libyaml {yaml.__with_libyaml__}"
    )
    print(f"| {'case':<50} | {'median':>9} | {'p99':>9} | runs |")
    print(f"|{'-' * 52}|{'-' * 11}|{'-' * 11}|------|")
    for name, call, batches in cases:
        median, p99 = measure(call, max(3, batches // scale))
        print(f"| {name:<50} | {median * 1e3:6.2f} ms | {p99 * 1e3:6.2f} ms | {batches:>4} |")


if __name__ == "__main__":
    main()
