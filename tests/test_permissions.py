"""COMMANDS.md's permission table, row by row, through the dispatcher."""

import pytest

DENIED = (
    "Only a lead",
    "Viewers can only read",
    "needs the item's owner",
    "not a member",
    "only a lead or the process owner can move",
)


def denied(reply: str) -> bool:
    return any(marker in reply for marker in DENIED)


@pytest.fixture
def items(team):  # noqa: ANN001, ANN201
    team("max", "add Max's item @max fri")  # A1 owned by max
    team("lena", "add Lena's item @lena fri")  # A2 owned by lena
    return team


READS = ["action list", "action show A1", "project info", "status", "member list"]


@pytest.mark.parametrize("user", ["vic", "max", "lena", "olivia"])
@pytest.mark.parametrize("line", READS)
def test_everyone_in_the_project_reads(items, user, line):
    assert not denied(items(user, line))


@pytest.mark.parametrize("line", READS)
def test_outsiders_read_nothing(items, line):
    assert "not a member" in items("stranger", line)


@pytest.mark.parametrize(
    ("user", "allowed"), [("vic", False), ("max", True), ("lena", True), ("olivia", True)]
)
def test_adding_items_needs_member(items, user, allowed):
    reply = items(user, "add New item @max fri")
    assert denied(reply) is not allowed, reply


OWN_ITEM = ["start A1", "action block A1 why", "action note A1 hello", "done A1"]


@pytest.mark.parametrize("line", OWN_ITEM)
def test_owner_changes_own_item(items, line):
    assert not denied(items("max", line))


@pytest.mark.parametrize("line", OWN_ITEM)
def test_member_cannot_change_anothers_item(items, line):
    assert "needs the item's owner" in items("max", line.replace("A1", "A2"))


@pytest.mark.parametrize("line", OWN_ITEM)
def test_lead_changes_any_item(items, line):
    assert not denied(items("lena", line))


@pytest.mark.parametrize("line", ["action reassign A1 @lena", "action due A2 next fri"])
def test_member_cannot_reassign_or_move_anothers_due(items, line):
    assert denied(items("max", line))


def test_owner_moves_own_due_until_overdue(items):
    assert "slip 1" in items("max", "action due A1 mon")
    items.at("2026-11-25T10:00:00+08:00")  # A1 due Mon 11-23 is now overdue
    assert "only a lead or the process owner can move" in items("max", "action due A1 fri")
    assert "slip 2" in items("lena", "action due A1 fri")


@pytest.mark.parametrize(
    "line",
    [
        "project phase pilot",
        "project kpi x baseline 1 target 2",
        "member add @new dept Legal",
        "member role @max lead",
        "dept add Finance head @fay",
        "action cancel A2",
    ],
)
def test_policy_commands_need_a_lead(items, line):
    assert "Only a lead or the process owner" in items("max", line) or denied(items("max", line))
    assert not denied(items("olivia", line))


def test_refusal_names_the_role_needed(items):
    assert "Only a lead or the process owner can do this; you are member." in items(
        "max", "project phase pilot"
    )
    assert "Viewers can only read" in items("vic", "add x @max fri")


def test_process_owner_transfer_keeps_exactly_one(items):
    assert "lena is now process owner" in items("olivia", "member role @lena process-owner")
    listing = items("vic", "member list")
    assert listing.count("process owner") == 1 and "olivia · lead" in listing
    assert "needs a process owner" in items("olivia", "member role @lena member")
