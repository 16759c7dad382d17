"""`coach-or-therapy manifest teams` writes an app package Teams accepts: manifest.json of a
current schema with the bot in every scope and its commands, and the two icons."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib

from tests.teams.fake_microsoft import APP_ID

GUID = re.compile(r"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}")


def _run(tmp_path, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "manifest", "teams", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
    )


def _png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, colour type and the pixel rows of an 8-bit RGBA PNG without filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = {}, 8
    idat = b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0] == zlib.crc32(
            kind + body
        )
        chunks[kind] = body
        if kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8
    raw = zlib.decompress(idat)
    stride = 1 + width * 4
    rows = [raw[i * stride + 1 : (i + 1) * stride] for i in range(height)]
    return width, height, colour, rows


def test_the_package_holds_a_current_manifest_and_two_icons(tmp_path):
    done = _run(
        tmp_path,
        "--app-id",
        APP_ID.upper(),
        "--out",
        "app.zip",
        "--url",
        "https://bot.example.org/api/messages",
        "--website",
        "https://people.example.org/coach",
    )
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "app.zip") as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = _png(package.read("color.png"))
        outline = _png(package.read("outline.png"))
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["$schema"].endswith("/v1.17/MicrosoftTeams.schema.json")
    assert GUID.fullmatch(manifest["id"]) and manifest["id"] == APP_ID
    assert manifest["developer"] == {
        "name": "Coaching or therapy?",
        "websiteUrl": "https://people.example.org/coach",
        "privacyUrl": "https://people.example.org/coach/privacy",
        "termsOfUseUrl": "https://people.example.org/coach/terms",
    }
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    personal, channels = bot["commandLists"]
    assert personal["scopes"] == ["personal"]
    assert [c["title"] for c in personal["commands"]] == ["start", "card", "help"]
    assert channels["scopes"] == ["team", "groupChat"]
    assert [c["title"] for c in channels["commands"]] == ["card", "help"]
    assert all(len(c["description"]) <= 128 for c in personal["commands"])
    assert manifest["validDomains"] == ["bot.example.org"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    # a 192x192 colour icon, opaque; a 32x32 outline, white on transparent
    width, height, colour_type, rows = color
    assert (width, height, colour_type) == (192, 192, 6)
    assert all(row[i + 3] == 255 for row in rows for i in range(0, len(row), 4))
    width, height, colour_type, rows = outline
    assert (width, height, colour_type) == (32, 32, 6)
    pixels = [tuple(row[i : i + 4]) for row in rows for i in range(0, len(row), 4)]
    assert all(p == (255, 255, 255, 255) or p[3] == 0 for p in pixels)
    assert (0, 0, 0, 0) in pixels and (255, 255, 255, 255) in pixels


def test_the_app_id_may_come_from_teams_app_id_and_defaults_are_noted(tmp_path):
    done = _run(tmp_path, TEAMS_APP_ID=APP_ID)
    assert done.returncode == 0, done.stderr
    assert "--website" in done.stderr
    with zipfile.ZipFile(tmp_path / "coach-or-therapy-teams.zip") as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["id"] == APP_ID
    assert manifest["validDomains"] == []


def test_a_wrong_app_id_is_one_line(tmp_path):
    for args in ((), ("--app-id", "not-a-guid")):
        done = _run(tmp_path, *args)
        assert done.returncode == 2
        (line,) = done.stderr.strip().splitlines()
        assert "--app-id" in line and "GUID" in line
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "coach-or-therapy-teams.zip").exists()
