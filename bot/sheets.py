"""Spreadsheets people print and file (openpyxl): a title block, a filterable table with
its header frozen and repeated on every printed page, long columns wrapped, A4 landscape
fitted to the page width. Every cell goes through bot.cells.put (text is never a formula).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from bot.cells import put
from handlers.ports import Sheet

# Column widths in characters: at least the header's longest word, at most WIDEST; wider
# text wraps inside its cell.
NARROWEST, WIDEST = 8, 60
DATE_WIDTH = 17
HEADER_FILL = PatternFill("solid", fgColor="F4E3E1")
THIN = Side(style="thin", color="BFBFBF")
FRAME = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def render_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx with one titled, printable, filterable table per sheet."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for n, sheet in enumerate(sheets, start=1):
        ws = book.create_sheet(_sheet_title(sheet.title, used))
        _write(ws, sheet, n)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(ws: Worksheet, sheet: Sheet, n: int) -> None:
    columns = max(len(sheet.headers), 1)
    last = get_column_letter(columns)
    row = 1
    for k, line in enumerate(sheet.heading):
        cell = put(ws, row, 1, line)
        cell.font = Font(bold=True, size=14) if k == 0 else Font(size=11)
        ws.merge_cells(f"A{row}:{last}{row}")
        row += 1
    if sheet.heading:
        row += 1  # a blank line between the title block and the table
    header_row = row
    for column, header in enumerate(sheet.headers, start=1):
        cell = put(ws, row, column, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = FRAME
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    wrapped = _widths(ws, sheet)
    for values in sheet.rows:
        row += 1
        for column, value in enumerate(values, start=1):
            cell = put(ws, row, column, value)
            cell.border = FRAME
            cell.alignment = Alignment(wrap_text=column in wrapped, vertical="top")
    ref = f"A{header_row}:{last}{max(row, header_row + 1)}"
    if sheet.rows:
        table = Table(displayName=f"Bang{n}", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row}"
    ws.freeze_panes = f"A{header_row + 1}"
    _print_setup(ws, header_row)


def _widths(ws: Worksheet, sheet: Sheet) -> set[int]:
    """Set each column's width from its content; return the columns whose text wraps."""
    wrapped: set[int] = set()
    for column, header in enumerate(sheet.headers, start=1):
        values = [r[column - 1] for r in sheet.rows if column - 1 < len(r)]
        if values and all(isinstance(v, datetime) for v in values if v is not None):
            width = DATE_WIDTH
        else:
            lengths = sorted(len(str(v)) for v in values if v is not None) or [0]
            # The longest but a few outliers sets the width; the outliers wrap.
            typical = lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]
            shortest = max(NARROWEST, *(len(word) for word in header.split()))
            width = min(WIDEST, max(shortest, typical + 2))
            if lengths[-1] > width:
                wrapped.add(column)
        ws.column_dimensions[get_column_letter(column)].width = width
    return wrapped


def _print_setup(ws: Worksheet, header_row: int) -> None:
    """A4 landscape, every column on the page's width, the header on every page, numbered."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the book.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:28] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        candidate, n = f"{clean} {n}", n + 1
    used.add(candidate)
    return candidate
