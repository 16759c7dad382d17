"""The PostgreSQL the storage tests use really runs and really answers."""

from sqlalchemy import text

from adapters.storage.database import make_engine


def test_postgres_server_answers_queries(postgres_server):
    engine = make_engine(postgres_server.url("postgres"))
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    assert version.split(".")[0].isdigit()
