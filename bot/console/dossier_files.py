"""The commendation proposal as files: the customary table (số TT, họ tên, năm sinh, chức
vụ/đơn vị, tóm tắt thành tích, hình thức đề nghị) under the unit's heading, the national
motto and the date, as .docx (python-docx) and .xlsx (openpyxl).

Every cell is written as text: a nominee named "=HYPERLINK(…)" stays a name in Excel.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from bot.cells import put
from handlers.messages import t

COLUMNS = ("number", "name", "birth_year", "position", "summary", "form")
WIDTHS_CM = (1.2, 4.5, 1.8, 5.0, 10.0, 3.5)
XLSX_WIDTHS = (6, 26, 9, 30, 70, 20)
SUMMARY_LIMIT = 600


@dataclass(frozen=True)
class Line:
    """One row of the proposal."""

    name: str
    birth_year: str
    position: str
    summary: str
    form: str


@dataclass(frozen=True)
class Heading:
    """What stands above and below the table."""

    unit: str
    place: str
    day: int
    month: int
    year: int
    subtitle: str


def summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The achievement, cut at a word before `limit` characters (with an ellipsis)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _date_line(heading: Heading) -> str:
    return t(
        "console.dossier.file.date",
        place=heading.place,
        day=f"{heading.day:02d}",
        month=f"{heading.month:02d}",
        year=heading.year,
    )


def _header_cells() -> list[str]:
    return [t(f"console.dossier.file.col.{c}") for c in COLUMNS]


def _row(n: int, line: Line) -> list[str]:
    return [str(n), line.name, line.birth_year, line.position, line.summary, line.form]


# ------------------------------------------------------------------------------------ .docx
def docx(heading: Heading, lines: Sequence[Line]) -> bytes:
    """The proposal as a Word document, A4 landscape."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    top = document.add_table(rows=1, cols=2)
    left, right = top.rows[0].cells
    _lines(left, [(heading.unit.upper(), True, False)])
    _lines(
        right,
        [
            (t("console.dossier.file.nation"), True, False),
            (t("console.dossier.file.motto"), True, True),
        ],
    )
    date = document.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    date.add_run(_date_line(heading)).italic = True
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(t("console.dossier.file.title"))
    run.bold = True
    run.font.size = Pt(15)
    if heading.subtitle:
        sub = document.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub.add_run(heading.subtitle).italic = True
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, _header_cells(), strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for n, line in enumerate(lines, start=1):
        for cell, text in zip(table.add_row().cells, _row(n, line), strict=True):
            cell.text = text
    for column, width in zip(table.columns, WIDTHS_CM, strict=True):
        for cell in column.cells:
            cell.width = Cm(width)
    document.add_paragraph(t("console.dossier.file.total", count=len(lines)))
    sign = document.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sign.add_run(t("console.dossier.file.sign", unit=heading.unit.upper())).bold = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _lines(cell: _Cell, texts: Sequence[tuple[str, bool, bool]]) -> None:
    """Centred lines in a cell of the heading table (bold, underlined as asked)."""
    for n, (text, bold, underline) in enumerate(texts):
        paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold = bold
        run.underline = underline


# ------------------------------------------------------------------------------------ .xlsx
def _text(sheet: Worksheet, row: int, column: int, value: str, *, bold: bool = False) -> Cell:
    """Write a string as a string, never as a formula (bot.cells.put), wrapped, at the top."""
    cell = put(sheet, row, column, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx(heading: Heading, lines: Sequence[Line]) -> bytes:
    """The proposal as a spreadsheet: the heading rows, then the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("console.dossier.file.sheet")
    last = get_column_letter(len(COLUMNS))
    top = [
        (1, "A1:C1", heading.unit.upper(), True),
        (1, f"D1:{last}1", t("console.dossier.file.nation"), True),
        (2, f"D2:{last}2", t("console.dossier.file.motto"), True),
        (3, f"D3:{last}3", _date_line(heading), False),
        (5, f"A5:{last}5", t("console.dossier.file.title"), True),
        (6, f"A6:{last}6", heading.subtitle, False),
    ]
    for _, span, value, bold in top:
        sheet.merge_cells(span)
        row, column = coordinate_to_tuple(span.split(":")[0])
        cell = _text(sheet, row, column, value, bold=bold)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.row_dimensions[row].height = 20
    edge = Side(style="thin")
    border = Border(left=edge, right=edge, top=edge, bottom=edge)
    header_row = 8
    for column, text in enumerate(_header_cells(), start=1):
        cell = _text(sheet, header_row, column, text, bold=True)
        cell.border = border
    for n, line in enumerate(lines, start=1):
        for column, text in enumerate(_row(n, line), start=1):
            cell = _text(sheet, header_row + n, column, text)
            cell.border = border
    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    end = header_row + len(lines) + 2
    _text(sheet, end, 1, t("console.dossier.file.total", count=len(lines)))
    _text(
        sheet,
        end + 1,
        5,
        t("console.dossier.file.sign", unit=heading.unit.upper()),
        bold=True,
    )
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
