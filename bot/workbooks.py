"""Spreadsheets as .xlsx (openpyxl); loaded only by a process that exports one."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from handlers.ports import Sheet


def render_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx with one filterable table per sheet; datetimes become real date cells."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for n, sheet in enumerate(sheets, start=1):
        title = _sheet_title(sheet.title, used)
        ws = book.create_sheet(title)
        ws.append(list(sheet.headers))
        for row in sheet.rows:
            ws.append([_cell(v) for v in row])
        for column, header in enumerate(sheet.headers, start=1):
            letter = get_column_letter(column)
            ws.column_dimensions[letter].width = max(12, min(50, len(header) + 4))
            for cell in ws[letter][1:]:
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
        if sheet.rows:
            ref = f"A1:{get_column_letter(len(sheet.headers))}{len(sheet.rows) + 1}"
            table = Table(displayName=f"Bang{n}", ref=ref)
            table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
            ws.add_table(table)
        else:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}1"
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean} {n}", n + 1
    used.add(candidate)
    return candidate


def _cell(value: object) -> object:
    # Excel has no time zones: dates are written as the local wall-clock time, naive.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value
