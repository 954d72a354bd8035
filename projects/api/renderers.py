"""CSV, XLSX and PDF renderers for the downloads; they render a `Workbook` of sheets.

CSV is UTF-8 with a byte-order mark, so Excel and WPS open it with Chinese intact; XLSX has
Chinese headers, widths fitted to the text, dates as dates and money as numbers; PDF sets every
sheet as a table on A4 pages (`projects.reports.pdf`).
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

from openpyxl import Workbook as XlsxWorkbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from rest_framework.renderers import BaseRenderer

from projects.reports.pdf import Table, tables_pdf

TEXT, MONEY, DATE, INTEGER, NUMBER, BOOLEAN = "text", "money", "date", "integer", "number", "boolean"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]
    kind: str = TEXT


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[dict] = field(default_factory=list)  # a generator for a streamed CSV
    note: str = ""  # the PDF prints it under the table's heading


@dataclass
class Workbook:
    filename: str  # without extension
    sheets: list[Sheet]
    title: str = ""  # heads every sheet (and the CSV) when given
    subtitle: str = ""  # the PDF prints it under the title


def _typed(kind: str, value):
    """The cell value: numbers and dates typed, flags as 是/否, the rest as text."""
    if value is None or value == "":
        return None
    if kind == MONEY:
        return Decimal(str(value))
    if kind == DATE:
        return date.fromisoformat(str(value)[:10])
    if kind in (INTEGER, NUMBER):
        return value
    if kind == BOOLEAN:
        return "是" if value else "否"
    return str(value)


def _width(text: str) -> int:
    """Display width: CJK and full-width characters take two columns in Excel."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"".join(self.stream(data))

    @staticmethod
    def stream(data: Workbook, rows_per_chunk: int = 500):
        """The CSV as encoded chunks of a few hundred rows, for a streaming response."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")

        def flush() -> bytes:
            chunk = buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            return chunk

        if data.title:
            writer.writerow([data.title])
        for index, sheet in enumerate(data.sheets):
            if len(data.sheets) > 1:
                if index or data.title:
                    writer.writerow([])
                writer.writerow([f"【{sheet.title}】"])
            writer.writerow([column.header for column in sheet.columns])
            for count, row in enumerate(sheet.rows, start=1):
                writer.writerow(["" if (v := _typed(c.kind, c.value(row))) is None else v for c in sheet.columns])
                if count % rows_per_chunk == 0:
                    yield flush()
        yield flush()


class XLSXRenderer(BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        book = XlsxWorkbook()
        book.remove(book.active)
        for sheet in data.sheets:
            self._write_sheet(book.create_sheet(title=sheet.title[:31]), sheet, data.title)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def _write_sheet(worksheet, sheet: Sheet, title: str = "") -> None:
        widths = [_width(column.header) for column in sheet.columns]
        if title:
            worksheet.append([title])
            worksheet["A1"].font = Font(bold=True, size=14)
            worksheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(sheet.columns), 1))
        header_row = worksheet.max_row + 1 if title else 1
        worksheet.append([column.header for column in sheet.columns])
        for cell in worksheet[header_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="center")
        for row in sheet.rows:
            # Control characters (pasted text may carry them) are stored and answered in JSON,
            # but a worksheet cannot hold them.
            values = [ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                      for value in (_typed(column.kind, column.value(row)) for column in sheet.columns)]
            worksheet.append(values)
            for index, value in enumerate(values):
                if value is not None:
                    widths[index] = max(widths[index], _width(str(value)))
        for index, column in enumerate(sheet.columns, start=1):
            letter = get_column_letter(index)
            worksheet.column_dimensions[letter].width = min(max(widths[index - 1] + 2, 8), 60)
            number_format = {MONEY: "#,##0.00", DATE: "yyyy-mm-dd", INTEGER: "0"}.get(column.kind)
            if number_format:
                for (cell,) in worksheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                    cell.number_format = number_format
        worksheet.freeze_panes = f"A{header_row + 1}"


def _cell_text(kind: str, value) -> str:
    """A cell as the PDF prints it: money with thousands separators, as the spreadsheet shows it."""
    value = _typed(kind, value)
    if value is None:
        return ""
    if kind == MONEY:
        return f"{value:,.2f}"
    return value.isoformat() if kind == DATE else str(value)


class PDFRenderer(BaseRenderer):
    """Every sheet as a table on A4 pages. Rendered inside the view (`TabularExportMixin.export_response`),
    so that a server without the PDF renderer answers 503 through the exception handler."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Workbook, accepted_media_type=None, renderer_context=None):
        styles = {MONEY: "num", INTEGER: "num", NUMBER: "num", DATE: "date"}
        return tables_pdf(title=data.title, subtitle=data.subtitle, tables=[
            Table(
                title=sheet.title,
                headers=[column.header for column in sheet.columns],
                rows=[[_cell_text(column.kind, column.value(row)) for column in sheet.columns] for row in sheet.rows],
                styles=[styles.get(column.kind, "") for column in sheet.columns],
                note=sheet.note,
            )
            for sheet in data.sheets
        ])


TABULAR_FORMATS = {CSVRenderer.format, XLSXRenderer.format}
# Every download format: the tables (any list or report) and the PDF (the reports that offer it).
DOWNLOAD_FORMATS = TABULAR_FORMATS | {PDFRenderer.format}
