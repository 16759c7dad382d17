"""Every message the engine can ask for fits Discord's limits, and the card payload is right."""

from __future__ import annotations

import itertools

import discord
import pytest

from adapters.discord.buttons import parse_custom_id
from adapters.discord.limits import CUSTOM_ID as CUSTOM_ID_LIMIT
from adapters.discord.limits import LABEL as LABEL_LIMIT
from adapters.discord.render import CONTENT_LIMIT, card_payload, render
from bot.effects import REFUSAL_REASONS, Effect, ShowCard
from bot.engine import Guide, refusal, step
from bot.events import Choose, Continue, GetHelp, Start
from bot.events import ShowCard as ShowCardEvent
from bot.model import Content
from bot.state import MAX_TOKEN_LENGTH, State

LONGEST_TOKEN = "A" * 34 + "pt-BR" + "9" * (MAX_TOKEN_LENGTH - 39)
EMBED_TOTAL_LIMIT = 6000


def every_effect(content: Content) -> list[tuple[Guide, Effect]]:
    """Each kind of effect in every variant that changes its size (results: every combination)."""
    guides = [Guide(content, None)] + [
        Guide(content, region, "https://eap.example.com/" + "x" * 60, "coaching@example.com")
        for region in content.helplines.regions
    ]
    found: list[tuple[Guide, Effect]] = []
    guide = guides[-1]
    keep_going = next(i for i, a in enumerate(content.safety.answers) if a.action == "continue")
    for g in guides:
        found.extend((g, e) for e in step(g, None, GetHelp(), 0).effects)
        for i in range(len(content.safety.answers)):
            found.extend((g, e) for e in step(g, State(), Choose(i), 0).effects)
        found.extend((g, e) for e in step(g, State((keep_going,)), GetHelp(), 0).effects)
    found.extend((guide, e) for e in step(guide, None, Start(), 0).effects)
    for number in range(len(content.questions) + 1):
        state = State((keep_going, *([0] * number)))
        found.extend((guide, e) for e in step(guide, state, Continue(), 0).effects)
    found.extend((guide, e) for e in step(guide, None, ShowCardEvent(), 0).effects)
    found.extend((guide, e) for e in step(guide, State((keep_going,)), ShowCardEvent(), 0).effects)
    found.extend((guide, refusal(content, reason)) for reason in REFUSAL_REASONS)
    return found


def every_result(guide: Guide) -> list[Effect]:
    content = guide.content
    keep_going = next(i for i, a in enumerate(content.safety.answers) if a.action == "continue")
    answers = itertools.product(*(range(len(q.answers)) for q in content.questions))
    return [step(guide, State((keep_going, *combo)), Continue(), 0).effects[0] for combo in answers]


def check_fits(effect: Effect) -> None:
    reply = render(effect, LONGEST_TOKEN)
    assert len(reply.content or "") <= CONTENT_LIMIT
    assert sum(len(embed) for embed in reply.embeds) <= EMBED_TOTAL_LIMIT
    for embed in reply.embeds:
        assert len(embed.fields) <= 25
        assert all(len(f.value or "") <= 1024 and len(f.name or "") <= 256 for f in embed.fields)
        assert len(embed.description or "") <= 4096
        assert len(embed.title or "") <= 256
    rows = reply.view().to_components()
    assert len(rows) <= 5
    for row in rows:
        assert len(row["components"]) <= 5
        for button in row["components"]:
            assert 1 <= len(button["label"]) <= LABEL_LIMIT
            assert 1 <= len(button["custom_id"]) <= CUSTOM_ID_LIMIT
            assert parse_custom_id(button["custom_id"]) is not None
    custom_ids = [b["custom_id"] for row in rows for b in row["components"]]
    assert len(custom_ids) == len(set(custom_ids)), "custom_ids must be unique in a message"


def test_every_kind_of_message_fits(content):
    effects = every_effect(content)
    assert {type(e).__name__ for _, e in effects} == {
        "Ask",
        "ShowResult",
        "ShowCrisisHelp",
        "ShowCard",
        "Refuse",
    }
    for _, effect in effects:
        check_fits(effect)


def test_every_possible_result_fits(guide):
    results = every_result(guide)
    assert {r.outcome for r in results} == {"coaching", "therapy", "both"}
    for result in results:
        assert len(render(result, LONGEST_TOKEN).content or "") <= CONTENT_LIMIT
    check_fits(results[0])


def test_the_card_is_one_embed_of_seventeen_rows_then_similarities(guide):
    (effect,) = step(guide, None, ShowCardEvent(), 0).effects
    assert isinstance(effect, ShowCard)
    payload = card_payload(effect)
    (data,) = payload["embeds"]
    embed = discord.Embed.from_dict(data)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    card = effect.card
    assert len(embed.fields) == 18
    for field, row in zip(embed.fields, card.rows, strict=False):
        assert field.name == row.topic
        assert field.inline is False
        assert field.value == f"**Coaching:** {row.coaching}\n**Therapy:** {row.therapy}"
    assert embed.fields[17].name == card.similarities_title
    assert all(s in embed.fields[17].value for s in card.similarities)
    assert card.attribution in embed.footer.text
    assert payload["components"] == [
        {
            "type": 1,
            "components": [
                {
                    "type": 2,
                    "style": 1,
                    "label": "Take it privately",
                    "custom_id": "cot:s:",
                },
            ],
        }
    ]


def test_answers_are_listed_one_per_row_with_the_controls_last(guide):
    state = State((2, 0))
    (ask,) = step(guide, state, Continue(), 0).effects
    rows = render(ask, LONGEST_TOKEN).view().to_components()
    labels = [[b["label"] for b in row["components"]] for row in rows]
    assert labels[:-1] == [[a.label] for a in ask.answers]
    assert labels[-1] == ["Back", "Start over", "Get help now"]
    styles = {b["label"]: b["style"] for row in rows for b in row["components"]}
    assert styles["Get help now"] == discord.ButtonStyle.danger.value


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("cot:s:", Start()),
        ("cot:c3:" + LONGEST_TOKEN, Choose(3)),
        ("cot:h:" + "B" * 33, GetHelp()),
    ],
)
def test_custom_ids_parse_back_to_the_click(custom_id, expected):
    click = parse_custom_id(custom_id)
    assert click is not None
    assert click.event == expected


@pytest.mark.parametrize(
    "custom_id", ["cot:x:", "cot:c:", "cot:c1:short", "cot:c1:" + "A" * 65, "other:s:", "cot:s"]
)
def test_damaged_custom_ids_are_not_clicks(custom_id):
    assert parse_custom_id(custom_id) is None


def test_a_button_from_an_earlier_release_still_reaches_the_bot():
    # its token has the first release's layout; the bot says the questions have changed since
    click = parse_custom_id("cot:c1:1" + "A" * 32 + "20")
    assert click is not None and click.token == "1" + "A" * 32 + "20"
