"""Effects as Adaptive Cards (schema 1.5) for Teams.

Pure functions of an effect and its token; nothing here talks to Teams. Every button is an
Action.Execute whose verb is the event code and whose data carries the signed token, so a click
comes back as an `adaptiveCard/action` invoke with everything the conversation needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.log_privacy import BUTTON_PREFIX
from bot.effects import Action, Ask, Effect, Refuse, ShowCard, ShowCrisisHelp, ShowResult
from bot.model import Card

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
TOKEN_FIELD = "token"
"""The key of an action's data that carries the conversation's signed token."""

Element = dict[str, Any]
AdaptiveCard = dict[str, Any]

_STYLES = {"default": "default", "primary": "positive", "danger": "destructive"}


def verb_for(action: Action) -> str:
    """The verb an action's button sends back: ``cot:<code>`` (``cot:c2``, ``cot:b``)."""
    return BUTTON_PREFIX + action.code


def execute(action: Action, token: str | None) -> Element:
    """One action as an Action.Execute; Start carries no token (it needs none)."""
    data: dict[str, str] = {}
    if token is not None and action.code != "s":
        data[TOKEN_FIELD] = token
    element: Element = {
        "type": "Action.Execute",
        "title": action.label,
        "verb": verb_for(action),
        "data": data,
    }
    if action.style != "default":
        element["style"] = _STYLES[action.style]
    return element


def text(words: str, **options: Any) -> Element:
    """A wrapping text block."""
    return {"type": "TextBlock", "text": words, "wrap": True, **options}


def _subtle(words: str) -> Element:
    return text(words, isSubtle=True, size="Small")


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _action_set(actions: Sequence[Action], token: str | None) -> list[Element]:
    if not actions:
        return []
    return [{"type": "ActionSet", "actions": [execute(a, token) for a in actions]}]


def adaptive_card(body: list[Element]) -> AdaptiveCard:
    """A card of schema 1.5 with this body, as wide as the chat allows."""
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }


def render(effect: Effect, token: str | None, notice: str | None = None) -> AdaptiveCard:
    """The card for one effect; its buttons carry `token`; `notice` is a line above it all."""
    body = [text(notice, weight="Bolder")] if notice else []
    match effect:
        case Ask():
            body += _ask(effect, token)
        case ShowResult():
            body += _result(effect, token)
        case ShowCrisisHelp():
            body += _help(effect, token)
        case ShowCard():
            body += card_body(effect.card)
            body += _action_set(effect.actions, token)
        case Refuse():
            body.append(text(effect.message))
            body += _action_set(effect.actions, None)
    return adaptive_card(body)


def notice_card(words: str) -> AdaptiveCard:
    """A card of one sentence (usage, a one-line notice)."""
    return adaptive_card([text(words)])


def welcome_card(words: str, start: Action) -> AdaptiveCard:
    """A card of one sentence and a Start button (when someone adds the bot)."""
    return adaptive_card([text(words), *_action_set((start,), None)])


def _ask(ask: Ask, token: str | None) -> list[Element]:
    body: list[Element] = []
    if ask.intro:
        body.append(text(ask.intro))
    body.append(_subtle(ask.progress))
    body.append(text(ask.text, weight="Bolder", size="Medium"))
    # one answer per row reads as a list, and no row holds more buttons than Teams shows
    for answer in ask.answers:
        body += _action_set((answer,), token)
    body += _action_set(ask.controls, token)
    return body


def _result(result: ShowResult, token: str | None) -> list[Element]:
    body = [
        _subtle(result.heading),
        text(result.title, weight="Bolder", size="Large"),
        text(result.summary),
    ]
    why = [*result.reasons, *result.notes]
    if why:
        body.append(text(result.why_heading, weight="Bolder"))
        body.append(text(_bullets(why)))
    if result.next_steps:
        body.append(text(result.next_steps_heading, weight="Bolder"))
        body.append(text(_bullets(result.next_steps)))
    body.append(_subtle(result.not_assessment))
    body += _action_set(result.actions, token)
    return body


def _help(help_: ShowCrisisHelp, token: str | None) -> list[Element]:
    body = [text(help_.title, weight="Bolder", size="Large"), text(help_.intro)]
    if help_.emergency:
        body.append(text(help_.emergency, weight="Bolder", color="Attention"))
    if help_.lines:
        body.append(text(_bullets(help_.lines)))
    body.append(text(help_.elsewhere))
    body.append(text(help_.eap))
    body.append(text(help_.trusted))
    if help_.closing:
        body.append(text(help_.closing))
    body.append(_subtle(help_.last_checked))
    body += _action_set(help_.actions, token)
    return body


def _column(words: str, **options: Any) -> Element:
    return {"type": "Column", "width": "stretch", "items": [text(words, **options)]}


def card_body(card: Card) -> list[Element]:
    """The comparison: a row per topic with Coaching and Therapy side by side, what they have
    in common, and the credit."""
    body: list[Element] = [
        text(card.title, weight="Bolder", size="Large"),
        text(card.intro),
        {
            "type": "ColumnSet",
            "columns": [
                _column(card.coaching_heading, weight="Bolder"),
                _column(card.therapy_heading, weight="Bolder"),
            ],
        },
    ]
    for row in card.rows:
        body.append(
            {
                "type": "Container",
                "id": f"row-{row.id}",
                "separator": True,
                "items": [
                    text(row.topic, weight="Bolder"),
                    {
                        "type": "ColumnSet",
                        "columns": [_column(row.coaching), _column(row.therapy)],
                    },
                ],
            }
        )
    body.append(text(card.similarities_title, weight="Bolder", separator=True))
    body.append(text(_bullets(card.similarities)))
    body.append(_subtle(card.tendency_note))
    body.append(_subtle(f"{card.attribution} {card.disclaimer}"))
    return body


def attachment(card: AdaptiveCard) -> dict[str, Any]:
    """A card as a message attachment."""
    return {"contentType": CARD_TYPE, "content": card}


def message(card: AdaptiveCard) -> dict[str, Any]:
    """A message activity carrying one card."""
    return {"type": "message", "attachments": [attachment(card)]}


def invoke_reply(card: AdaptiveCard) -> dict[str, Any]:
    """The answer to an `adaptiveCard/action` invoke that replaces the clicked card in place."""
    return {"statusCode": 200, "type": CARD_TYPE, "value": card}


def card_payload(effect: ShowCard) -> dict[str, Any]:
    """The channel card as a Teams message: the card and its "Take it privately" button."""
    return message(render(effect, None))
