"""Two replicas ticking at once on PostgreSQL post each project's agenda once
(job periods claimed by unique rows, outbox rows keyed per meeting)."""

from __future__ import annotations

import pytest
from support_scheduler import runtime_at, say
from test_jobs_postgres import BASE_URL, pg_url, tick  # noqa: F401  (the fixture)
from test_meetings_jobs import sh

pytestmark = pytest.mark.skipif(
    not BASE_URL, reason="TASKFORCE_TEST_POSTGRES_URL is not set (a PostgreSQL server to test on)"
)
PROJECTS = 6


def test_two_replicas_post_one_agenda_per_meeting(pg_url: str) -> None:  # noqa: F811
    rt = runtime_at(pg_url, sh("2026-11-16T10:00"))
    for i in range(PROJECTS):
        channel = f"ch{i}"
        say(rt, "ann", f"project create M{i} key M{i} tz Asia/Shanghai calendar weekends", channel)
        say(rt, "ann", "meeting set thu 14:00", channel)
        say(rt, "ann", f'agenda add "Topic {i}"', channel)
    rt.engine.dispose()

    when = "2026-11-18T14:00:00+08:00"  # 24 hours before Thursday's meetings
    first, second = tick(pg_url, when), tick(pg_url, when)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for (_, err), process in zip(outputs, (first, second), strict=True):
        assert process.returncode == 0, err
    together = outputs[0][0] + outputs[1][0]
    for i in range(PROJECTS):
        assert together.count(f"→ #ch{i}\n📋 Agenda — M{i} M{i}") == 1, together
        assert together.count(f"T1 Topic {i}") == 1
    again = [p.communicate(timeout=120)[0] for p in (tick(pg_url, when), tick(pg_url, when))]
    assert "Agenda" not in "".join(again)
