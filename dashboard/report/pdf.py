"""The report as a PDF (ReportLab), from the blocks of :mod:`dashboard.report.content`.

ReportLab paragraphs read a small XML-like markup, so every text (interface text and
data alike) is escaped with :func:`dashboard.escaping.html_text` before it becomes a
paragraph: a ``<`` or ``&`` in a school's name is shown, never read as markup.  The font
is DejaVu Sans, shipped with matplotlib (no download), because the PDF base fonts cannot
show every character of Belgian place names.  Pages are A4 with a footer naming the
page; the document is built in memory and written by the caller (atomically).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Table as PdfTable

from dashboard.escaping import html_text
from dashboard.i18n import t
from dashboard.report.content import Block, Heading, Image, PageBreak, Para, Table, report_blocks
from dashboard.report.model import Report

FONT: Final = "DejaVuSans"
FONT_BOLD: Final = "DejaVuSans-Bold"
MARGIN: Final = 1.8 * cm


@functools.cache
def _register_fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9, leading=12)
    return {
        "h1": ParagraphStyle("h1", parent=base["Title"], fontName=FONT_BOLD, fontSize=17),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=13),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=FONT_BOLD, fontSize=10.5),
        "normal": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "note": ParagraphStyle("note", parent=body, fontSize=7, leading=9, textColor="#555555"),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9.5),
        "head": ParagraphStyle("head", parent=body, fontName=FONT_BOLD, fontSize=7.5, leading=9.5),
    }


def _para(text: str, style: str) -> Paragraph:
    # Escape first, then turn the blocks' line breaks into the markup's own.
    return Paragraph(html_text(text).replace("\n", "<br/>"), _styles()[style])


def _table(block: Table, width: float) -> PdfTable:
    columns = len(block.header)
    shares = block.widths or (1.0,) * columns
    widths = [width * w / sum(shares) for w in shares]
    data = [[_para(h, "head") for h in block.header]]
    data += [[_para(cell, "cell") for cell in row] for row in block.rows]
    table = PdfTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#b0b0b0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _image(block: Image, width: float) -> Flowable:
    picture = PdfImage(io.BytesIO(block.png))
    scale = width * block.width / picture.imageWidth
    picture.drawWidth = picture.imageWidth * scale
    picture.drawHeight = picture.imageHeight * scale
    return KeepTogether([picture, _para(block.caption, "note"), Spacer(1, 6)])


def _flowables(blocks: Sequence[Block], width: float) -> list[Flowable]:
    out: list[Flowable] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(_para(block.text, f"h{block.level}"))
        elif isinstance(block, Para):
            out.append(_para(block.text, block.style))
        elif isinstance(block, Table):
            out.extend([_table(block, width), Spacer(1, 4)])
        elif isinstance(block, Image):
            out.append(_image(block, width))
        elif isinstance(block, PageBreak):
            out.append(PdfPageBreak())
    return out


def pdf_bytes(report: Report, blocks: Sequence[Block] | None = None) -> bytes:
    """Return the report as PDF bytes (the blocks of :func:`report_blocks` by default)."""
    blocks = report_blocks(report) if blocks is None else blocks
    buffer = io.BytesIO()
    title = t("report_title", report.lang)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author="Leuven Atlas",
        lang=report.lang,
    )

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        page = t("report_page", report.lang, n=document.page)
        canvas.drawString(MARGIN, MARGIN / 2, f"{title} · {report.generated}")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN / 2, page)
        canvas.restoreState()

    doc.build(_flowables(blocks, doc.width), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
