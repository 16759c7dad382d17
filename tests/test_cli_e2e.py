"""The command line end to end: real subprocesses, isolated settings, what a person would see."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.platforms import serve_all
from bot.errors import SettingsError
from bot.model import OUTCOMES
from tests.discord.fake_discord import FakeDiscord
from tests.loopback import free_port, wait_until_healthy
from tests.test_chat import safety_number, typed_path

REPO = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
SCRIPT = PYTHON.parent / "coach-or-therapy"
MODULE = [str(PYTHON), "-m", "adapters.cli"]
INSTALLED = [str(SCRIPT)]
PEER = (
    "Coach and clients on a peer basis",
    "Hierarchical difference between therapist and clients",
)
ALLIANCE = (
    "Alliance designed by coach and client together",
    "Treatment plan largely designed by therapist",
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no platform tokens, a private data folder, GB helplines."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DATA_DIR": str(tmp_path / "data"),
        "DEFAULT_REGION": "GB",
    }


def run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = "", command: list[str] = MODULE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def typed(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", [MODULE, INSTALLED], ids=["module", "script"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_piped_chat_reaches_each_result(content, env, tmp_path, command, outcome):
    done = run(["chat"], env, tmp_path, typed(*typed_path(content, outcome)), command)
    assert done.returncode == 0, done.stderr
    assert content.outcomes[outcome].title in done.stdout
    assert "Question 9 of 9" in done.stdout
    for other in set(OUTCOMES) - {outcome}:
        assert content.outcomes[other].title not in done.stdout
    assert done.stderr == ""


def test_plain_command_without_tokens_runs_the_terminal_chat(content, env, tmp_path):
    done = run([], env, tmp_path, typed(*typed_path(content, "therapy")), INSTALLED)
    assert done.returncode == 0, done.stderr
    assert "Question 1 of 9" in done.stdout
    assert content.outcomes["therapy"].title in done.stdout
    assert "no Slack, Discord or Teams settings found" in done.stderr


def test_safety_yes_shows_the_emergency_number_and_ends(content, env, tmp_path):
    yes = safety_number(content, "help")
    done = run(["chat"], env, tmp_path, typed(str(yes), "3"))
    assert done.returncode == 0
    assert "If you are in danger right now, call 999." in done.stdout
    assert "Samaritans: call 116 123" in done.stdout
    assert "Question 2 of 9" not in done.stdout
    assert done.stdout.rstrip().endswith("Type r or q")


def test_not_sure_shows_help_then_carries_on(content, env, tmp_path):
    unsure = safety_number(content, "help_then_continue")
    done = run(["chat"], env, tmp_path, typed(str(unsure), ""))
    help_at = done.stdout.index("call 999")
    assert help_at < done.stdout.index("Question 2 of 9")


def test_the_region_in_dotenv_picks_the_helplines(content, env, tmp_path):
    del env["DEFAULT_REGION"]
    (tmp_path / ".env").write_text("DEFAULT_REGION=US\n")
    done = run(["chat"], env, tmp_path, typed(str(safety_number(content, "help"))))
    assert "call 911" in done.stdout
    assert "988" in done.stdout
    assert "Samaritans" not in done.stdout


def test_bad_input_gets_a_hint_and_never_a_traceback(env, tmp_path):
    done = run(["chat"], env, tmp_path, typed("maybe", "42", "\u00e9\u00e9", "q"))
    assert done.returncode == 0
    assert done.stdout.count("Type a number from 1 to 3, or h, q\n") == 3
    assert done.stdout.count("Question 1 of 9") == 1
    assert "Traceback" not in done.stderr


def test_undecodable_input_gets_the_hint(env, tmp_path):
    done = subprocess.run(
        [*MODULE, "chat"],
        input=b"\xff\xfe\n3\n",
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0
    assert b"Type a number from 1 to 3, or h, q" in done.stdout
    assert b"Question 2 of 9" in done.stdout
    assert b"Traceback" not in done.stderr


def _piped_chat_at_its_first_question(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """`chat` on pipes, once it has shown its first question and waits for an answer."""
    process = subprocess.Popen(
        [*MODULE, "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    assert process.stdout is not None
    seen = b""
    while b"[q] Quit" not in seen:
        chunk = process.stdout.read1(4096)
        assert chunk, "the chat ended before asking anything"
        seen += chunk
    return process


def test_ctrl_c_exits_130_quietly(env, tmp_path):
    process = _piped_chat_at_its_first_question(env, tmp_path)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr == b""


def _read_until(fd: int, marker: bytes, timeout: float = 30) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


@contextlib.contextmanager
def _chat_in_a_terminal(
    env: dict[str, str], cwd: Path, args: tuple[str, ...] = ("chat",)
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`chat` (or `args`) on a pseudo-terminal (TERM=xterm): the terminal's side to read and
    type on."""
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [*MODULE, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**env, "TERM": "xterm"},
        cwd=cwd,
    )
    os.close(terminal)
    try:
        yield main, process
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()


def test_a_terminal_gets_a_prompt_and_light_emphasis(env, tmp_path):
    with _chat_in_a_terminal(env, tmp_path) as (main, process):
        first = _read_until(main, b"> ")
        assert b"\x1b[1m" in first
        assert b"Question 1 of 9" in first
        os.write(main, b"3\n")
        second = _read_until(main, b"Question 2 of 9")
        os.write(main, b"q\n")
        second += _read_until(main, b"Goodbye")
        assert process.wait(timeout=30) == 0
    assert b"Traceback" not in first + second


def _card(fmt: str, env: dict[str, str], cwd: Path) -> str:
    done = run(["card", "--format", fmt], env, cwd)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_card_as_text_has_17_rows_with_the_corrected_pairs(content, env, tmp_path):
    out = _card("text", env, tmp_path)
    numbered = re.findall(r"^ ?(\d+)\. (.+)$", out, flags=re.MULTILINE)
    assert [int(n) for n, _ in numbered] == list(range(1, 18))
    assert [topic for _, topic in numbered] == [row.topic for row in content.card.rows]
    flat = " ".join(out.split())
    for coaching, therapy in (PEER, ALLIANCE):
        assert f"Coaching: {coaching} Therapy: {therapy}" in flat
    for line in (content.card.attribution, content.card.disclaimer, content.card.tendency_note):
        assert " ".join(line.split()) in flat
    assert all(" ".join(s.split()) in flat for s in content.card.similarities)
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_card_as_markdown_has_17_table_rows_with_the_corrected_pairs(content, env, tmp_path):
    out = _card("markdown", env, tmp_path)
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 17
    assert rows[0] == "| Topic | Coaching | Therapy |"
    for coaching, therapy in (PEER, ALLIANCE):
        assert any(f"| {coaching} | {therapy} |" in row for row in rows)
    assert content.card.attribution in out.replace("\\", "")


def test_card_as_json_is_a_stable_structure(content, env, tmp_path):
    data = json.loads(_card("json", env, tmp_path))
    assert {"title", "rows", "similarities", "attribution", "disclaimer"} <= set(data)
    assert data["title"] == content.card.title
    assert len(data["rows"]) == 17
    assert all(set(row) == {"id", "topic", "coaching", "therapy"} for row in data["rows"])
    pairs = {(row["coaching"], row["therapy"]) for row in data["rows"]}
    assert PEER in pairs
    assert ALLIANCE in pairs
    assert data["similarities"] == list(content.card.similarities)
    assert data["attribution"] == content.card.attribution
    assert data["disclaimer"] == content.card.disclaimer


def _platform_units(fmt: str, payload: dict[str, Any]) -> list[str]:
    """The card's parts as the platform lays them out: Slack blocks, Discord embed fields."""
    if fmt == "slack":
        return [json.dumps(block, ensure_ascii=False) for block in payload["blocks"]]
    (embed,) = payload["embeds"]
    return [json.dumps(field, ensure_ascii=False) for field in embed["fields"]]


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_card_as_a_platform_message_pairs_every_row(content, env, tmp_path, fmt):
    units = _platform_units(fmt, json.loads(_card(fmt, env, tmp_path)))

    def quoted(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)[1:-1]

    rows_found = [u for u in units if any(quoted(r.coaching) in u for r in content.card.rows)]
    assert len(rows_found) == 17
    for row in content.card.rows:
        (unit,) = [u for u in units if quoted(row.coaching) in u]
        assert quoted(row.therapy) in unit, row.id
    for coaching, therapy in (PEER, ALLIANCE):
        (unit,) = [u for u in units if coaching in u]
        assert therapy in unit


def test_version_matches_the_package(env, tmp_path):
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    done = run(["--version"], env, tmp_path, command=INSTALLED)
    assert done.returncode == 0
    assert done.stdout.strip() == f"coach-or-therapy {version}"


def test_help_lists_the_commands(env, tmp_path):
    done = run(["--help"], env, tmp_path, command=INSTALLED)
    assert done.returncode == 0
    for command in ("chat", "card", "validate", "slack", "discord", "manifest"):
        assert re.search(rf"^\s+{command}\s", done.stdout, flags=re.MULTILINE), command


def test_an_unknown_command_is_a_usage_error(env, tmp_path):
    done = run(["quiz"], env, tmp_path)
    assert done.returncode == 2
    assert "invalid choice: 'quiz'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["chat"], ["card"], []], ids=["chat", "card", "plain"])
def test_a_malformed_setting_stops_start_up_with_one_line(env, tmp_path, args):
    env["PORT"] = "abc"
    done = run(args, env, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "coach-or-therapy: PORT must be a port number from 0 to 65535, not 'abc'"
    ]


def test_a_malformed_setting_in_dotenv_stops_start_up(env, tmp_path):
    (tmp_path / ".env").write_text("LOG_LEVEL=chatty\n")
    done = run(["card"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("coach-or-therapy: LOG_LEVEL must be one of DEBUG")
    assert len(done.stderr.splitlines()) == 1


def test_slack_without_its_settings_says_what_to_set(env, tmp_path):
    done = run(["slack"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "coach-or-therapy: Slack is not set up: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET "
        "(or SLACK_APP_TOKEN for Socket Mode); see .env.example"
    ]


@pytest.mark.parametrize(
    ("half_set", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing"),
        ({"SLACK_BOT_TOKEN": "xoxp-a-user-token"}, "SLACK_BOT_TOKEN must start with xoxb-"),
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
    ],
)
def test_a_half_set_platform_stops_only_the_commands_that_run_it(
    content, env, tmp_path, half_set, named
):
    env |= half_set
    chat = run(["chat"], env, tmp_path, typed(*typed_path(content, "coaching")))
    assert chat.returncode == 0, chat.stderr
    assert content.outcomes["coaching"].title in chat.stdout
    assert run(["card", "--format", "json"], env, tmp_path).returncode == 0
    assert run(["validate"], env, tmp_path).returncode == 0
    served = run([], env, tmp_path)
    assert served.returncode == 2
    (line,) = served.stderr.splitlines()
    assert line.startswith("coach-or-therapy: ") and named in line


def test_discord_without_a_token_says_what_to_set(env, tmp_path):
    done = run(["discord"], env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("coach-or-therapy: DISCORD_TOKEN is missing")


def test_broken_content_stops_start_up_with_its_location(env, tmp_path):
    broken = tmp_path / "content"
    (broken / "en").mkdir(parents=True)
    for source in (REPO / "content" / "en").glob("*.yaml"):
        (broken / "en" / source.name).write_text(source.read_text())
    card = broken / "en" / "card.yaml"
    card.write_text(card.read_text().replace("title: ", "title: [unclosed", 1))
    env["CONTENT_DIR"] = str(broken)
    done = run(["chat"], env, tmp_path, typed("3"))
    assert done.returncode == 1
    assert re.search(r"card\.yaml:\d+:\d+: ", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_plain_command_with_slack_settings_serves_slack_until_sigterm(env, tmp_path):
    port = free_port()
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    process = subprocess.Popen(
        INSTALLED,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the Slack app never started listening"
                time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert b"Question" not in stdout
    assert b"Traceback" not in stderr


def _copy_source(to: Path) -> Path:
    """The files a source checkout ships, without caches or anything built."""
    import shutil

    to.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, to / name)
    for package in ("bot", "adapters", "content"):
        shutil.copytree(
            REPO / package, to / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    return to


@pytest.mark.slow
def test_the_built_wheel_works_installed_outside_the_repo(content, env, tmp_path):
    import sysconfig

    source = _copy_source(tmp_path / "source")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [str(PYTHON), "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("coach_or_therapy-*.whl")
    fresh = tmp_path / "fresh"
    subprocess.run(
        [str(PYTHON), "-m", "venv", "--without-pip", str(fresh)], check=True, timeout=120
    )
    fresh_python = fresh / "bin" / "python"
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "--python",
            str(fresh_python),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # the dependencies come from this environment's site-packages as a plain path entry, so the
    # editable install of the checkout that lives there is not activated
    fresh_site = Path(
        subprocess.run(
            [str(fresh_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (fresh_site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()

    where = subprocess.run(
        [str(fresh_python), "-c", "import content, bot, adapters; print(content.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=outside,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(fresh_site)

    script = [str(fresh / "bin" / "coach-or-therapy")]
    card = run(["card", "--format", "json"], env, outside, command=script)
    assert card.returncode == 0, card.stderr
    rows = json.loads(card.stdout)["rows"]
    assert len(rows) == 17
    assert {(r["coaching"], r["therapy"]) for r in rows} >= {PEER, ALLIANCE}

    walk = run(["chat"], env, outside, typed(*typed_path(content, "both")), command=script)
    assert walk.returncode == 0, walk.stderr
    assert content.outcomes["both"].title in walk.stdout

    schema = run(["db", "upgrade"], env, outside, command=script)
    assert schema.returncode == 0, schema.stderr
    assert (Path(env["DATA_DIR"]) / "coach-or-therapy.db").is_file()


class _Platform:
    """A stand-in platform server that records how it ended."""

    def __init__(self, runs_for: float | None = None, fails_with: Exception | None = None):
        self.runs_for = runs_for
        self.fails_with = fails_with
        self.ended: str | None = None

    async def __call__(self) -> None:
        try:
            await asyncio.sleep(3600 if self.runs_for is None else self.runs_for)
            if self.fails_with is not None:
                raise self.fails_with
            self.ended = "returned"
        except asyncio.CancelledError:
            self.ended = "cancelled"
            raise


async def test_when_one_platform_stops_the_others_are_stopped_too():
    stops, keeps = _Platform(runs_for=0.01), _Platform()
    await serve_all([stops, keeps])
    assert (stops.ended, keeps.ended) == ("returned", "cancelled")


async def test_when_one_platform_fails_the_error_surfaces_and_the_others_stop():
    fails = _Platform(runs_for=0.01, fails_with=SettingsError("DISCORD_TOKEN was not accepted"))
    keeps = _Platform()
    with pytest.raises(SettingsError, match="DISCORD_TOKEN was not accepted"):
        await serve_all([keeps, fails])
    assert keeps.ended == "cancelled"


def test_sigterm_stops_every_platform():
    first, second = _Platform(), _Platform()

    async def main() -> None:
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)
        await serve_all([first, second])

    asyncio.run(main())
    assert (first.ended, second.ended) == ("cancelled", "cancelled")
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_the_readme_piped_example_reaches_a_result(content, env, tmp_path):
    readme = (REPO / "README.md").read_text()
    (example,) = re.findall(r"^printf '(.+)' \| coach-or-therapy chat$", readme, flags=re.MULTILINE)
    done = run(["chat"], env, tmp_path, example.replace("\\n", "\n"), INSTALLED)
    assert done.returncode == 0
    assert content.messages["result.heading"] in done.stdout
    assert done.stdout.rstrip().endswith("Goodbye. Nothing you typed here was saved.")


def _both_platforms_env(env: dict[str, str], discord: FakeDiscord) -> dict[str, str]:
    return env | {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "DISCORD_TOKEN": "fake.discord.token",
        "DISCORD_API_URL": discord.base,
    }


async def _slack_is_up(port: str, process: asyncio.subprocess.Process) -> None:
    """Wait until the Slack app answers /healthz, as a load balancer would."""
    async with aiohttp.ClientSession() as http:
        await wait_until_healthy(
            http, f"http://127.0.0.1:{port}", lambda: process.returncode is None, timeout=30
        )


@contextlib.asynccontextmanager
async def _serving_both_platforms(
    env: dict[str, str], cwd: Path, discord: FakeDiscord
) -> AsyncIterator[tuple[asyncio.subprocess.Process, dict[str, str]]]:
    """The plain command with Slack and Discord settings (Discord faked on loopback) running."""
    discord.start()
    settings = _both_platforms_env(env, discord)
    try:
        process = await asyncio.create_subprocess_exec(
            *INSTALLED,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=settings,
            cwd=cwd,
        )
        try:
            yield process, settings
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    finally:
        discord.stop()


@pytest.mark.slow
async def test_plain_command_with_both_platforms_serves_both_until_sigterm(env, tmp_path):
    discord = FakeDiscord()
    async with _serving_both_platforms(env, tmp_path, discord) as (process, settings):
        await discord.wait_for_gateway(op=2, timeout=30)
        await _slack_is_up(settings["PORT"], process)
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert await asyncio.to_thread(discord.gateway_closed.wait, 10)
    assert process.returncode == 0, stderr.decode()
    assert b"Question" not in stdout
    assert b"Traceback" not in stderr
    # start-up says what an operator needs: where each platform is, and nothing to shrug at
    log = stderr.decode()
    assert "WARNING" not in log, log
    assert "static token" not in log
    assert "will be unused" not in log
    assert "Slack app listening on http://127.0.0.1:" in log
    assert "has connected to Gateway" in log


async def test_a_refused_discord_token_stops_both_platforms_with_one_line(env, tmp_path):
    discord = FakeDiscord()
    discord.fail(
        "GET", r"^/users/@me$", 401, times=5, body={"message": "401: Unauthorized", "code": 0}
    )
    async with _serving_both_platforms(env, tmp_path, discord) as (process, _):
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert stderr.decode().splitlines()[-1] == (
        "coach-or-therapy: DISCORD_TOKEN was refused by Discord; reset the bot's token and copy "
        "it again"
    )
    assert "Traceback" not in stderr.decode()


def test_a_reader_that_goes_away_ends_the_chat_quietly(env, tmp_path):
    process = _piped_chat_at_its_first_question(env, tmp_path)
    assert process.stdout is not None and process.stdin is not None
    process.stdout.close()
    try:
        process.stdin.write(b"x\n" * 20000)
        process.stdin.close()
    except BrokenPipeError:
        pass
    assert process.wait(timeout=30) == 0
    assert process.stderr is not None and process.stderr.read() == b""


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("DEFAULT_LOCALE", "DEFAULT_LOCALE is 'pt' but "),
        ("DATA_DIR", "STATE_SECRET is not set and "),
    ],
)
def test_settings_that_parse_but_cannot_be_used_stop_with_one_line(env, tmp_path, setting, says):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    env[setting] = "pt" if setting == "DEFAULT_LOCALE" else str(blocker / "data")
    done = run(["chat"], env, tmp_path, typed("3"))
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"coach-or-therapy: {says}")


def test_a_misspelt_name_in_dotenv_is_pointed_out(content, env, tmp_path):
    del env["DEFAULT_REGION"]
    (tmp_path / ".env").write_text("DEFAULT_REGON=GB\n")
    done = run(["chat"], env, tmp_path, typed(str(safety_number(content, "help"))))
    assert done.returncode == 0
    assert done.stderr.splitlines() == [
        "coach-or-therapy: warning: .env sets DEFAULT_REGON, which is not a setting "
        "(see .env.example for the names)"
    ]
    assert "findahelpline.com" in done.stdout


def test_a_terminal_line_can_be_edited_with_arrow_keys(env, tmp_path):
    with _chat_in_a_terminal(env, tmp_path) as (main, process):
        _read_until(main, b"> ")
        # "5", left arrow, "3", Delete: the line reads "3" only when arrows edit the line
        os.write(main, b"5\x1b[D3\x1b[3~\n")
        seen = _read_until(main, b"> ")
        os.write(main, b"q\n")
        seen += _read_until(main, b"Goodbye")
        assert process.wait(timeout=30) == 0
    assert b"Question 2 of 9" in seen
    assert b"Type a number" not in seen


def _everything_shown(main: int) -> bytes:
    """All a terminal shows until the program on it ends."""
    seen = b""
    while select.select([main], [], [], 30)[0]:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the program ended and the terminal closed
            break
        if not chunk:
            break
        seen += chunk
    return seen


@pytest.fixture
def pager(tmp_path: Path) -> tuple[str, Path]:
    """A PAGER that keeps what it is given (and its LESS setting) instead of showing it."""
    script = tmp_path / "keeping-pager"
    script.write_text('#!/bin/sh\nprintf "%s" "$LESS" > "$1.less"\ncat > "$1"\n')
    script.chmod(0o755)
    kept = tmp_path / "paged.txt"
    return f"{script} {kept}", kept


def _card_at_a_terminal(env: dict[str, str], cwd: Path, lines: int) -> bytes:
    with _chat_in_a_terminal({**env, "LINES": str(lines)}, cwd, ("card",)) as (main, process):
        shown = _everything_shown(main)
        assert process.wait(timeout=30) == 0
    return shown


@pytest.mark.parametrize(("less", "kept_less"), [(None, "FRX"), ("-S", "-S")])
def test_the_card_at_a_short_terminal_goes_through_the_pager(
    content, env, tmp_path, pager, less, kept_less
):
    command, kept = pager
    env |= {"PAGER": command, **({"LESS": less} if less else {})}
    shown = _card_at_a_terminal(env, tmp_path, lines=24)
    paged = kept.read_text()
    assert paged.startswith(f"\x1b[1m{content.card.title}\x1b[0m\n")
    for row in content.card.rows:
        assert row.topic in paged
    assert content.card.title.encode() not in shown
    # as git does: LESS=FRX unless the person set LESS themselves
    assert Path(f"{kept}.less").read_text() == kept_less


@pytest.mark.parametrize(
    ("setting", "lines"),
    [("keeping", 500), ("cat", 24), ("", 24), ("no-such-pager-anywhere --flag", 24)],
    ids=["fits", "cat", "empty", "missing"],
)
def test_the_card_is_shown_as_it_is_when_it_fits_or_no_pager_is_wanted(
    content, env, tmp_path, pager, setting, lines
):
    command, kept = pager
    env["PAGER"] = command if setting == "keeping" else setting
    shown = _card_at_a_terminal(env, tmp_path, lines=lines)
    assert not kept.exists()
    assert content.card.title.encode() in shown
    assert content.card.rows[-1].topic.encode() in shown
    assert b"not found" not in shown
    assert b"Traceback" not in shown


def test_piped_card_output_never_goes_through_the_pager(content, env, tmp_path, pager):
    command, kept = pager
    env |= {"PAGER": command, "LINES": "10"}
    out = _card("text", env, tmp_path)
    assert not kept.exists()
    assert content.card.title in out


def test_the_card_in_a_terminal_chat_is_paged_then_r_starts_over(content, env, tmp_path, pager):
    command, kept = pager
    env |= {"PAGER": command, "LINES": "30"}
    with _chat_in_a_terminal(env, tmp_path) as (main, process):
        _read_until(main, b"> ")
        for line in typed_path(content, "both"):
            os.write(main, line.encode() + b"\n")
            _read_until(main, b"> ")
        os.write(main, b"c\n")
        _read_until(main, b"> ")
        assert content.card.title in kept.read_text()
        assert "[n] Back to where I was  [r] Start over" in kept.read_text()
        os.write(main, b"r\n")
        again = _read_until(main, b"> ")
        os.write(main, b"q\n")
        _read_until(main, b"Goodbye")
        assert process.wait(timeout=30) == 0
    assert b"Question 1 of 9" in again


class _HangingUp:
    """A server on loopback that accepts each connection and closes it without a word."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.close()

    def close(self) -> None:
        self.sock.close()


@contextlib.contextmanager
def _unreachable_discord(how: str) -> Iterator[str]:
    """A DISCORD_API_URL at which Discord cannot be used, in one of the ways it happens."""
    if how == "refused":
        yield f"http://127.0.0.1:{free_port()}/api/v10"
    elif how == "hangs up":
        server = _HangingUp()
        try:
            yield f"http://127.0.0.1:{server.port}/api/v10"
        finally:
            server.close()
    else:
        fake = FakeDiscord().start()
        status = {"HTTP 503": 503, "HTTP 404": 404}[how]
        fake.fail("GET", r"^/users/@me$", status, times=10)
        try:
            yield fake.base
        finally:
            fake.stop()


@pytest.mark.parametrize("how", ["refused", "hangs up", "HTTP 503", "HTTP 404"])
@pytest.mark.parametrize(
    "args", [["discord"], ["discord", "sync"], []], ids=["discord", "sync", "plain"]
)
def test_an_unreachable_discord_is_one_line_naming_it_and_what_to_check(env, tmp_path, how, args):
    with _unreachable_discord(how) as api_url:
        env |= {"DISCORD_TOKEN": "fake.discord.token", "DISCORD_API_URL": api_url}
        done = run(args, env, tmp_path, command=INSTALLED)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not [
        line for line in done.stderr.splitlines() if " ERROR " in line or " CRITICAL " in line
    ]
    last = done.stderr.splitlines()[-1]
    if how.startswith("HTTP"):
        assert last.startswith(f"coach-or-therapy: Discord answered {how} at {api_url}; "), last
    else:
        assert last.startswith(f"coach-or-therapy: could not reach Discord at {api_url} ("), last
    assert "DISCORD_API_URL" in last
    assert "0.0.0.0:3000" not in done.stderr


def _content_copy(to: Path, locale: str = "en") -> Path:
    """A copy of the packaged content, as one locale folder named `locale` under `to`."""
    import shutil

    shutil.copytree(REPO / "content" / "en", to / locale)
    return to


@pytest.mark.parametrize("form", ["root", "locale folder"])
def test_content_dir_may_name_the_content_root_or_one_locale_folder(content, env, tmp_path, form):
    root = _content_copy(tmp_path / "ours")
    env["CONTENT_DIR"] = str(root if form == "root" else root / "en")
    done = run(["chat"], env, tmp_path, typed(*typed_path(content, "therapy")))
    assert done.returncode == 0, done.stderr
    assert content.outcomes["therapy"].title in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    "inside", ["nothing", "a stray file", "an empty locale folder", "a folder of notes"]
)
def test_content_dir_without_content_is_one_line_naming_it_and_what_it_must_hold(
    env, tmp_path, inside
):
    folder = tmp_path / "not-content"
    folder.mkdir()
    if inside == "a stray file":
        (folder / "README.txt").write_text("hello\n")
    elif inside == "an empty locale folder":
        (folder / "en").mkdir()
    elif inside == "a folder of notes":
        (folder / "notes").mkdir()
        (folder / "notes" / "todo.yaml").write_text("a: 1\n")
    env["CONTENT_DIR"] = str(folder)
    done = run(["chat"], env, tmp_path, typed("q"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"coach-or-therapy: CONTENT_DIR is {str(folder)!r}, which holds no content; it must be "
        "a folder of locale folders (like en/) with card.yaml, conversation.yaml, "
        "messages.yaml, helplines.yaml in each, or one such locale folder (check it with: "
        "coach-or-therapy validate)"
    ]
    assert "DEFAULT_LOCALE" not in done.stderr


def test_content_dir_with_one_other_locale_says_which_default_locale_to_set(env, tmp_path):
    root = _content_copy(tmp_path / "ours", locale="fr")
    env["CONTENT_DIR"] = str(root / "fr")
    done = run(["chat"], env, tmp_path, typed("q"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"coach-or-therapy: DEFAULT_LOCALE is 'en' but CONTENT_DIR ({root / 'fr'}) has no such "
        "locale; use one of fr"
    ]
