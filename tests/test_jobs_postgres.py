"""Several replicas on the real PostgreSQL server: job periods claimed by unique rows,
outbox rows by FOR UPDATE SKIP LOCKED; each digest and alert goes out once.

Needs TASKFORCE_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test);
each test run works in a throwaway database created from it and dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support_scheduler import at, runtime_at, say

from bot.messages import Notice, Target
from bot.outbox.enqueue import enqueue
from storage import outbox
from storage.engine import transaction

BASE_URL = os.environ.get("TASKFORCE_TEST_POSTGRES_URL")
ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(
    not BASE_URL, reason="TASKFORCE_TEST_POSTGRES_URL is not set (a PostgreSQL server to test on)"
)
PROJECTS = 12


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = make_url(BASE_URL)
    name = f"tf_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def tick(url: str, when: str) -> subprocess.Popen:
    env = {**os.environ, "TASKFORCE_DATABASE_URL": url, "TASKFORCE_TIMEZONE": "UTC"}
    env.pop("TASKFORCE_NOW", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--at", when],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_ticking_at_once_post_each_digest_once(pg_url: str) -> None:
    rt = runtime_at(pg_url, at("2026-11-16T10:00"))
    say(rt, "ann", "project create P0 key P0 tz Europe/Berlin calendar weekends", "ch0")
    say(rt, "ann", "dept add Eng head @ann", "ch0")
    for i in range(PROJECTS):
        channel = f"ch{i}"
        if i:
            say(
                rt,
                "ann",
                f"project create P{i} key P{i} tz Europe/Berlin calendar weekends",
                channel,
            )
        say(rt, "ann", "member add @bob dept Eng", channel)
        say(rt, "ann", f'action add "Late {i}" owner @bob due 2026-11-19', channel)
    rt.engine.dispose()

    when = "2026-11-20T17:30:00+01:00"
    first, second = tick(pg_url, when), tick(pg_url, when)
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    for (_, err), process in zip(outputs, (first, second), strict=True):
        assert process.returncode == 0, err
    together = outputs[0][0] + outputs[1][0]
    print("messages per process:", [out.count("→ ") for out, _ in outputs])
    for i in range(PROJECTS):
        assert together.count(f"→ #ch{i}\n📊 P{i} P{i} — weekly progress") == 1, i
        assert together.count(f"→ #ch{i}\n⏰ P{i} P{i}: 1 item newly overdue") == 1, i
        assert together.count(f"  A1 Late {i} · bob · was due") == 1, i
        assert together.count(f"⏰ Your item P{i} A1 Late {i}") == 1, i
        assert together.count(f"📌 ann gave you P{i} A1: Late {i}") == 1, i
    assert together.count("→ ") == 4 * PROJECTS

    again = [p.communicate(timeout=120)[0] for p in (tick(pg_url, when), tick(pg_url, when))]
    assert again == ["", ""]


def test_claims_skip_rows_another_transaction_holds(pg_url: str) -> None:
    rt = runtime_at(pg_url, at("2026-11-20T17:00"))
    now, lease = rt.clock.now(), timedelta(minutes=5)
    notices = [
        Notice(
            Target("console", channel_id="c"),
            "message",
            {"key": "quiet.off", "params": {}},
            dedupe_key=f"k{i}",
        )
        for i in range(6)
    ]
    with transaction(rt.engine) as db:
        assert enqueue(db, notices, now, "UTC") == 6
    with transaction(rt.engine) as db:
        assert enqueue(db, notices, now, "UTC") == 0  # idempotent on the dedupe key
    with transaction(rt.engine) as one:
        first = outbox.claim(one, "one", ["console"], now, lease, 4)
        with transaction(rt.engine) as two:  # would block here without SKIP LOCKED
            second = outbox.claim(two, "two", ["console"], now, lease, 4)
    assert len(first) == 4 and len(second) == 2
    assert not {r.id for r in first} & {r.id for r in second}
    with transaction(rt.engine) as three:
        assert outbox.claim(three, "three", ["console"], now, lease, 10) == []  # leased
    with transaction(rt.engine) as four:
        later = outbox.claim(four, "four", ["console"], now + lease, lease, 10)
    assert len(later) == 6  # every lease ran out: nothing is stuck behind a dead claimer
    rt.engine.dispose()
