"""Seed a migrated database at a given scale, reproducibly and in seconds.

    python -m benchmarks.seed --projects 2000 --url sqlite:///bench.db
    python -m benchmarks.seed --projects 2000 --url postgresql+psycopg://postgres@127.0.0.1/tf_bench

Every other project (the even ones) counts working days on the PRC calendar, the rest
on Monday to Friday. Per project: 10 members (the first the process owner), 100 items
(a third active, the rest mostly done over the last ten weeks), a history row per item,
2 KPIs with a value each, a decision; every fourth project has a weekly meeting slot. Escalations,
reviews, quizzes, KPI cadences, announcements, feedback, past meetings and rollouts
come from benchmarks/seed_extras.py (dated so that Thursday 09:00 has work for every job). The data
are the same for every run (a fixed random seed). `--closed-factor 10` multiplies
the done and cancelled items (what a project's history adds), for measuring that the
scheduled work does not grow with it.

Rows go in by bulk statements (SQLite: executemany in one transaction; PostgreSQL:
COPY); the explicit ids do not advance PostgreSQL's sequences, so each table's
sequence is set past its largest id afterwards.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from benchmarks.seed_extras import EXPLICIT, seed_extras
from storage.engine import make_engine
from storage.meetings import Decision, MeetingSlot
from storage.migrate import upgrade
from storage.models import (
    ActionItem,
    ChannelBinding,
    History,
    Kpi,
    KpiValue,
    Membership,
    Person,
    Project,
)

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 18)
ACTIVE = ["open"] * 3 + ["in_progress"] * 2 + ["blocked"]
CLOSED = ["done"] * 8 + ["cancelled"]
STATUSES = ACTIVE + CLOSED  # 6 in 15 active
BATCH = 20_000  # rows per statement on SQLite


def _people(projects: int, members: int) -> Iterator[dict[str, Any]]:
    for i in range(1, projects * members + 1):
        yield {"id": i, "platform": "console", "user_id": f"u{i}", "display_name": f"u{i}",
               "name_key": f"u{i}"}


def _extra(items: int, closed_factor: int) -> int:
    """How many closed items `--closed-factor` adds to a project."""
    return round(items * len(CLOSED) / len(STATUSES) * (closed_factor - 1))


def _projects(projects: int, items: int) -> Iterator[dict[str, Any]]:
    for p in range(1, projects + 1):  # every other project on the PRC calendar (P2's P4)
        yield {"id": p, "key": f"P{p}", "name": f"Project {p}", "timezone": "Asia/Shanghai",
               "calendar": "weekends" if p % 2 else "cn", "locale": "en", "phase": "pilot",
               "item_seq": items, "created_at": NOW}


def _item(rng: random.Random, p: int, seq: int, owner: int, closed: bool) -> dict[str, Any]:
    status = rng.choice(CLOSED) if closed else rng.choice(STATUSES)
    due = TODAY + timedelta(days=rng.randint(-60, 30))
    done_at = NOW - timedelta(hours=rng.randint(1, 24 * 70)) if status == "done" else None
    return {"id": None, "project_id": p, "seq": seq, "title": f"item {seq}", "owner_id": owner,
            "due_date": due, "original_due": due, "status": status, "slips": 0,
            "created_by": owner, "created_at": NOW, "updated_at": NOW, "done_at": done_at}


def _items(projects: int, members: int, items: int, closed_factor: int
           ) -> Iterator[dict[str, Any]]:
    """Each project's items: `items` drawn from STATUSES, then the extra closed ones."""
    rng = random.Random(7)
    next_id = 1
    for p in range(1, projects + 1):
        extra = _extra(items, closed_factor)
        for seq in range(1, items + extra + 1):
            owner = (p - 1) * members + rng.randint(1, members)
            row = _item(rng, p, seq, owner, closed=seq > items)
            row["id"] = next_id
            next_id += 1
            yield row


def _history(item_rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in item_rows:
        yield {"id": row["id"], "project_id": row["project_id"], "entity": "item",
               "entity_id": row["id"], "at": NOW, "field": "created", "new": row["title"]}


def _bulk(conn: Connection, table: type[SQLModel], rows: Iterator[dict[str, Any]] | list) -> int:
    """Insert `rows` (dicts with the same keys): COPY on PostgreSQL, executemany otherwise."""
    rows = list(rows)
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        columns = list(rows[0])
        name = table.__tablename__  # type: ignore[attr-defined]
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        quoted = ", ".join(f'"{c}"' for c in columns)  # (quizattempt has an "order")
        with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return len(rows)
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[start : start + BATCH])
    return len(rows)


def _set_sequences(conn: Connection, tables: list[type[SQLModel]]) -> None:
    """PostgreSQL: move each table's id sequence past the ids inserted explicitly."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        name = table.__tablename__  # type: ignore[attr-defined]
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"
        ))


def seed(engine: Engine, projects: int, members_per_project: int = 10,
         items_per_project: int = 100, closed_factor: int = 1) -> dict[str, int]:
    """Seed a migrated, empty database; the number of rows per table."""
    counts: dict[str, int] = {}
    items = list(_items(projects, members_per_project, items_per_project, closed_factor))
    ids = range(1, projects + 1)
    kpis = [{"id": 2 * p - k, "project_id": p, "name": f"kpi {k}", "name_key": f"kpi {k}",
             "baseline": 10.0, "target": 20.0, "unit": "d"} for p in ids for k in (1, 0)]
    with engine.begin() as conn:
        counts["person"] = _bulk(conn, Person, _people(projects, members_per_project))
        counts["project"] = _bulk(conn, Project, _projects(
            projects, items_per_project + _extra(items_per_project, closed_factor)))
        counts["channelbinding"] = _bulk(conn, ChannelBinding, (
            {"id": p, "project_id": p, "platform": "console", "channel_id": f"c{p}"}
            for p in ids))
        counts["membership"] = _bulk(conn, Membership, (
            {"id": (p - 1) * members_per_project + m + 1, "project_id": p,
             "person_id": (p - 1) * members_per_project + m + 1,
             "role": "process-owner" if m == 0 else "member"}
            for p in ids for m in range(members_per_project)))
        counts["actionitem"] = _bulk(conn, ActionItem, items)
        counts["history"] = _bulk(conn, History, _history(items))
        counts["kpi"] = _bulk(conn, Kpi, kpis)
        counts["kpivalue"] = _bulk(conn, KpiValue, (
            {"id": k["id"], "kpi_id": k["id"], "value": 12.5, "recorded_at": NOW}
            for k in kpis))
        counts["decision"] = _bulk(conn, Decision, (
            {"id": p, "project_id": p, "text": f"decision of P{p}", "at": NOW - timedelta(days=1),
             "source": "chat"} for p in ids))
        slotted = [p for p in ids if p % 4 == 0]
        counts["meetingslot"] = _bulk(conn, MeetingSlot, (
            {"project_id": p, "weekday": 3, "at": "10:00", "agenda_hours": 24, "minutes": 60,
             "reminder_minutes": 15, "next_at": NOW} for p in slotted))
        extras = seed_extras(conn, _bulk, projects, members_per_project,
                             items_per_project + _extra(items_per_project, closed_factor),
                             slotted)
        counts |= {t: counts.get(t, 0) + n for t, n in extras.items()}
        _set_sequences(conn, [Person, Project, ChannelBinding, Membership, ActionItem, History,
                              Kpi, KpiValue, Decision, *EXPLICIT])
    return counts


def slack_lead(engine: Engine, channels: list[str]) -> None:
    """A Slack member U1 ("Bench Lead") of P1, and P1 bound to each Slack channel given:
    who the serving benchmarks send `/tf` as, and where."""
    with engine.begin() as conn:
        person_id = conn.execute(insert(Person).values(
            platform="slack", user_id="U1", display_name="Bench Lead", name_key="b",
        ).returning(Person.id)).scalar_one()
        conn.execute(insert(Membership).values(project_id=1, person_id=person_id, role="member"))
        conn.execute(insert(ChannelBinding), [
            {"project_id": 1, "platform": "slack", "channel_id": c} for c in channels])


T = TypeVar("T")


def seeded(folder: Path, projects: int, name: str, closed_factor: int = 1) -> tuple[str, Engine]:
    """A migrated SQLite database in `folder` seeded at `projects` scale: its URL and engine."""
    url = f"sqlite:///{folder}/{name}-{projects}-{closed_factor}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects, closed_factor=closed_factor)
    return url, engine


def small_and_full(measure: Callable[[int, Path], T]) -> tuple[T, T, int]:
    """`measure` on 20 projects and on `--projects` (default 2,000), in one run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    projects = parser.parse_known_args()[0].projects
    with tempfile.TemporaryDirectory() as folder:
        return measure(20, Path(folder)), measure(projects, Path(folder)), projects


def main() -> None:
    parser = argparse.ArgumentParser(description="Seed a database for load tests.")
    parser.add_argument("--projects", type=int, required=True)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL (SQLite or PostgreSQL)")
    parser.add_argument("--closed-factor", type=int, default=1,
                        help="multiply the done and cancelled items by this")
    args = parser.parse_args()
    start = time.perf_counter()
    engine = make_engine(args.url)
    upgrade(engine)
    counts = seed(engine, args.projects, closed_factor=args.closed_factor)
    engine.dispose()
    rows = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"seeded {args.url} in {time.perf_counter() - start:.1f} s: {rows}")


if __name__ == "__main__":
    main()
