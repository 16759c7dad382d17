"""The tables: nothing about a person, only workspaces, installations and monthly totals."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

workspace_settings = Table(
    "workspace_settings",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("region", String(8)),
    Column("eap_contact", Text),
    Column("coaching_contact", Text),
    Column("locale", String(16)),
    # Comma-separated ids; a handful per workspace at most.
    Column("card_channels", Text, nullable=False, server_default=""),
    Column("card_roles", Text, nullable=False, server_default=""),
    PrimaryKeyConstraint("platform", "workspace", name="workspace_settings_pkey"),
)

# One row: a number every save or removal of workspace settings adds one to, in the same
# transaction, so each replica learns of a change by reading one integer.
settings_version = Table(
    "settings_version",
    metadata,
    Column("id", Integer, nullable=False),
    Column("version", BigInteger, nullable=False),
    PrimaryKeyConstraint("id", name="settings_version_pkey"),
)

# One row: the key the totals an admin sees are rounded with (see stats.py); made once per
# database, so every replica rounds alike and no one outside the database can undo it.
stats_key = Table(
    "stats_key",
    metadata,
    Column("id", Integer, nullable=False),
    Column("secret", String(64), nullable=False),
    PrimaryKeyConstraint("id", name="stats_key_pkey"),
)

monthly_counts = Table(
    "monthly_counts",
    metadata,
    Column("platform", String(16), nullable=False),
    Column("workspace", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("counter", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("platform", "workspace", "month", "counter", name="monthly_counts_pkey"),
)

SLACK_BOTS = SQLAlchemyInstallationStore.default_bots_table_name
SLACK_INSTALLATIONS = SQLAlchemyInstallationStore.default_installations_table_name
SLACK_OAUTH_STATES = SQLAlchemyOAuthStateStore.default_table_name

# slack_sdk's own tables, on the same metadata so migrations and checks see them too.
slack_bots = SQLAlchemyInstallationStore.build_bots_table(metadata, SLACK_BOTS)
slack_installations = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SLACK_INSTALLATIONS
)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SLACK_OAUTH_STATES
)
