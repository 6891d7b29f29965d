"""`taskforce export` and per-project id sequences."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.exports.run import ExportError, export
from storage import projects
from storage.engine import make_engine
from storage.sequences import next_seq


def test_sequences_count_per_project_and_kind(any_db_url):
    engine = make_engine(any_db_url)
    with Session(engine) as db:
        from storage.models import Project

        for key in ("P1", "P2"):
            db.add(Project(key=key, name=key, created_at=datetime(2026, 11, 30, tzinfo=UTC)))
        db.commit()
        p1, p2 = projects.by_key(db, "P1").id, projects.by_key(db, "P2").id
        taken = [next_seq(db, p1, "E"), next_seq(db, p1, "E"), next_seq(db, p1, "T"),
                 next_seq(db, p2, "E"), next_seq(db, p1, "E")]
        db.commit()
    engine.dispose()
    assert taken == [1, 2, 1, 1, 3]


def test_items_export_to_xlsx_cell_by_cell(team, tmp_path: Path):
    team("olivia", 'action add "Map the flow" owner @max due 2026-11-20 deliverable "chart"')
    team("olivia", "action add 整理基线数据 owner @lena due 2026-11-25")
    team("max", "done A1")
    out = tmp_path / "la.xlsx"
    count = export(team.runtime.engine, ["items"], out, "la", None, "en")
    assert count == 2
    sheet = load_workbook(out)["Action items"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("ID", "Title", "Owner", "Department", "Status", "Due")
    assert rows[1][:6] == ("A1", "Map the flow", "max", "Marketing", "done", datetime(2026, 11, 20))
    assert rows[2][1] == "整理基线数据" and rows[2][3] == "Legal" and rows[2][4] == "open"
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["B"].width >= len("整理基线数据") * 2


def test_export_refuses_what_it_cannot_write(team, tmp_path: Path):
    engine = team.runtime.engine
    with pytest.raises(ExportError, match="unknown kind"):
        export(engine, ["nonsense"], tmp_path / "x.xlsx", "LA", None, "en")
    with pytest.raises(ExportError, match="no project"):
        export(engine, ["items"], tmp_path / "x.xlsx", "ZZ", None, "en")
    with pytest.raises(ExportError, match="--project"):
        export(engine, ["items"], tmp_path / "x.xlsx", None, None, "en")
    with pytest.raises(ExportError, match=".csv"):
        export(engine, ["items", "items"], tmp_path / "x.csv", "LA", None, "en")
    with pytest.raises(ExportError, match="must end"):
        export(engine, ["items"], tmp_path / "x.pdf", "LA", None, "en")
    assert not list(tmp_path.glob("x.*"))


def test_items_export_to_csv(team, tmp_path: Path):
    team("olivia", 'action add "Map, the flow" owner @max due 2026-11-20')
    out = tmp_path / "la.csv"
    export(team.runtime.engine, ["items"], out, "LA", None, "en")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith('A1,"Map, the flow",max,Marketing,open,2026-11-20')
    assert date(2026, 11, 20).isoformat() in lines[1]
