"""What the database holds after people use the bot: totals and settings, never who or what."""

from __future__ import annotations

from sqlalchemy import select

from adapters.storage.schema import metadata
from tests.slack.conftest import Person, buttons


def everything_stored(engine) -> str:
    """Every row of every table, as one text."""
    rows: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows.extend(repr(tuple(row)) for row in connection.execute(select(table)))
    return "\n".join(rows)


async def test_a_finished_walk_through_leaves_no_trace_of_the_person_or_their_answers(
    serve_stored, engine, content
):
    stored = await serve_stored()
    person = Person(stored.server, user="UPRIVATE42", team="T1")
    await person.start()
    for answer in [2, 1, 2, 0, 1, 2, 0, 1, 2]:
        label = [b["text"]["text"] for b in buttons(person.message)][answer]
        await person.click(label)
    assert any(o.title in str(person.message) for o in content.outcomes.values())

    await stored.workspaces.counts.flush()
    kept = everything_stored(engine)
    assert "UPRIVATE42" not in kept
    answer_labels = {a.label for q in content.questions for a in q.answers}
    assert not [label for label in answer_labels if f"'{label}'" in kept]
    assert "'started', 1" in kept and "'finished', 1" in kept
