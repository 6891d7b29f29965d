"""storage/kpis.py on SQLite and PostgreSQL: the cadence upsert, the group query, the
latest value by date (a backfill is not newer), history pages and the export rows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage import kpis
from storage.engine import make_engine
from storage.models import Kpi, KpiValue, Membership, Person, Project
from storage.projects import process_owners

AT = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def _seed(db: Session) -> tuple[Kpi, Kpi, Person, Person]:
    olivia = Person(platform="console", user_id="olivia", display_name="olivia", name_key="olivia")
    max_ = Person(platform="console", user_id="max", display_name="max", name_key="max")
    la = Project(key="LA", name="LA", created_at=AT)
    ny = Project(key="NY", name="NY", timezone="America/New_York", calendar="weekends",
                 created_at=AT)
    db.add_all([olivia, max_, la, ny])
    db.flush()
    db.add(Membership(project_id=la.id, person_id=olivia.id, role="process-owner"))
    cycle = Kpi(project_id=la.id, name="cycle", baseline=15, target=7, unit="days")
    other = Kpi(project_id=ny.id, name="other", baseline=1, target=2)
    db.add_all([cycle, other])
    db.flush()
    return cycle, other, olivia, max_


def test_cadences_values_and_history(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine) as db:
        cycle, other, olivia, max_ = _seed(db)
        _, before = kpis.set_cadence(db, cycle, "week", 0, max_.id, olivia.id, AT)
        assert before is None
        changed, before = kpis.set_cadence(db, cycle, "month", 15, max_.id, olivia.id, AT)
        assert before is not None and (before.every, before.day) == ("week", 0)
        assert (changed.every, changed.day) == ("month", 15)
        kpis.set_cadence(db, other, "week", 2, olivia.id, olivia.id, AT)
        db.add_all([
            KpiValue(kpi_id=cycle.id, value=12, recorded_at=datetime(2026, 11, 18, 3, tzinfo=UTC),
                     recorded_by=max_.id),
            KpiValue(kpi_id=cycle.id, value=14, recorded_at=datetime(2026, 11, 9, tzinfo=UTC),
                     recorded_by=olivia.id),  # a backfill, stored after the newer value
        ])
        db.commit()

        group = kpis.in_group(db, "Asia/Shanghai", "cn")
        assert [(c.every, k.name, p.key) for c, k, p in group] == [("month", "cycle", "LA")]
        assert kpis.owned_project_ids(db, max_.id) == [cycle.project_id]
        projects = [cycle.project_id, other.project_id]
        found = kpis.with_latest(db, projects)
        latest = {k.id: (v, c) for pid in projects for k, v, c in found[pid]}
        assert [[k.id for k, _, _ in found[pid]] for pid in projects] == [[cycle.id], [other.id]]
        assert latest[cycle.id][0].value == 12 and latest[cycle.id][1].every == "month"
        assert latest[other.id][0] is None and latest[other.id][1].every == "week"
        same = datetime(2026, 11, 2, tzinfo=UTC)
        db.add_all([KpiValue(kpi_id=other.id, value=v, recorded_at=same, recorded_by=max_.id)
                    for v in (5, 6)])
        db.flush()
        tied = kpis.with_latest(db, [other.project_id, 999])
        assert [v.value for _, v, _ in tied[other.project_id]] == [6]  # a tie: the last
        assert tied[999] == []
        times = kpis.value_times_since(db, [cycle.id, other.id], datetime(2026, 11, 10, tzinfo=UTC))
        assert len(times[cycle.id]) == 1 and times[other.id] == []
        page, total = kpis.history(db, cycle.id, 0, 1)
        assert total == 2 and [(v.value, p.display_name) for v, p in page] == [(12, "max")]
        page, _ = kpis.history(db, cycle.id, 1, 1)
        assert [v.value for v, _ in page] == [14]
        rows = kpis.values_of_project(db, cycle.project_id)
        assert [(v.value, k.name, p.display_name) for v, k, p in rows] == [
            (14, "cycle", "olivia"), (12, "cycle", "max")]
        assert process_owners(db, [cycle.project_id, other.project_id]) == {
            cycle.project_id: olivia}
    engine.dispose()
