"""Opening storage at start-up: check the schema, and keep running through a database outage."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from adapters.settings import Settings
from adapters.storage.database import check_schema, make_engine
from adapters.storage.store import DatabaseStorage


def open_storage(settings: Settings) -> DatabaseStorage:
    """Storage for DATABASE_URL, schema checked (SQLite is brought up to date by itself).

    Raises SchemaBehindError (a SettingsError, printed as one line) when a shared database needs
    `coach-or-therapy db upgrade`. A database that cannot be reached is logged once and the bot
    runs on default settings until it returns.
    """
    engine = make_engine(settings.database_url_or_default)
    storage = DatabaseStorage(engine)
    try:
        check_schema(engine)
    except SQLAlchemyError as exc:
        storage.health.went_wrong(exc, "starting")
    return storage


def database_exists(settings: Settings) -> bool:
    """Whether there is a database to read from: one named, or the default one made already."""
    return settings.database_url is not None or (settings.data_dir / "coach-or-therapy.db").exists()
