"""Each walk-through is counted once: its start, its finish and outcome, its help. Never again on a
re-render, a repeated press or a replayed button, on the real conversation service and storage."""

from __future__ import annotations

import tracemalloc
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.conversation import ConversationService, CountedOnce
from adapters.runtime import Runtime, build_runtime
from adapters.settings import Settings
from bot.effects import Ask, Effect
from bot.events import Event, Start
from bot.state import Who
from tests.storing import exact_months, sqlite_storage

ME = Who("slack", "T1", "U1")


def _runtime(tmp_path) -> Runtime:
    return build_runtime(Settings(state_secret="s" * 32, data_dir=tmp_path, default_region="GB"))


def _presses(effects: tuple[Effect, ...]) -> list[Event]:
    buttons: list[Event] = []
    for effect in effects:
        if isinstance(effect, Ask):
            buttons += [a.event for a in (*effect.answers, *effect.controls)]
        else:
            buttons += [a.event for a in effect.actions]
    return buttons


async def _counted(storage) -> Counter[str]:
    months = await exact_months(storage, "slack", "T1")
    return Counter({k: v for m in months for k, v in m.counts.items()})


async def test_a_result_shown_again_and_again_counts_once(tmp_path, content):
    storage = sqlite_storage(tmp_path)
    service = ConversationService(_runtime(tmp_path), storage)
    no = next(i for i, a in enumerate(content.safety.answers) if a.action == "continue")
    reply = await service.take(ME, Start(), None)
    for index in [no, 0, 0, 0, 0, 0, 0, 0, 0]:
        last_answer = (reply.token, _presses(reply.effects)[index])
        reply = await service.take(ME, _presses(reply.effects)[index], reply.token)
    result_token = reply.token
    for _ in range(3):  # Get help now, then Continue: the result again
        shown = await service.take(ME, _by_label(reply, "Get help now"), result_token)
        reply = await service.take(ME, _by_label(shown, "Continue"), shown.token)
    for _ in range(3):  # the full card, then Back to where I was
        card = await service.take(ME, _by_label(reply, "See the full comparison"), result_token)
        reply = await service.take(ME, _by_label(card, "Back to where I was"), card.token)
    for _ in range(20):  # the last answer pressed again (a stale client, a double click)
        await service.take(ME, last_answer[1], last_answer[0])
    assert await _counted(storage) == Counter(started=1, finished=1, coaching=1, help_shown=1)
    storage.close()


def _by_label(reply, label: str) -> Event:
    for effect in reply.effects:
        actions = (*effect.answers, *effect.controls) if isinstance(effect, Ask) else effect.actions
        for action in actions:
            if action.label == label:
                return action.event
    raise AssertionError(f"no {label!r} button")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 20)), min_size=1, max_size=60))
async def test_any_order_of_presses_counts_each_walk_through_at_most_once(tmp_path_factory, moves):
    # A person presses buttons of any message they have been shown, in any order, again and
    # again. Each walk-through (begun by a Start or a Start over) finishes at most once and shows
    # help to the count at most once, and every finish has exactly one outcome.
    folder = tmp_path_factory.mktemp("presses")
    storage = sqlite_storage(folder)
    service = ConversationService(_runtime(folder), storage)
    first = await service.take(ME, Start(), None)
    shown = [(first.token, _presses(first.effects))]
    for message, button in moves:
        token, buttons = shown[message % len(shown)]
        reply = await service.take(ME, buttons[button % len(buttons)], token)
        if _presses(reply.effects):
            shown.append((reply.token, _presses(reply.effects)))
    counted = await _counted(storage)
    started = counted["started"]
    assert counted["finished"] <= started
    assert counted["coaching"] + counted["therapy"] + counted["both"] == counted["finished"]
    # help without a walk-through (from a refused button) counts too: one per press at most
    assert counted["help_shown"] <= started + sum(1 for _ in moves)
    storage.close()


DAY = 24 * 60 * 60
NOW = 1_780_000_000.0


def test_a_walk_through_is_remembered_for_as_long_as_its_token_lasts():
    counted = CountedOnce(keep_for=DAY)
    assert counted.fresh(ME, 1, ("started",), NOW) == ("started",)
    # others' walk-throughs go by, and the filters take turns, over the token's whole life
    for hour in range(1, 24):
        later = NOW + hour * 3600
        counted.fresh(Who("slack", "T1", f"U{hour}"), int(later), ("started",), later)
        assert counted.fresh(ME, 1, ("started",), later) == ()
    assert counted.fresh(ME, 1, ("started",), NOW + DAY - 1) == ()
    # long after its buttons stopped working, nothing of it is left
    assert counted.fresh(ME, 1, ("started",), NOW + 2 * DAY) == ("started",)


@settings(max_examples=20, deadline=None)
@given(
    st.sets(st.tuples(st.text(min_size=1, max_size=12), st.integers(0, 2**32)), min_size=1),
    st.sampled_from([("started",), ("finished", "coaching"), ("help_shown",)]),
)
def test_every_walk_through_counts_once_and_each_of_its_events_apart(walk_throughs, counters):
    counted = CountedOnce(keep_for=DAY)
    for user, began in walk_throughs:
        who = Who("discord", "G1", user)
        assert counted.fresh(who, began, counters, NOW) == counters
        assert counted.fresh(who, began, counters, NOW + 1) == ()
        # its other events are events of their own
        other = ("help_shown",) if counters == ("started",) else ("started",)
        assert counted.fresh(who, began, other, NOW) == other


def test_what_is_remembered_takes_the_same_memory_whatever_the_traffic():
    counted = CountedOnce(keep_for=DAY)
    tracemalloc.start()
    try:
        for n in range(1_000):
            counted.fresh(Who("slack", "T1", f"U{n}"), n, ("started",), NOW)
        after_a_thousand = tracemalloc.get_traced_memory()[0]
        for n in range(1_000, 30_000):
            assert counted.fresh(Who("slack", "T1", f"U{n}"), n, ("started",), NOW) == ("started",)
        after_thirty_thousand = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_thirty_thousand - after_a_thousand < 16 * 1024
