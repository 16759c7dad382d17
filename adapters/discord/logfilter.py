"""Keep conversation payloads out of every log line, discord.py's own debug logs included.

discord.py logs whole gateway events and REST bodies at DEBUG. Those carry button custom_ids (whose
tokens hold a person's answers) and the text of their result, so the bodies are withheld and any
custom_id that still reaches a message is masked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from adapters.discord.buttons import PREFIX

WITHHELD = "<payload withheld>"
_CUSTOM_ID = re.compile(rf"{PREFIX}:[^\s\"',}}\])>]*")
_LOGGERS = ("asyncio", "adapters.discord")


def _withhold(value: object) -> object:
    if isinstance(value, Mapping | list | tuple | bytes | bytearray):
        return WITHHELD
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        return WITHHELD
    return value


# discord.py's start-up notice about how it logs in: true of every start, and no operator's concern
_UNACTIONABLE = frozenset({"logging in using static token"})


class PayloadFilter(logging.Filter):
    """Replaces payload arguments with a placeholder and masks conversation button ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; drops only notices no operator can act on."""
        if record.msg in _UNACTIONABLE and not record.args:
            return False
        args = record.args
        if isinstance(args, Mapping):
            record.args = {key: _withhold(value) for key, value in args.items()}
        elif args:
            record.args = tuple(_withhold(value) for value in args)
        message = record.getMessage()
        if f"{PREFIX}:" in message:
            record.msg = _mask(message)
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text and f"{PREFIX}:" in record.exc_text:
            record.exc_text = _mask(record.exc_text)
        return True


def _mask(text: str) -> str:
    return _CUSTOM_ID.sub(f"{PREFIX}:<withheld>", text)


_FORMATTER = logging.Formatter()


_FILTER = PayloadFilter()


def install() -> None:
    """Attach the filter to every discord.py logger (and asyncio's); safe to call again."""
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name == "discord" or name.startswith("discord.")
    ]
    for name in (*names, *_LOGGERS):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
