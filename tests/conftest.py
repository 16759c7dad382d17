"""Shared fixtures: the real content, a guide and a keyring."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content import load_content
from bot.engine import Guide
from bot.model import Content, Messages
from bot.state import Keyring, Who
from tests.storage.postgres import PostgresUnavailable, Server, start_server

CONTENT_ROOT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


@pytest.fixture(scope="session")
def guide(content: Content) -> Guide:
    return Guide(content, "GB", "https://eap.example.com", "coaching@example.com")


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    return Keyring(b"k" * 32, (b"o" * 32,))


@pytest.fixture
def who() -> Who:
    return Who("slack", "T1", "U1")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    """One PostgreSQL server shared by the session's tests (they fail, never skip, without it)."""
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.remove()


def words(locale: str = "en") -> Messages:
    """Every sentence of one locale's shipped content, for tests to expect what a person reads."""
    return _loaded(locale).messages


@functools.cache
def _loaded(locale: str) -> Content:
    return load_content(CONTENT_ROOT, locale)
