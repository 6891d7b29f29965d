"""Every kind of bad input gets one clear message and the usage line, and changes nothing."""

import pytest

CASES = [
    ("acton add x", "I don't know the command", "Usage: action add"),
    ("action add owner @max due fri", "Missing <title>", "Usage: action add"),
    ('action add "x" owner @max', "Missing <due>", "Usage: action add"),
    ('action add "x" owner @max due someday', "not a date I know", "Usage: action add"),
    ('action add "x" owner @max due 2026-11-01', "in the past", "Usage: action add"),
    ('action add "x" owner @max due "tomorrow 3pm"', "time of day", "Usage: action add"),
    ("action show A99", "There is no item A99 in LA", "Usage: action show <id>"),
    ("action show B2", "is not an item id", "Usage: action show <id>"),
    ('action add "x" owner @nobody due fri', "I don't know @nobody", "Usage: action add"),
    ('action add "x" owner @mona due fri', "mona is not a member of LA", "Usage: action add"),
    ('action add "' + "x" * 201 + '" owner @max due fri', "title is too long", "Usage"),
    ('action add "unclosed owner @max due fri', "is not closed", "Usage: action add"),
    ("action list sideways", "not a list filter", "Usage: action list"),
    ("project phase dancing", "is not one of", "Usage: project phase"),
    ('action add "x" owner @max due fri owner @lena', "given twice", "Usage: action add"),
    ("project kpi cycle record lots", "is not a number", "Usage: project kpi"),
    ("x" * 4001, "too long", ""),
    ("member role @max boss", "is not one of", "Usage: member role"),
    ("use NOPE", "There is no project NOPE", "Usage: use <P-key>"),
    ("project bind ZZ", "There is no project ZZ", "Usage: project bind"),
]


@pytest.mark.parametrize(("line", "message", "usage"), CASES)
def test_bad_input_is_explained_and_changes_nothing(team, line, message, usage):
    team("max", "add Existing @max fri")
    before = team.snapshot()
    reply = team("olivia", line)
    assert message in reply
    assert usage in reply
    assert "Traceback" not in reply
    assert team.snapshot() == before


def test_ambiguous_name_lists_candidates(team):
    from sqlmodel import Session

    from bot.errors import CommandError
    from bot.mentions import resolve
    from bot.messages import Inbound
    from bot.tokens import Token
    from storage import people

    with Session(team.runtime.engine) as db:
        people.ensure(db, "slack", "U1", "Sam")
        people.ensure(db, "slack", "U2", "sam")
        inbound = Inbound(platform="slack", user_id="U9", text="", channel_id="C1")
        with pytest.raises(CommandError) as raised:
            resolve(db, Token("SAM", mention=True), inbound, create=False)
        assert raised.value.key == "user.ambiguous"
        assert raised.value.params["candidates"] == "Sam (U1), sam (U2)"
        assert (
            resolve(db, Token("Sam", mention=True, user_id="U1"), inbound, create=False).user_id
            == "U1"
        )


def test_channel_without_project(chat):
    before = chat.snapshot()
    reply = chat("olivia", "action list", channel="random")
    assert "This channel has no project yet" in reply
    assert "Usage: action list" in reply
    assert chat.snapshot() == before


def test_zh_cn_project_answers_in_chinese(chat):
    chat("olivia", "project create 审批提速 locale zh-CN")
    reply = chat("olivia", "action show A7")
    assert "没有待办 A7" in reply or "A7" in reply and "不存在" in reply
    assert "用法" in reply


def test_unexpected_internal_error_is_answered_generically(team, monkeypatch, caplog):
    from bot.handlers import listing

    def broken(*_args, **_kwargs):  # a fault inside the core, not a user mistake
        raise RuntimeError("database exploded")

    monkeypatch.setattr(listing.items, "listing", broken)
    reply = team("max", "action list")
    assert "Something went wrong on my side; nothing was changed" in reply
    assert "database exploded" not in reply
    assert "database exploded" in caplog.text
