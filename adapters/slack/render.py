"""Effects as Slack messages: Block Kit dicts with a text fallback, escaped and within limits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from adapters.log_privacy import BUTTON_PREFIX
from adapters.slack.limits import BUTTON as SLACK_BUTTON
from adapters.slack.limits import HEADER as SLACK_HEADER
from adapters.slack.limits import SECTION as SLACK_SECTION
from bot.effects import Action, Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.model import Card

ACTION_PREFIX = BUTTON_PREFIX
"""Every button's action_id is this prefix and the event code (``cot:c2``, ``cot:b``)."""

Block = dict[str, Any]
Message = dict[str, Any]

# Slack's published Block Kit limits (headers, sections and buttons in adapters.slack.limits).
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_BUTTON_VALUE = 2000
MAX_ACTION_ID = 255
MAX_BLOCK_ID = 255
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 40000

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Text made safe for mrkdwn: Slack's three control characters escaped."""
    return text.translate(_ESCAPES)


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _header(text: str) -> Block:
    return {"type": "header", "text": _plain(text[:SLACK_HEADER])}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"• {escape(line)}" for line in lines)


def _titled(title: str, body: str) -> str:
    return f"*{escape(title)}*\n{body}" if body else f"*{escape(title)}*"


def button(action: Action, token: str | None) -> Block:
    """One button: the action's label, `cot:<code>` as action_id and the token as value."""
    element: Block = {
        "type": "button",
        "action_id": ACTION_PREFIX + action.code,
        "text": _plain(action.label),
    }
    if token and action.code != "s":
        element["value"] = token
    if action.style != "default":
        element["style"] = action.style
    return element


def _actions(block_id: str, actions: Sequence[Action], token: str | None) -> list[Block]:
    if not actions:
        return []
    return [
        {
            "type": "actions",
            "block_id": block_id,
            "elements": [button(a, token) for a in actions],
        }
    ]


def _message(text: str, blocks: list[Block]) -> Message:
    return {"text": text[:MAX_FALLBACK_TEXT], "blocks": blocks}


def render(effect: Effect, token: str | None) -> Message:
    """The Slack message (``text`` + ``blocks``) for one effect; buttons carry `token`."""
    match effect:
        case Ask():
            return _ask(effect, token)
        case ShowResult():
            return _result(effect, token)
        case ShowCrisisHelp():
            return _help(effect, token)
        case ShowCard():
            return _message(effect.card.title, _card_blocks(effect.card, effect.actions, token))
        case Refuse():
            return _message(
                effect.message,
                [_section(escape(effect.message)), *_actions("refused", effect.actions, token)],
            )


def text_message(text: str) -> Message:
    """A plain message with one escaped section, for usage and one-line notices."""
    return _message(text, [_section(escape(text))])


def _ask(effect: Ask, token: str | None) -> Message:
    blocks: list[Block] = []
    if effect.intro:
        blocks.append(_section(escape(effect.intro)))
    blocks.append(_context(escape(effect.progress)))
    blocks.append(_section(f"*{escape(effect.text)}*"))
    blocks.extend(_actions(f"answers-{effect.number}", effect.answers, token))
    blocks.extend(_actions(f"controls-{effect.number}", effect.controls, token))
    return _message(f"{effect.progress}: {effect.text}", blocks)


def _result(effect: ShowResult, token: str | None) -> Message:
    blocks: list[Block] = [
        _header(effect.heading),
        _section(_titled(effect.title, escape(effect.summary))),
    ]
    if effect.reasons:
        blocks.append(_section(_titled(effect.why_heading, _bullets(effect.reasons))))
    blocks.extend(_section(escape(note)) for note in effect.notes)
    if effect.next_steps:
        blocks.append(_section(_titled(effect.next_steps_heading, _bullets(effect.next_steps))))
    blocks.append(_context(escape(effect.not_assessment)))
    blocks.extend(_actions("result", effect.actions, token))
    return _message(effect.title, blocks)


def _help(effect: ShowCrisisHelp, token: str | None) -> Message:
    urgent = [f"*{escape(effect.emergency)}*"] if effect.emergency else []
    urgent.extend(f"• {escape(line)}" for line in effect.lines)
    blocks: list[Block] = [_header(effect.title), _section(escape(effect.intro))]
    if urgent:
        blocks.append(_section("\n".join(urgent)))
    blocks.append(_section("\n".join(escape(s) for s in (effect.elsewhere, effect.eap))))
    blocks.append(_section(escape(effect.trusted)))
    blocks.append(_context(escape(effect.last_checked)))
    if effect.closing:
        blocks.append(_section(escape(effect.closing)))
    blocks.extend(_actions("help", effect.actions, token))
    fallback = " ".join(
        s for s in (effect.title, effect.emergency, *effect.lines, effect.elsewhere) if s
    )
    return _message(fallback, blocks)


def _card_blocks(card: Card, actions: Sequence[Action], token: str | None) -> list[Block]:
    blocks: list[Block] = [
        _header(card.title),
        _section(escape(card.intro)),
        {
            "type": "section",
            "fields": [
                _mrkdwn(f"*{escape(card.coaching_heading)}*"),
                _mrkdwn(f"*{escape(card.therapy_heading)}*"),
            ],
        },
    ]
    for row in card.rows:
        blocks.append(
            {
                "type": "section",
                "block_id": f"row-{row.id}"[:MAX_BLOCK_ID],
                "text": _mrkdwn(f"*{escape(row.topic)}*"),
                "fields": [_mrkdwn(escape(row.coaching)), _mrkdwn(escape(row.therapy))],
            }
        )
    blocks.append({"type": "divider"})
    blocks.append(_section(_titled(card.similarities_title, _bullets(card.similarities))))
    blocks.append(_context(escape(card.tendency_note)))
    blocks.append(_context(f"{escape(card.attribution)} {escape(card.disclaimer)}"))
    blocks.extend(_actions("card", actions, token))
    return blocks


def card_payload(effect: ShowCard) -> Message:
    """The card as a chat.postMessage body (text + blocks), for `card --format slack`."""
    return render(effect, None)


def home_view(intro: str, usage: str, start: Action, card: ShowCard) -> dict[str, Any]:
    """The App Home tab: what the bot is, a Start button and the card."""
    blocks: list[Block] = [
        _section(escape(intro)),
        _section(escape(usage)),
        *_actions("home-start", (start,), None),
        {"type": "divider"},
        *_card_blocks(card.card, (), None),
    ]
    return {"type": "home", "blocks": blocks}


def message_problems(message: Message, max_blocks: int = MAX_BLOCKS) -> list[str]:
    """Every way a message or view breaks Slack's Block Kit limits (empty when it fits)."""
    problems: list[str] = []
    blocks = message.get("blocks", [])
    if "type" not in message and not str(message.get("text", "")).strip():
        problems.append("message has no text fallback")
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks; at most {max_blocks}")
    action_ids: set[str] = set()
    for n, block in enumerate(blocks):
        where = f"block {n} ({block.get('type')})"
        if len(block.get("block_id", "")) > MAX_BLOCK_ID:
            problems.append(f"{where}: block_id longer than {MAX_BLOCK_ID}")
        problems.extend(_block_problems(where, block, action_ids))
    return problems


def _text_problem(where: str, obj: Any, limit: int) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or not obj["text"]:
        return [f"{where}: missing text"]
    if len(obj["text"]) > limit:
        return [f"{where}: text is {len(obj['text'])} characters; at most {limit}"]
    return []


def _block_problems(where: str, block: Block, action_ids: set[str]) -> list[str]:
    kind = block.get("type")
    problems: list[str] = []
    if kind == "header":
        problems += _text_problem(where, block.get("text"), SLACK_HEADER)
    elif kind == "section":
        if "text" not in block and "fields" not in block:
            problems.append(f"{where}: needs text or fields")
        if "text" in block:
            problems += _text_problem(where, block["text"], SLACK_SECTION)
        fields = block.get("fields", [])
        if len(fields) > MAX_FIELDS:
            problems.append(f"{where}: {len(fields)} fields; at most {MAX_FIELDS}")
        for field in fields:
            problems += _text_problem(f"{where} field", field, MAX_FIELD_TEXT)
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            problems.append(f"{where}: {len(elements)} elements; 1 to {MAX_CONTEXT_ELEMENTS}")
        for element in elements:
            problems += _text_problem(where, element, SLACK_SECTION)
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
            problems.append(f"{where}: {len(elements)} elements; 1 to {MAX_ACTIONS_ELEMENTS}")
        for element in elements:
            problems += _button_problems(where, element, action_ids)
    elif kind != "divider":
        problems.append(f"{where}: unexpected block type")
    return problems


def _button_problems(where: str, element: Block, action_ids: set[str]) -> list[str]:
    problems = _text_problem(f"{where} button", element.get("text"), SLACK_BUTTON)
    action_id = element.get("action_id", "")
    if not action_id or len(action_id) > MAX_ACTION_ID:
        problems.append(f"{where}: action_id must be 1 to {MAX_ACTION_ID} characters")
    if action_id in action_ids:
        problems.append(f"{where}: action_id {action_id} is used twice")
    action_ids.add(action_id)
    if len(element.get("value", "")) > MAX_BUTTON_VALUE:
        problems.append(f"{where}: button value longer than {MAX_BUTTON_VALUE}")
    return problems
