"""Where a command runs: bound channels, DMs, `use`, and P2/A12 ids."""

import pytest


@pytest.fixture
def two(team):  # noqa: ANN001, ANN201
    team("max", "add LA item @max fri")
    team("olivia", 'project create "Purchasing" key PU', channel="purchasing")
    team("olivia", "dept add Finance head @fay", channel="purchasing")
    team("olivia", "member add @max dept Finance", channel="purchasing")
    team("max", "add PU item @max fri", channel="purchasing")
    return team


def test_bound_channel_never_shows_another_project(two):
    assert "PU item" not in two("max", "action list")
    assert "belongs to another project" in two("max", "action show PU/A1")
    assert "LA item" in two("max", "action show LA/A1")


def test_dm_reads_cover_all_projects(two):
    listing = two("max", "action list mine", channel="dm")
    assert "LA/A1 LA item" in listing and "PU/A1 PU item" in listing


def test_dm_write_is_ambiguous_until_use(two):
    before = two.snapshot()
    reply = two("max", "add Third @max fri", channel="dm")
    assert "Which project? You are in LA, PU" in reply
    assert two.snapshot() == before
    assert "now go to PU" in two("max", "use PU", channel="dm")
    assert "Added A2: Third" in two("max", "add Third @max fri", channel="dm")
    assert "Third" in two("max", "action list", channel="purchasing")


def test_dm_item_id_names_its_project(two):
    assert "is done" in two("max", "done LA/A1", channel="dm")
    assert "done" in two("max", "action show LA/A1", channel="dm")


def test_dm_with_one_project_needs_no_use(team):
    assert "Added A1" in team("max", "add Solo @max fri", channel="dm")


def test_use_requires_membership(two):
    assert "not a member" in two("lena", "use PU", channel="dm")


def test_bind_second_channel_and_unbind(team):
    assert "already belongs to project LA" in team("olivia", "project create Again")
    assert "now belongs to LA" in team("olivia", "project bind LA", channel="launch-2")
    assert "LA · Launch approval" in team("max", "project info", channel="launch-2")
    assert "only channel" not in team("olivia", "project unbind", channel="launch-2")
    assert "only channel" in team("olivia", "project unbind")
    assert "no project yet" in team("max", "project info", channel="launch-2")


def test_member_cannot_bind(team):
    assert "Only a lead" in team("max", "project bind LA", channel="elsewhere")


def test_dm_reads_of_one_project_cover_every_project(two):
    status = two("max", "status", channel="dm")
    assert "LA Launch approval — progress" in status and "PU Purchasing — progress" in status
    info = two("max", "project info", channel="dm")
    assert "LA · Launch approval" in info and "PU · Purchasing" in info
    assert "PU: " in two("max", "member list", channel="dm")
    assert "PU" not in two("max", "status")  # the bound channel stays on its own project


def test_dm_reads_without_any_project(chat):
    assert "not a member of any project" in chat("nobody", "status", channel="dm")
