"""Writing spreadsheet cells safely: the one helper every workbook the bot makes goes through.

What members type ends up in spreadsheets that staff open in Excel. A name typed as
"=HYPERLINK(…)" or "+1+1" must stay that text, never become a formula; text is therefore
stored as a string cell whatever it starts with (rather than prefixed with a quote, which
would change what people read and copy).
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | float | datetime | None


def put(ws: Worksheet, row: int, column: int, value: Value) -> Cell:
    """Write one value: text as text (never a formula), dates as local wall-clock dates."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, datetime):
        # Excel has no time zones: a date is written as the local wall-clock time, naive.
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
    else:
        cell.value = value
    return cell
