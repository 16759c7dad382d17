"""The bare Bolt app the Slack benchmarks compare against, run as a process of its own.

A plain `AsyncApp` on Bolt's own aiohttp server, as Bolt's documentation starts one. It sends
the messages of a recorded walk-through (recorded from coach-or-therapy itself, so the bytes are
the same), keeps each person's step in a dict and replies to clicks with Bolt's `respond()`. It
imports nothing of coach-or-therapy.

    SLACK_BOT_TOKEN=... SLACK_SIGNING_SECRET=... SLACK_API_URL=... PORT=... \\
        .venv/bin/python bench/slack_bare.py SCRIPT.json

SCRIPT.json is {"ack": <the command's ack>, "replies": [<each click's response_url body>]}.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build(script: dict[str, Any]) -> AsyncApp:
    """The bare app answering the recorded walk-through."""
    app = AsyncApp(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=AsyncWebClient(
            token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
        ),
    )
    replies = [{k: v for k, v in r.items() if k != "replace_original"} for r in script["replies"]]
    progress: dict[str, int] = {}

    @app.command("/coach-or-therapy")
    async def command(ack: Any, body: dict[str, Any]) -> None:
        progress[body["user_id"]] = 0
        await ack(script["ack"])

    @app.action(re.compile(r"^cot:"))
    async def click(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        user = body["user"]["id"]
        step = progress[user]
        progress[user] = step + 1
        await respond(replace_original=True, **replies[step])

    return app


def main() -> None:
    script = json.loads(Path(sys.argv[1]).read_text())
    build(script).start(port=int(os.environ["PORT"]), host="127.0.0.1")


if __name__ == "__main__":
    main()
