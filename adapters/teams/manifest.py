"""The Teams app package: manifest.json and its two icons, zipped for upload or sideloading.

The icons are drawn here (a PNG writer of a few lines) so the package needs no image files.
"""

from __future__ import annotations

import io
import json
import math
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlparse

from adapters.settings import Settings
from adapters.teams.limits import COMMANDS
from adapters.teams.settings import TeamsSettings, is_guid
from bot import __version__
from bot.content import load_content
from bot.model import Messages

MANIFEST_VERSION = "1.17"
SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
PLACEHOLDER_WEBSITE = "https://example.com/coach-or-therapy"
ACCENT = (0x2E, 0x7D, 0x6B)
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
PERSONAL_COMMANDS = COMMANDS
CHANNEL_COMMANDS = ("card", "help")

Pixel = tuple[int, int, int, int]


def png(size: int, pixel: Callable[[float, float], Pixel]) -> bytes:
    """A square RGBA PNG of `size` pixels; `pixel` colours each by its centre (0..1, 0..1)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel((x + 0.5) / size, (y + 0.5) / size)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _from_ring(x: float, y: float) -> float:
    """How far a point is from the icon's ring."""
    cx, cy = x - 0.5, y - 0.5
    return abs(math.hypot(cx, cy) - 0.3)


def color_icon() -> bytes:
    """The 192x192 colour icon: a white ring on the accent colour."""
    white: Pixel = (255, 255, 255, 255)
    ground: Pixel = (*ACCENT, 255)
    return png(192, lambda x, y: white if _from_ring(x, y) < 0.06 else ground)


def outline_icon() -> bytes:
    """The 32x32 outline icon: the same ring in white on transparent, as Teams asks."""
    return png(32, lambda x, y: (255, 255, 255, 255) if _from_ring(x, y) < 0.07 else (0, 0, 0, 0))


def manifest(app_id: str, words: Messages, website: str, bot_url: str | None) -> dict[str, Any]:
    """manifest.json for this app id, in the words of the content's default language."""

    def commands(names: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"title": name, "description": words[f"teams.command.{name}"]} for name in names]

    base = website.rstrip("/")
    domains = [urlparse(bot_url).hostname] if bot_url else []
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": __version__,
        "id": app_id,
        "developer": {
            "name": words["teams.app.name"],
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/terms",
        },
        "name": {"short": words["teams.app.name"], "full": words["teams.app.name"]},
        "description": {
            "short": words["teams.app.short_description"],
            "full": words["teams.app.full_description"],
        },
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team", "groupChat"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": commands(PERSONAL_COMMANDS)},
                    {"scopes": ["team", "groupChat"], "commands": commands(CHANNEL_COMMANDS)},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [d for d in domains if d],
    }


def package(app_id: str, words: Messages, website: str, bot_url: str | None) -> bytes:
    """The app package as zip bytes: manifest.json and the two icons at its top level."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(manifest(app_id, words, website, bot_url), ensure_ascii=False, indent=2)
        archive.writestr("manifest.json", text + "\n")
        archive.writestr(COLOR_ICON, color_icon())
        archive.writestr(OUTLINE_ICON, outline_icon())
    return buffer.getvalue()


def _https(url: str | None) -> bool:
    parsed = urlparse(url or "")
    return parsed.scheme == "https" and bool(parsed.hostname)


def write_package(
    settings: Settings,
    app_id: str | None,
    out: Path,
    stdout: TextIO,
    bot_url: str | None = None,
    website: str | None = None,
) -> int:
    """Write the app package to `out`; 0 when written, 2 when an option must change."""
    chosen = (app_id or settings.section(TeamsSettings).app_id or "").strip().lower()
    if not is_guid(chosen):
        print(
            "coach-or-therapy: --app-id must be the bot's Microsoft App ID, a GUID like "
            "00000000-0000-0000-0000-000000000000 (or set TEAMS_APP_ID)",
            file=sys.stderr,
        )
        return 2
    for option, url in (("--url", bot_url), ("--website", website)):
        if url is not None and not _https(url):
            print(f"coach-or-therapy: {option} must be an https:// address", file=sys.stderr)
            return 2
    if website is None:
        print(
            f"coach-or-therapy: note: the package links to {PLACEHOLDER_WEBSITE} as its website, "
            "privacy and terms pages; pass --website to link your own",
            file=sys.stderr,
        )
    words = load_content(settings.content_root, settings.default_locale).messages
    data = package(chosen, words, website or PLACEHOLDER_WEBSITE, bot_url)
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"coach-or-therapy: cannot write {out} ({exc.strerror})", file=sys.stderr)
        return 1
    print(
        f"Wrote the Teams app package to {out}; upload it in Teams (Apps, Manage your apps).",
        file=stdout,
    )
    return 0
