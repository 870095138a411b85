"""Writing spreadsheet cells safely: the one helper every workbook the bot makes goes through.

What members type ends up in spreadsheets that staff open in Excel. A name typed as
"=HYPERLINK(…)" or "+1+1" must stay that text, never become a formula; text is therefore
stored as a string cell whatever it starts with (rather than prefixed with a quote
character, which would change what people read and copy). A string cell is only safe until
someone edits it: Excel and LibreOffice re-read an edited cell as typed, and "=…" becomes a
formula again. Text that starts like a formula also gets Excel's quote prefix (a style flag,
`quotePrefix`, not a character in the value), which keeps it text through edits.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

Value = str | int | float | datetime | None
# What a spreadsheet reads as the start of a formula (OWASP's CSV injection list: "=", "+",
# "-", "@", and a tab or carriage return before them).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell
