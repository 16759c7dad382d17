"""A whole conversation through take_turn, as every adapter drives it."""

from bot.effects import Ask, ShowResult
from bot.events import Choose, Start
from bot.turn import take_turn


def test_a_conversation_reaches_a_result(guide, keyring, who):
    turn = take_turn(guide, keyring, who, Start(), None, 1_000_000)
    assert isinstance(turn.effects[0], Ask)
    assert turn.effects[0].progress == "Question 1 of 9"
    for answer in [2, 0, 0, 0, 0, 0, 0, 0, 0]:
        turn = take_turn(guide, keyring, who, Choose(answer), turn.token, 1_000_010)
    result = turn.effects[0]
    assert isinstance(result, ShowResult)
    assert result.outcome == "coaching"
