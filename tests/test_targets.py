"""Rights by target: a record id finds its project from what was sent to the caller."""

import pytest
from sqlmodel import Session

from bot import targets
from bot.errors import CommandError
from bot.messages import Inbound
from bot.registry import Command
from bot.scope import resolve_project
from storage import people, projects

ACK = Command(id="x.ack", words=("x", "ack"), params=(), permission="none", scope="target",
              handler=lambda ctx, args: None, target="id")


@pytest.fixture
def sent(monkeypatch):
    """Records X1 sent to person ids, per project id (the table a feature would register)."""
    table: dict[int, list[int]] = {}
    monkeypatch.setitem(targets.SENT_TO, "X", lambda db, person, seq: table.get(person, []))
    return table


def _resolve(db, user, text, dm=True, channel="dm"):
    actor = people.ensure(db, "console", user, user)
    inbound = Inbound("console", user, text, channel, is_dm=dm)
    return resolve_project(db, inbound, actor, ACK, {"id": text})


def test_a_bare_id_in_a_dm_finds_the_project_it_was_sent_in(team, sent):
    team("olivia", 'project create Other key OT', channel="other")
    with Session(team.runtime.engine) as db:
        la, ot = projects.by_key(db, "LA"), projects.by_key(db, "OT")
        stranger = people.ensure(db, "console", "hank", "hank")
        sent[stranger.id] = [ot.id]
        assert _resolve(db, "hank", "X1").key == "OT"  # hank is a member of nothing
        sent[stranger.id] = [ot.id, la.id]
        with pytest.raises(CommandError) as raised:
            _resolve(db, "hank", "X1")
        assert raised.value.key == "scope.ambiguous_target"
        assert _resolve(db, "hank", "la/x1").key == "LA"
        sent[stranger.id] = []
        with pytest.raises(CommandError) as raised:
            _resolve(db, "hank", "X1")
        assert raised.value.key == "scope.no_projects"


def test_a_bound_channel_decides_and_refuses_another_projects_id(team, sent):
    team("olivia", 'project create Other key OT', channel="other")
    with Session(team.runtime.engine) as db:
        assert _resolve(db, "olivia", "X1", dm=False, channel="launch").key == "LA"
        with pytest.raises(CommandError) as raised:
            _resolve(db, "olivia", "OT/X1", dm=False, channel="launch")
        assert raised.value.key == "scope.other_project"
