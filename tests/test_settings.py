"""Settings: each parser, the cross-setting checks, .env handling and .env.example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.discord.settings import DiscordSettings
from adapters.registry import PLATFORMS, setting_names
from adapters.settings import Settings, load_settings, unknown_dotenv_names
from adapters.slack.settings import SlackSettings
from bot.errors import SettingsError

SETTING_NAMES = setting_names()

REPO = Path(__file__).resolve().parent.parent
SECRET = "s" * 16


def load(**env: str) -> Settings:
    return load_settings(env, dotenv_path=None)


def refused(**env: str) -> str:
    """Why these settings are refused, by the core or by the platform they are for."""
    with pytest.raises(SettingsError) as caught:
        settings = load(**env)
        for platform in PLATFORMS:
            settings.section(platform.settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_nothing_set_gives_the_terminal_defaults():
    settings = load()
    assert settings == Settings()
    assert not settings.section(SlackSettings).configured
    assert not settings.section(DiscordSettings).configured
    assert not any(settings.asks_for(p.settings) for p in PLATFORMS)
    assert settings.port == 3000
    assert settings.host == "0.0.0.0"
    assert settings.state_ttl_seconds == 24 * 3600
    assert (settings.content_root / "en" / "card.yaml").is_file()


def test_empty_values_count_as_unset():
    assert load(PORT="", LOG_LEVEL="  ", SLACK_BOT_TOKEN="") == Settings()


def test_values_are_parsed_into_their_types(tmp_path):
    helplines = tmp_path / "lines.yaml"
    helplines.write_text("last_checked: x\n")
    settings = load(
        PORT="8080",
        STATE_TTL_HOURS="1.5",
        DISCORD_GUILD_ID="123456789012345678",
        DISCORD_SHARD_COUNT="4",
        DISCORD_SHARD_IDS="0, 3",
        SLACK_CARD_CHANNELS="C0123, C0456,",
        DISCORD_CARD_ROLES="111111111111111111, People Team",
        DISCORD_CARD_CHANNELS="#hr-announcements,222222222222222222",
        DEFAULT_REGION="gb",
        LOG_LEVEL="debug",
        CONTENT_DIR=str(tmp_path),
        HELPLINES_FILE=str(helplines),
        DATA_DIR="~/cot",
        DATABASE_URL="postgresql+psycopg://u@h/db",
        EAP_CONTACT="https://eap.example.com",
    )
    assert settings.port == 8080
    assert settings.state_ttl_seconds == 5400
    discord = settings.section(DiscordSettings)
    assert discord.guild_id == 123456789012345678
    assert discord.shard_count == 4
    assert discord.shard_ids == (0, 3)
    assert settings.section(SlackSettings).card_channels == ("C0123", "C0456")
    assert discord.card_roles == ("111111111111111111", "People Team")
    assert discord.card_channels == ("#hr-announcements", "222222222222222222")
    assert settings.default_region == "GB"
    assert settings.log_level == "DEBUG"
    assert settings.content_root == tmp_path
    assert settings.helplines_file == helplines
    assert settings.data_dir == Path.home() / "cot"
    assert settings.database_url_or_default == "postgresql+psycopg://u@h/db"


def test_the_default_database_is_a_sqlite_file_in_the_data_folder(tmp_path):
    settings = load(DATA_DIR=str(tmp_path))
    assert settings.database_url_or_default == f"sqlite:///{tmp_path / 'coach-or-therapy.db'}"


@pytest.mark.parametrize("folder", ["a?b", "a#b", "100%", "two\nlines", "with space", "Größe"])
def test_a_data_folder_with_any_name_is_that_folder_in_the_database_url(tmp_path, folder):
    data_dir = tmp_path / folder
    settings = load(DATA_DIR=str(data_dir))
    database = make_url(settings.database_url_or_default).database
    assert database == str((data_dir / "coach-or-therapy.db").resolve())


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PORT", "abc", "PORT must be a port number from 0 to 65535"),
        ("PORT", "70000", "PORT must be a port number"),
        ("PORT", "-1", "PORT must be a port number"),
        ("PORT", "²", "PORT must be a port number"),
        ("STATE_TTL_HOURS", "0", "STATE_TTL_HOURS must be a number of hours above 0"),
        ("STATE_TTL_HOURS", "721", "at most 720"),
        ("STATE_TTL_HOURS", "soon", "STATE_TTL_HOURS must be a number of hours"),
        ("STATE_TTL_HOURS", "nan", "STATE_TTL_HOURS must be a number of hours"),
        ("DISCORD_SHARD_COUNT", "0", "DISCORD_SHARD_COUNT must be a whole number above 0"),
        ("DISCORD_SHARD_COUNT", "٣", "DISCORD_SHARD_COUNT must be a whole number above 0"),
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID must be a server id (digits)"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be an http(s) URL"),
        ("DISCORD_API_URL", "ftp://x", "DISCORD_API_URL must be an http(s) URL"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must start with sqlite:/// or postgresql://"),
        ("DEFAULT_LOCALE", "english", "DEFAULT_LOCALE must be a locale folder name like en"),
        ("DEFAULT_REGION", "UK1", "DEFAULT_REGION must be a two-letter country code"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("CONTENT_DIR", "/no/such/folder", "CONTENT_DIR must name an existing folder"),
        ("HELPLINES_FILE", "/no/such/file.yaml", "HELPLINES_FILE must name an existing file"),
        ("STATE_SECRET", "short", "STATE_SECRET must be at least 16 characters"),
        ("STATE_SECRET_OLD", f"{SECRET},tiny", "STATE_SECRET_OLD must be at least 16"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must start with xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-1", "SLACK_APP_TOKEN must start with xapp-"),
        ("SLACK_CARD_CHANNELS", "#general", "SLACK_CARD_CHANNELS must be comma-separated channel"),
        ("DISCORD_CARD_ROLES", "12345", "'12345' looks like an id, but Discord's ids have 17"),
        ("DISCORD_CARD_CHANNELS", "#", "must be comma-separated channel ids or names, like 1234"),
        ("DISCORD_CARD_ROLES", "x" * 101, "must be comma-separated role ids or names, like 1234"),
        ("DISCORD_SHARD_IDS", "0,one", "DISCORD_SHARD_IDS must be comma-separated whole numbers"),
        ("DISCORD_TOKEN", "Bot abc.def.ghi", "DISCORD_TOKEN must be the token alone"),
        ("DISCORD_TOKEN", "abc def", "DISCORD_TOKEN must not contain spaces"),
        ("EAP_CONTACT", "x" * 201, "EAP_CONTACT must be one line of at most 200 characters"),
    ],
)
def test_a_malformed_setting_is_named_with_its_fix(name, value, says):
    message = refused(**{name: value})
    assert message.startswith(name)
    assert says in message


def test_a_bad_value_is_quoted_so_the_operator_sees_what_was_read():
    assert "'abc'" in refused(PORT="abc")


def test_secrets_are_never_quoted_back():
    assert "short-secret" not in refused(STATE_SECRET="short-secret")


def test_port_zero_and_the_edges_are_accepted():
    assert load(PORT="0").port == 0
    assert load(PORT="65535").port == 65535


def test_slack_with_bot_token_and_signing_secret_is_configured():
    slack = load(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="abc").section(SlackSettings)
    assert slack.configured
    slack.require()


def test_slack_socket_mode_needs_no_signing_secret():
    settings = load(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert settings.section(SlackSettings).configured


def test_slack_oauth_with_client_credentials_is_configured():
    settings = load(SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="c", SLACK_SIGNING_SECRET="s")
    assert settings.section(SlackSettings).configured


@pytest.mark.parametrize(
    "env",
    [
        {"SLACK_BOT_TOKEN": "xoxb-1"},
        {"SLACK_BOT_TOKEN": "xoxp-not-a-bot-token"},
        {"DISCORD_SHARD_IDS": "0"},
        {"DISCORD_TOKEN": "Bot abc"},
        {"SLACK_CLIENT_ID": "1.2"},
    ],
)
def test_a_half_set_or_wrong_platform_stops_only_what_runs_that_platform(env):
    # the core settings load, and the platform's are refused only when asked for
    settings = load(**env)
    assert settings.port == 3000
    assert any(settings.asks_for(p.settings) for p in PLATFORMS)
    with pytest.raises(SettingsError):
        for platform in PLATFORMS:
            settings.section(platform.settings)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing"),
        ({"SLACK_SIGNING_SECRET": "abc"}, "SLACK_BOT_TOKEN is missing"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN is missing"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET go"),
        ({"SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_ID and"),
        ({"DISCORD_SHARD_IDS": "0"}, "DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT"),
        (
            {"DISCORD_SHARD_IDS": "0,2", "DISCORD_SHARD_COUNT": "2"},
            "DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT (2)",
        ),
    ],
)
def test_settings_that_need_each_other(env, names):
    assert names in refused(**env)


def test_require_names_what_is_missing():
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"):
        load().section(SlackSettings).require()
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is missing"):
        load().section(DiscordSettings).require()
    load(DISCORD_TOKEN="abc.def.ghi").section(DiscordSettings).require()


def test_the_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=4000\nLOG_LEVEL=warning\n# a comment\nHOST=127.0.0.1\n")
    settings = load_settings({"PORT": "5000"}, dotenv)
    assert settings.port == 5000
    assert settings.log_level == "WARNING"
    assert settings.host == "127.0.0.1"


def test_a_malformed_value_in_dotenv_is_named(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=abc\n")
    with pytest.raises(SettingsError, match=r"^PORT must be a port number"):
        load_settings({}, dotenv)


def test_a_missing_dotenv_is_fine(tmp_path):
    assert load_settings({}, tmp_path / ".env") == Settings()


def test_an_unreadable_dotenv_is_one_line(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_bytes(b"PORT=\xff\xfe\n")
    with pytest.raises(SettingsError, match=r"\.env cannot be read \(it is not UTF-8 text\)"):
        load_settings({}, dotenv)


def test_settings_are_frozen():
    settings = load()
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]


def _example_names() -> list[str]:
    text = (REPO / ".env.example").read_text()
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def test_env_example_lists_every_setting_once():
    names = _example_names()
    assert sorted(names) == sorted(SETTING_NAMES)
    assert len(names) == len(set(names))


def test_env_example_has_a_comment_and_an_empty_value_for_each_setting():
    lines = (REPO / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            assert line.endswith("="), line
            assert lines[number - 1].startswith("# "), f"{line} has no comment above it"


def test_env_example_loads_as_the_defaults():
    assert load_settings({}, REPO / ".env.example") == Settings()


def test_the_readme_settings_table_names_every_setting():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    assert sorted(set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section)) & set(SETTING_NAMES)) == sorted(
        SETTING_NAMES
    )


def test_an_empty_environment_variable_does_not_hide_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("PORT=4000\n")
    assert load_settings({"PORT": ""}, dotenv).port == 4000


def test_names_in_dotenv_that_are_not_settings_are_found(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("SLACK_TOKEN=xoxb-1\nPORT=4000\nDEFAULT_REGON=GB\n")
    assert unknown_dotenv_names(SETTING_NAMES, dotenv) == ("SLACK_TOKEN", "DEFAULT_REGON")
    assert unknown_dotenv_names(SETTING_NAMES, tmp_path / "missing") == ()
    assert unknown_dotenv_names(SETTING_NAMES, REPO / ".env.example") == ()
