"""One privacy filter for every log line the process writes, whichever library writes it.

A person's answers travel in button ids and signed tokens, their result in message bodies and
button labels, and the platforms put secrets in URLs (Discord's interaction tokens, Slack's
response_urls, OAuth codes) and JWTs (Teams). Every log record is scrubbed as it is made, before
any handler sees it: payload arguments are withheld, other objects are named by their type only
(a button's repr carries its label), and the formatted text and any traceback have tokens,
secrets, button ids, labels and bodies masked. Slack's libraries write whole request bodies into
their DEBUG lines, so those lines are never made.
"""

from __future__ import annotations

import datetime
import enum
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

import yarl

from bot.state import TOKEN_SHAPE

WITHHELD = "<payload withheld>"
HIDDEN = "[hidden]"
BUTTON_PREFIX = "cot:"
"""How every conversation button id starts, on every platform."""
BUTTON_MASK = BUTTON_PREFIX + "<withheld>"
SLACK_LIBRARIES = ("slack_bolt", "slack_sdk", "slack")
_SLACK_DEBUG_WITHHELD = "<Slack library debug line withheld>"

_SCALARS = (
    str,
    int,
    float,
    bool,
    type(None),
    BaseException,
    PurePath,
    enum.Enum,
    datetime.date,
    datetime.time,
    datetime.timedelta,
)
_UNCHECKED = "<log line withheld: it could not be checked>"
_FIELDS = (
    "value|text|label|placeholder|blocks|payload|content|embeds|components|custom_id|"
    "title|description|fields|options|values|state"
)
_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Discord: /interactions/<id>/<token>/callback and /webhooks/<app>/<token>/...
    (re.compile(r"(/(?:interactions|webhooks)/[0-9]+/)[^/\s?#'\"<>]+"), r"\1" + HIDDEN),
    # Slack: response_urls and incoming webhooks carry their secret in the path
    (re.compile(r"(hooks\.slack(?:-gov)?\.com/[A-Za-z]+/)[^\s?#'\"<>]+"), r"\1" + HIDDEN),
    # OAuth codes and states, and any token, in a query string
    (
        re.compile(
            r"([?&](?:code|state|token|access_token|refresh_token|client_secret|signature)=)"
            r"[^&\s#'\"<>]+"
        ),
        r"\1" + HIDDEN,
    ),
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+"), HIDDEN),
    (re.compile(r"\b((?:Bearer|Bot)\s+)[A-Za-z0-9._~+/=-]{16,}"), r"\1" + HIDDEN),
    # JWTs wherever they appear (the Bot Connector's and the bot's own tokens for Teams)
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), HIDDEN),
    (re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}"), HIDDEN),
    # conversation buttons: their ids, the signed tokens in them, and the words around them
    (re.compile(re.escape(BUTTON_PREFIX) + r"[^\s\"',}\])>]*"), BUTTON_MASK),
    (re.compile(r"(?<![A-Za-z0-9_-])" + TOKEN_SHAPE + r"(?![A-Za-z0-9_-])"), HIDDEN),
    (
        re.compile(
            rf"(['\"]?\b(?:{_FIELDS})['\"]?\s*[:=]\s*)(?:{_QUOTED}|\[.*\]|\{{.*\}})", re.DOTALL
        ),
        r"\1" + HIDDEN,
    ),
)
_FORMATTER = logging.Formatter()


def mask(text: str) -> str:
    """`text` with every token, secret, button id, label and body in it hidden."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


class _TypeOnly:
    """Stands in for an object in a log line, shown (by %s or %r alike) as its type's name."""

    def __init__(self, value: object) -> None:
        self.shown = f"<{type(value).__name__}>"

    def __repr__(self) -> str:
        return self.shown

    __str__ = __repr__


def _safe_argument(value: Any) -> Any:
    if isinstance(value, str):
        return WITHHELD if value.lstrip()[:1] in ("{", "[") else value
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, yarl.URL):
        return str(value)
    if isinstance(value, Mapping | list | tuple | set | frozenset | bytes | bytearray):
        return WITHHELD
    # an object's repr can carry anything it holds (a button's label, a message's text)
    return _TypeOnly(value)


def _message(record: logging.LogRecord) -> str:
    args = record.args
    if isinstance(args, Mapping):
        record.args = {key: _safe_argument(value) for key, value in args.items()}
    elif args:
        record.args = tuple(_safe_argument(value) for value in args)
    try:
        return record.getMessage()
    except (TypeError, ValueError, KeyError):
        # an argument that no longer fits its placeholder: keep the text, name the arguments
        shown = record.args.values() if isinstance(record.args, Mapping) else record.args or ()
        return f"{record.msg} {' '.join(str(a) for a in shown)}"


def scrub(record: logging.LogRecord) -> logging.LogRecord:
    """Rewrite a record in place so that nothing private remains in it; returns it."""
    if record.name.split(".")[0] in SLACK_LIBRARIES and record.levelno < logging.INFO:
        record.msg, record.args = _SLACK_DEBUG_WITHHELD, ()
        return record
    record.msg, record.args = mask(_message(record)), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


def _scrubbing(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_scrubbed(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            return scrub(record)
        except Exception:
            # a line that cannot be checked is not written as it was
            record.msg, record.args, record.exc_info, record.exc_text = _UNCHECKED, (), None, None
            return record

    make_scrubbed.scrubs = True  # type: ignore[attr-defined]
    return make_scrubbed


_UNACTIONABLE: set[str] = set()


class _DropUnactionable(logging.Filter):
    """Leaves out the notices a library writes on every start that no operator can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in _UNACTIONABLE


_DROP = _DropUnactionable()


def leave_out(notice: str) -> None:
    """Never write this exact line (a library's notice that nothing can be done about)."""
    _UNACTIONABLE.add(notice)
    install()


def install() -> None:
    """Scrub every log record this process makes from now on; safe to call again.

    Also keeps Slack's libraries from making DEBUG records, and from logging below the root
    logger's level (they are handed loggers of their own that would otherwise decide alone).
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "scrubs", False):
        logging.setLogRecordFactory(_scrubbing(factory))
    for handler in logging.getLogger().handlers:
        if _DROP not in handler.filters:
            handler.addFilter(_DROP)
    quietest = max(logging.INFO, logging.getLogger().level)
    names = set(SLACK_LIBRARIES) | {
        name
        for name in list(logging.root.manager.loggerDict)
        if name.split(".")[0] in SLACK_LIBRARIES
    }
    for name in names:
        logger = logging.getLogger(name)
        if logger.level < quietest:
            logger.setLevel(quietest)


def quiet_logger(name: str) -> logging.Logger:
    """A logger to hand to a library: at INFO or above, whatever LOG_LEVEL says, and scrubbed."""
    install()
    logger = logging.getLogger(name)
    quietest = max(logging.INFO, logging.getLogger().level)
    if logger.level < quietest:
        logger.setLevel(quietest)
    return logger
