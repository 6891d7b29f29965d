"""Trial (issue 15): Unicode department and KPI names are found again however they are typed,
on SQLite (whose `lower()` folds ASCII only) and on PostgreSQL, and the migration backfills
the key of rows written before it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from trial_chat import Org

from storage.engine import make_engine
from storage.migrate import alembic_config
from storage.models import Department, Kpi
from storage.names import name_key

NAMES = [
    ("Über", "über"),  # SQLite's lower() leaves Ü as it is
    ("Größe", "GRÖSSE"),  # casefold: ß is ss
    ("Ｑｕａｌｉｔｙ", "quality"),  # NFKC: full-width letters
    ("ﬁnance", "FINANCE"),  # NFKC: the fi ligature
]


@pytest.fixture
def org(any_db_url: str) -> Iterator[Org]:
    chat = Org(any_db_url).set_up()
    yield chat
    chat.runtime.engine.dispose()


def test_a_unicode_department_is_found_as_typed_in_any_case(org, trial):
    for stored, typed in NAMES:
        trial.tried(f'dept add "{stored}", then member add @max dept "{typed}"')
        org("olivia", f'dept add "{stored}" head @mona')
        answer = org("olivia", f'member add @max dept "{typed}"')
        assert "There is no department" not in answer, answer
        assert stored in answer, answer
        trial.held(f'"{typed}" found the department "{stored}"')

        trial.tried(f'dept add "{typed}" again (same name, other case)')
        again = org("olivia", f'dept add "{typed}" head @mona')
        assert "internal" not in again.lower() and stored in again, again
        trial.held("answered that the department exists; no unique-constraint failure")
    with Session(org.runtime.engine) as db:
        names = [d.name for d in db.exec(select(Department)).all()]
    assert sorted(names) == sorted(["Marketing", "Legal", *(s for s, _ in NAMES)])
    trial.held(f"one row per department: {len(names)} rows")


def test_a_unicode_kpi_is_found_as_typed_in_any_case(org, trial):
    for stored, typed in NAMES:
        trial.tried(f'project kpi "{stored}" baseline 15 target 7, then record it as "{typed}"')
        org("olivia", f'project kpi "{stored}" baseline 15 target 7')
        recorded = org("olivia", f'project kpi "{typed}" record 9')
        assert "There is no KPI" not in recorded, recorded
        redefined = org("olivia", f'project kpi "{typed}" baseline 14 target 7')
        assert "internal" not in redefined.lower(), redefined
        trial.held(f'"{typed}" recorded and redefined the KPI "{stored}"')
    with Session(org.runtime.engine) as db:
        kpis = db.exec(select(Kpi)).all()
    assert sorted(k.name for k in kpis) == sorted(s for s, _ in NAMES)
    assert all(k.name_key == name_key(k.name) for k in kpis)
    trial.held(f"one KPI per name, each keyed by name_key: {len(kpis)} rows")


def test_the_migration_backfills_every_key(any_db_url, trial):
    from alembic import command

    engine = make_engine(any_db_url)
    config = alembic_config(any_db_url)
    trial.tried("rows written at revision 0010 (Über and über both, as SQLite allowed), "
                "then upgrade to head")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
        conn.execute(text("DELETE FROM kpi"))
        conn.execute(text("INSERT INTO department (name) VALUES ('Über'), ('über'), ('Legal ')"))
        conn.execute(text("INSERT INTO project (key, name, timezone, calendar, locale, phase, "
                          "item_seq, created_at) VALUES ('UX', 'UX', 'UTC', 'cn', 'en', "
                          "'diagnose', 0, '2026-11-18 02:00:00')"))
        conn.execute(text("INSERT INTO kpi (project_id, name, baseline, target) SELECT id, "
                          "'Größe', 1, 2 FROM project WHERE key = 'UX'"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with Session(engine) as db:
        keys = {d.name: d.name_key for d in db.exec(select(Department)).all()}
        kpi = db.exec(select(Kpi)).one()
    engine.dispose()
    assert keys["Über"] == "über" and keys["Legal "] == "legal"
    assert keys["über"].startswith("über#")
    assert kpi.name_key == "grösse" == name_key("GRÖSSE")
    trial.held(f"keys backfilled: {keys}, KPI {kpi.name_key!r}; the duplicate kept, re-keyed")


def test_the_migrated_schema_matches_the_models(any_db_url, trial) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    trial.tried("alembic's autogenerate comparison of the migrated name-key tables")
    engine = make_engine(any_db_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    ours = [d for d in diffs if any(t in repr(d) for t in ("'department'", "'kpi'", "'person'",
                                                          "name_key"))]
    assert ours == []
    trial.held("department, kpi and person match the models (name_key, unique indexes)")
