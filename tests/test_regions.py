"""Regions: UK means GB everywhere a region is set, and no setting can silently leave the help
message without its emergency number and crisis lines."""

from __future__ import annotations

import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.runtime import build_runtime, supported_regions
from adapters.settings import load_settings
from adapters.storage.validation import Invalid, validate_prefs
from bot.content import load_content
from bot.effects import ShowCrisisHelp
from bot.errors import ContentError, SettingsError
from bot.events import GetHelp
from bot.state import Who
from bot.turn import take_turn
from tests.conftest import CONTENT_ROOT
from tests.test_chat import safety_number

REPO = Path(__file__).resolve().parent.parent
TWO_LETTERS = st.text(string.ascii_letters, min_size=2, max_size=2)


def help_shown(runtime, region: str | None = None) -> ShowCrisisHelp:
    """The help message a person in a workspace with this region would see."""
    turn = take_turn(
        runtime.book.guide(region=region),
        runtime.keyring,
        Who("slack", "T", "U"),
        GetHelp(),
        None,
        0,
    )
    (shown,) = [e for e in turn.effects if isinstance(e, ShowCrisisHelp)]
    return shown


def _settings(tmp_path: Path, **values: str):
    return load_settings({"STATE_SECRET": "s" * 32, "DATA_DIR": str(tmp_path), **values}, None)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=TWO_LETTERS)
def test_every_default_region_either_shows_crisis_lines_or_stops_start_up(tmp_path, code):
    try:
        runtime = build_runtime(_settings(tmp_path, DEFAULT_REGION=code))
    except SettingsError as exc:
        message = str(exc)
        assert message.startswith(f"DEFAULT_REGION is '{code.upper()}', which has no helplines")
        assert "GB (or UK)" in message and "US" in message and "\n" not in message
        return
    shown = help_shown(runtime)
    assert shown.emergency and shown.emergency.startswith("If you are in danger right now, call")
    assert shown.lines


@pytest.mark.parametrize("typed", ["UK", "uk", "GB", "gb"])
def test_uk_is_the_united_kingdom(tmp_path, typed):
    runtime = build_runtime(_settings(tmp_path, DEFAULT_REGION=typed))
    assert runtime.settings.default_region == "GB"
    shown = help_shown(runtime)
    assert "call 999" in (shown.emergency or "")
    assert any("Samaritans" in line for line in shown.lines)


def test_the_terminal_with_default_region_uk_shows_the_uk_numbers(content, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env |= {"DATA_DIR": str(tmp_path / "data"), "DEFAULT_REGION": "UK"}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat"],
        input=f"{safety_number(content, 'help')}\nq\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "call 999" in done.stdout
    assert "Samaritans: call 116 123" in done.stdout


def test_an_unknown_default_region_stops_the_command_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env |= {"DATA_DIR": str(tmp_path / "data"), "DEFAULT_REGION": "ZZ"}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat"],
        input="q\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "coach-or-therapy: DEFAULT_REGION is 'ZZ', which has no helplines; use one of AT, AU, "
        "BE, CA, CH, DE, ES, FR, GB (or UK), IE, IN, MX, NZ, US, or add ZZ with HELPLINES_FILE"
    ]


HELPLINE = """
    name: {name}
    emergency: "112"
    lines:
      - name: {line}
        contact: call 0800 000
"""


def _helplines_file(tmp_path: Path, regions: dict[str, str]) -> Path:
    body = "".join(
        f"  {code}:" + HELPLINE.format(name=name, line=f"{name} line")
        for code, name in regions.items()
    )
    path = tmp_path / "helplines.yaml"
    path.write_text(
        f'last_checked: "2026-11-27"\nelsewhere: https://findahelpline.com\nregions:\n{body}'
    )
    return path


def test_a_helplines_file_may_write_uk_for_the_united_kingdom(tmp_path):
    path = _helplines_file(tmp_path, {"UK": "Our UK office"})
    runtime = build_runtime(_settings(tmp_path, DEFAULT_REGION="GB", HELPLINES_FILE=str(path)))
    assert "Our UK office line: call 0800 000" in help_shown(runtime).lines[0]


def test_a_helplines_file_may_add_a_region_and_default_region_may_then_name_it(tmp_path):
    path = _helplines_file(tmp_path, {"'NO'": "Norway"})
    runtime = build_runtime(_settings(tmp_path, DEFAULT_REGION="NO", HELPLINES_FILE=str(path)))
    assert "Norway line" in help_shown(runtime).lines[0]
    assert "NO" in supported_regions(runtime.book)


@pytest.mark.parametrize(
    ("regions", "says"),
    [
        ({"XX": "Nowhere"}, "region 'XX' is not a country code; use the ISO 3166 code"),
        ({"EU": "Europe"}, "region 'EU' is not a country code"),
        ({"UK": "One", "GB": "Two"}, "is GB, which is listed already; keep one of them"),
    ],
)
def test_a_region_in_a_helplines_file_that_is_no_country_is_refused_with_its_place(
    tmp_path, regions, says
):
    path = _helplines_file(tmp_path, regions)
    with pytest.raises(ContentError) as raised:
        build_runtime(_settings(tmp_path, HELPLINES_FILE=str(path)))
    assert says in str(raised.value)
    assert str(raised.value).startswith(f"{path}:")


@given(typed=st.sampled_from(["uk", "UK", " uk ", "Uk", "gb"]))
def test_the_settings_forms_read_uk_as_gb(typed):
    checked = validate_prefs({"region": typed}, regions={"GB", "US"}, locales={"en"})
    assert not isinstance(checked, Invalid)
    assert checked.values["region"] == "GB"


@given(typed=TWO_LETTERS.filter(lambda code: code.upper() not in ("GB", "US", "UK")))
def test_the_settings_forms_refuse_a_region_without_helplines_listing_the_ones_there_are(typed):
    checked = validate_prefs({"region": typed}, regions={"GB", "US"}, locales={"en"})
    assert isinstance(checked, Invalid)
    said = checked.said_in(load_content(CONTENT_ROOT, "en").messages)
    assert said["region"].endswith("Choose one of: GB (or UK), US.")


def test_a_stored_region_without_helplines_falls_back_to_the_default_region(tmp_path):
    runtime = build_runtime(_settings(tmp_path, DEFAULT_REGION="GB"))
    shown = help_shown(runtime, region="ZZ")
    assert "call 999" in (shown.emergency or "")
    assert help_shown(runtime, region="uk") == help_shown(runtime, region="GB")
