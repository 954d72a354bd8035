"""Tables as an A4 PDF, such as the weekly bulletin sent to the district committee.

WeasyPrint lays out an HTML page (`projects/tables_pdf.html`): the title, each table under its
heading (header rows repeated on every page), page numbers in the footer, and the CJK font of
`settings.REPORT_PDF_FONT` embedded (only the glyphs used). The renderer fetches nothing but that
font: no other file and no URL is ever read while a PDF is drawn.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from PIL import ImageFile

from projects.domain.exceptions import ServiceError

logger = logging.getLogger(__name__)


class PdfUnavailable(ServiceError):
    """This server cannot draw PDFs (503): WeasyPrint, the system libraries it loads, or the font is missing."""

    status_code = 503
    default_detail = ("暂时无法生成 PDF：服务器缺少 PDF 排版组件（WeasyPrint 及其所需的 Pango 系统库）。"
                      "请先下载 xlsx 版本，并请管理员按部署文档安装。")


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]  # cells as they read
    # Per column: "num" (figures: right-aligned) or "date" (kept on one line); such columns take the
    # width of their cells and leave the rest of the page to the text.
    styles: list[str]
    note: str = ""  # a line under the heading
    empty: str = field(default="（无）")


def _weasyprint():
    # Imported on first use, not when the service starts: importing WeasyPrint loads Pango, and a
    # server without it still serves everything else and answers a PDF request with 503.
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:
        logger.warning("PDF renderer unavailable: %s", exc)
        raise PdfUnavailable() from exc
    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, after which a truncated
    # photo would decode (grey at the bottom) and be stored. The bulletin embeds no raster image, so
    # Pillow's strict default is put back for the photos' decoder.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return weasyprint, FontConfiguration


def _font() -> Path:
    font = Path(settings.REPORT_PDF_FONT)
    if not font.is_file():
        logger.warning("PDF font missing: REPORT_PDF_FONT names no file")
        raise PdfUnavailable("暂时无法生成 PDF：找不到中文字体文件（设置项 REPORT_PDF_FONT）。"
                             "请先下载 xlsx 版本，并请管理员检查配置。")
    return font


def _only(weasyprint, allowed: str):
    """A URL fetcher that reads the one file `allowed` and refuses everything else."""

    class OnlyTheFont(weasyprint.urls.URLFetcher):
        def fetch(self, url, headers=None):
            if url != allowed:
                raise ValueError(f"not fetched while drawing a PDF: {url[:80]}")
            return super().fetch(url, headers)

    return OnlyTheFont(allowed_protocols={"file"}, allow_redirects=False)


def _em(text: str) -> float:
    """Roughly how wide `text` sets, in em: CJK and full-width characters 1, others about half."""
    return sum(1.0 if ord(char) > 0x2E80 else 0.55 for char in text)


SHORT_TEXT_EM = 5.0


def _columns(table: Table) -> list[tuple[str, str]]:
    """Each column's class and width (a CSS declaration). A figure or date column is as wide as its widest cell or its
    header on up to two lines (at least four characters a line); a text column whose cells are all
    short ("short") keeps them on one line; the other text columns, at least five characters wide,
    share what is left of the page."""
    columns = []
    for index, style in enumerate(table.styles):
        cells = max((_em(row[index]) for row in table.rows), default=0.0)
        if not style:
            if table.rows and cells <= SHORT_TEXT_EM:
                columns.append(("short", ""))
            else:  # at least five characters a line, so that a name does not stand two to a line
                columns.append(("", f"min-width: {SHORT_TEXT_EM + 0.6:.1f}em" if table.rows else ""))
            continue
        header = _em(table.headers[index])
        columns.append((style, f"width: {max(cells, min(header, max(header / 2, 4.0))) + 0.6:.1f}em"))
    return columns


def _context(table: Table) -> dict:
    columns = _columns(table)
    classes = [style for style, _ in columns]
    return {
        "title": table.title, "note": table.note, "empty": table.empty,
        "headers": [(header, width) for header, (_, width) in zip(table.headers, columns)],
        "rows": [list(zip(row, classes)) for row in table.rows],
    }


def tables_pdf(*, title: str, subtitle: str = "", tables: list[Table]) -> bytes:
    """The PDF: `title` and `subtitle` on the first page, then every table; raises PdfUnavailable."""
    weasyprint, FontConfiguration = _weasyprint()
    font_url = _font().as_uri()
    html = render_to_string("projects/tables_pdf.html", {
        "title": title, "subtitle": subtitle, "font_url": font_url,
        "tables": [_context(table) for table in tables],
    })
    fonts = FontConfiguration()
    document = weasyprint.HTML(string=html, url_fetcher=_only(weasyprint, font_url))
    return document.write_pdf(font_config=fonts)
