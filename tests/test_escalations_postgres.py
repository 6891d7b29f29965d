"""Two processes running the escalation ladder at once on PostgreSQL notify once: the
group's morning is claimed by a unique row, the records and notices follow from it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from support_scheduler import at, runtime_at, say
from test_jobs_postgres import BASE_URL, pg_url, tick  # noqa: F401

from storage.escalations import Escalation

pytestmark = pytest.mark.skipif(not BASE_URL, reason="TASKFORCE_TEST_POSTGRES_URL is not set")
PROJECTS = 6


def test_two_processes_climbing_at_once_notify_once(pg_url: str) -> None:  # noqa: F811
    rt = runtime_at(pg_url, at("2026-11-16T10:00"))
    for i in range(PROJECTS):
        channel = f"ch{i}"
        say(rt, "ann", f"project create P{i} key P{i} tz Europe/Berlin calendar weekends", channel)
        if i == 0:
            say(rt, "ann", "dept add Eng head @hd", channel)
        say(rt, "ann", "member add @bob dept Eng role lead", channel)
        say(rt, "ann", "member add @cid dept Eng", channel)
        say(rt, "ann", f'action add "Late {i}" owner @cid due 2026-11-19', channel)
    rt.engine.dispose()

    for when in ("2026-11-20T09:30:00+01:00", "2026-11-23T09:30:00+01:00"):
        first, second = tick(pg_url, when), tick(pg_url, when)
        outputs = [p.communicate(timeout=120) for p in (first, second)]
        for (_, err), process in zip(outputs, (first, second), strict=True):
            assert process.returncode == 0, err
    together = outputs[0][0] + outputs[1][0]
    for i in range(PROJECTS):
        for who in ("ann", "bob"):
            assert together.count(f"→ @{who}\n🔺 P{i}/E1: A1 Late {i}") == 1, (i, who)
        assert together.count(f"→ #ch{i}\n🔺 Escalated to the leads") == 1, i
    assert "→ @hd" not in together and "→ @cid" not in together
    rt = runtime_at(pg_url, at("2026-11-23T10:00"))
    with Session(rt.engine) as db:
        assert sorted(r.seq for r in db.exec(select(Escalation)).all()) == [1] * PROJECTS
    rt.engine.dispose()
