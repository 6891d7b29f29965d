"""Bulk-seed a database at a given scale: projects, people, memberships, items, history."""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import ActionItem, ChannelBinding, History, Membership, Person, Project

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 18)
STATUSES = ["open"] * 3 + ["in_progress"] * 2 + ["blocked"] + ["done"] * 8 + ["cancelled"]


def seed(
    engine: Engine, projects: int, members_per_project: int = 10, items_per_project: int = 100
) -> None:
    rng = random.Random(7)
    people = projects * members_per_project
    with engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "id": i,
                    "platform": "console",
                    "user_id": f"u{i}",
                    "display_name": f"u{i}",
                    "name_key": f"u{i}",
                }
                for i in range(1, people + 1)
            ],
        )
        conn.execute(
            insert(Project),
            [
                {
                    "id": p,
                    "key": f"P{p}",
                    "name": f"Project {p}",
                    "timezone": "Asia/Shanghai",
                    "calendar": "weekends",
                    "locale": "en",
                    "phase": "pilot",
                    "item_seq": items_per_project,
                    "created_at": NOW,
                }
                for p in range(1, projects + 1)
            ],
        )
        conn.execute(
            insert(ChannelBinding),
            [
                {"project_id": p, "platform": "console", "channel_id": f"c{p}"}
                for p in range(1, projects + 1)
            ],
        )
        conn.execute(
            insert(Membership),
            [
                {
                    "project_id": p,
                    "person_id": (p - 1) * members_per_project + m + 1,
                    "role": "process-owner" if m == 0 else "member",
                }
                for p in range(1, projects + 1)
                for m in range(members_per_project)
            ],
        )
        rows, history = [], []
        for p in range(1, projects + 1):
            for s in range(1, items_per_project + 1):
                due = TODAY + timedelta(days=rng.randint(-60, 30))
                owner = (p - 1) * members_per_project + rng.randint(1, members_per_project)
                rows.append(
                    {
                        "project_id": p,
                        "seq": s,
                        "title": f"item {s}",
                        "owner_id": owner,
                        "due_date": due,
                        "original_due": due,
                        "status": rng.choice(STATUSES),
                        "slips": 0,
                        "created_by": owner,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
                history.append(
                    {
                        "project_id": p,
                        "entity": "item",
                        "entity_id": len(rows),
                        "at": NOW,
                        "field": "created",
                        "new": f"item {s}",
                    }
                )
            if len(rows) >= 20_000:
                conn.execute(insert(ActionItem), rows)
                conn.execute(insert(History), history)
                rows, history = [], []
        if rows:
            conn.execute(insert(ActionItem), rows)
            conn.execute(insert(History), history)


T = TypeVar("T")


def seeded(folder: Path, projects: int, name: str) -> tuple[str, Engine]:
    """A migrated SQLite database in `folder` seeded at `projects` scale: its URL and engine."""
    url = f"sqlite:///{folder}/{name}-{projects}.db"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, projects)
    return url, engine


def small_and_full(measure: Callable[[int, Path], T]) -> tuple[T, T, int]:
    """`measure` on 20 projects and on `--projects` (default 2,000), in one run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000)
    projects = parser.parse_args().projects
    with tempfile.TemporaryDirectory() as folder:
        return measure(20, Path(folder)), measure(projects, Path(folder)), projects
