"""Sheets to a file: .xlsx (one sheet per kind, dates as Excel dates) or .csv (one kind)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.exports.sheets import Cell, Sheet

MAX_WIDTH = 60
FORMATS = (".xlsx", ".csv")


def _excel_value(value: Cell) -> Cell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: the caller localised it
    return value


def _width(value: Cell) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    # a CJK character is about two Latin ones wide
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_xlsx(sheets: Sequence[Sheet], path: Path) -> None:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(sheet.headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_excel_value(v) for v in row])
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
        for index, header in enumerate(sheet.headers, start=1):
            widest = max([_width(header), *(_width(r[index - 1]) for r in sheet.rows)])
            ws.column_dimensions[get_column_letter(index)].width = min(widest + 2, MAX_WIDTH)
        ws.freeze_panes = "A2"
    book.save(path)


def _csv_value(value: Cell) -> Cell:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


def write_csv(sheet: Sheet, path: Path) -> None:
    # utf-8-sig: Excel opens a BOM-marked CSV with Chinese text correctly
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(sheet.headers)
        for row in sheet.rows:
            out.writerow([_csv_value(v) for v in row])
