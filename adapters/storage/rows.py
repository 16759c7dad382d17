"""The SQL behind storage, one blocking function per operation, on one engine.

These run in worker threads (never on a click's path once settings are warm). Every write that
changes workspace settings adds one to `settings_version` in the same transaction, which is how
other replicas learn of it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping

from adapters.storage.interface import MonthCounts, WorkspacePrefs
from adapters.storage.schema import (
    monthly_counts,
    settings_version,
    slack_bots,
    slack_installations,
    stats_key,
    workspace_settings,
)
from bot.tally import COUNTERS

Key = tuple[str, str]
"""(platform, workspace)"""
CountKey = tuple[str, str, str, str]
"""(platform, workspace, month, counter)"""

_CHUNK = 500


def month_of(moment: float) -> str:
    """The UTC month of a moment, as YYYY-MM."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m")


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part for part in (text or "").split(",") if part)


def _upsert(engine: Engine):  # type: ignore[no-untyped-def]
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _prefs(row: RowMapping) -> WorkspacePrefs:
    return WorkspacePrefs(
        region=row["region"],
        eap_contact=row["eap_contact"],
        coaching_contact=row["coaching_contact"],
        locale=row["locale"],
        card_channels=_split(row["card_channels"]),
        card_roles=_split(row["card_roles"]),
    )


def read_settings(engine: Engine, keys: Sequence[Key]) -> dict[Key, WorkspacePrefs]:
    """The stored settings of these workspaces (those with none stored are left out)."""
    found: dict[Key, WorkspacePrefs] = {}
    with engine.connect() as connection:
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            query = select(workspace_settings).where(
                tuple_(workspace_settings.c.platform, workspace_settings.c.workspace).in_(chunk)
            )
            for row in connection.execute(query).mappings():
                found[(row["platform"], row["workspace"])] = _prefs(row)
    return found


def read_all_settings(engine: Engine, at_most: int) -> dict[Key, WorkspacePrefs]:
    """Every workspace's stored settings, up to `at_most` + 1 of them (so "more" can be told)."""
    query = select(workspace_settings).limit(at_most + 1)
    with engine.connect() as connection:
        return {
            (row["platform"], row["workspace"]): _prefs(row)
            for row in connection.execute(query).mappings()
        }


def read_version(engine: Engine) -> int:
    """The settings version: it grows by one with every change to any workspace's settings."""
    with engine.connect() as connection:
        version = connection.execute(select(settings_version.c.version)).scalar()
    return int(version or 0)


def _bump_version(connection: Connection) -> None:
    changed = connection.execute(
        update(settings_version).values(version=settings_version.c.version + 1)
    )
    if changed.rowcount == 0:
        connection.execute(insert(settings_version).values(id=1, version=1))


def write_settings(engine: Engine, platform: str, workspace: str, prefs: WorkspacePrefs) -> None:
    """Store one workspace's settings, replacing any stored before."""
    values = {
        "region": prefs.region,
        "eap_contact": prefs.eap_contact,
        "coaching_contact": prefs.coaching_contact,
        "locale": prefs.locale,
        "card_channels": ",".join(prefs.card_channels),
        "card_roles": ",".join(prefs.card_roles),
    }
    statement = _upsert(engine)(workspace_settings).values(
        platform=platform, workspace=workspace, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "workspace"], set_=values
    )
    with engine.begin() as connection:
        connection.execute(statement)
        _bump_version(connection)


def delete_workspace(engine: Engine, platform: str, workspace: str) -> None:
    """Delete a workspace's settings (and, on Slack, its installation)."""
    with engine.begin() as connection:
        connection.execute(
            delete(workspace_settings).where(
                workspace_settings.c.platform == platform,
                workspace_settings.c.workspace == workspace,
            )
        )
        if platform == "slack":
            for table in (slack_installations, slack_bots):
                connection.execute(delete(table).where(table.c.team_id == workspace))
        _bump_version(connection)


def add_counts(engine: Engine, amounts: Counter[CountKey]) -> None:
    """Add these amounts in one transaction; an upsert, so replicas add up, never overwrite."""
    rows = [
        {"platform": p, "workspace": w, "month": m, "counter": c, "count": n}
        for (p, w, m, c), n in sorted(amounts.items())
    ]
    statement = _upsert(engine)(monthly_counts)
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "workspace", "month", "counter"],
        set_={"count": monthly_counts.c["count"] + statement.excluded["count"]},
    )
    with engine.begin() as connection:
        connection.execute(statement, rows)


def read_months(engine: Engine, platform: str, workspace: str, months: int) -> list[MonthCounts]:
    """The last `months` months with any counts, newest first."""
    query = (
        select(monthly_counts.c.month, monthly_counts.c.counter, monthly_counts.c["count"])
        .where(
            monthly_counts.c.platform == platform,
            monthly_counts.c.workspace == workspace,
            monthly_counts.c.counter.in_(COUNTERS),
        )
        .order_by(monthly_counts.c.month.desc())
    )
    by_month: dict[str, dict[str, int]] = {}
    with engine.connect() as connection:
        for month, counter, count in connection.execute(query):
            if month not in by_month and len(by_month) == months:
                break
            by_month.setdefault(month, {})[counter] = count
    return [MonthCounts(month, counts) for month, counts in by_month.items()]


def read_stats_key(engine: Engine) -> bytes:
    """The database's own key for rounding the totals an admin sees."""
    with engine.connect() as connection:
        secret = connection.execute(select(stats_key.c.secret)).scalar_one()
    return bytes.fromhex(secret)
