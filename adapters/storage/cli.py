"""`coach-or-therapy db upgrade|current`: apply the migrations, or say where the schema is."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from adapters.storage.database import (
    UPGRADE_HINT,
    engine_url,
    make_engine,
    schema_status,
    upgrade,
)
from bot.settings import Settings


def _where(settings: Settings) -> str:
    return engine_url(settings.database_url_or_default).render_as_string(hide_password=True)


def _reason(exc: SQLAlchemyError) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return detail[0] if detail else type(exc).__name__


def run_db(settings: Settings, action: str, out: TextIO) -> int:
    """Run `upgrade` or `current`; 0 when the schema is current, 1 when behind or unreachable."""
    engine = make_engine(settings.database_url_or_default)
    try:
        if action == "upgrade":
            done = upgrade(engine)
            if done is not None:
                print(
                    f"upgraded the database from {done.before or 'empty'} to {done.after}", file=out
                )
        status = schema_status(engine)
    except SQLAlchemyError as exc:
        print(
            f"coach-or-therapy: cannot use the database at {_where(settings)}: {_reason(exc)}",
            file=out,
        )
        return 1
    finally:
        engine.dispose()
    if status.up_to_date:
        print(
            f"database schema is up to date (revision {status.head}) at {_where(settings)}",
            file=out,
        )
        return 0
    current = status.current or "empty"
    print(
        f"the database schema is behind ({current}, newest {status.head}); {UPGRADE_HINT}",
        file=out,
    )
    return 1
