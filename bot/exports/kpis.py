"""The `kpis` export: one row per recorded value of every KPI of the project, with the
KPI's unit, baseline and target, the value's date (an Excel date) and who recorded it."""

from __future__ import annotations

from sqlmodel import Session

from bot.catalog import text
from bot.exports.sheets import ExportRequest, Sheet, exporter
from bot.kpi_periods import local_date
from storage import kpis

COLUMNS = ("kpi", "unit", "baseline", "target", "value", "date", "recorded_by")


@exporter("kpis")
def kpis_sheet(db: Session, request: ExportRequest) -> Sheet:
    project = request.project
    assert project is not None  # registered with needs_project
    locale = request.locale
    sheet = Sheet(
        title=text(locale, "export.kpis.sheet"),
        headers=[text(locale, f"export.kpis.{c}") for c in COLUMNS],
    )
    for value, kpi, by in kpis.values_of_project(db, project.id):
        sheet.rows.append([
            kpi.name,
            kpi.unit,
            kpi.baseline,
            kpi.target,
            value.value,
            local_date(value.recorded_at, project.timezone),
            by.display_name if by else None,
        ])
    return sheet
