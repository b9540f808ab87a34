"""The report as one print-friendly HTML page, from the blocks of :mod:`dashboard.report.content`.

Self-contained and inert: the images are embedded as ``data:`` URLs, there is no script,
no external resource and a Content-Security-Policy that forbids both, and every text
(interface text and data alike) goes through :func:`dashboard.escaping.html_text`.  The
print stylesheet sets A4 pages, keeps tables and images from splitting and starts each
profile on a new page, as the PDF does.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Final

from dashboard.escaping import html_text
from dashboard.i18n import t
from dashboard.report.content import Block, Heading, Image, PageBreak, Para, Table, report_blocks
from dashboard.report.model import Report

#: No script, no external fetch: images are data URLs, styles are inline.
CSP: Final = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS: Final = """
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #222;
       max-width: 48em; margin: 1.5em auto; line-height: 1.35; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 1.2em; } h3 { font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; margin: 0.3em 0 0.8em; font-size: 8.5pt; }
th, td { border: 1px solid #b0b0b0; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #e8eef4; }
figure { margin: 0.6em 0; } figure img { width: 100%; height: auto; }
figcaption, .note { font-size: 7.5pt; color: #555; } .small { font-size: 8.5pt; }
.page-break { break-before: page; page-break-before: always; }
@page { size: A4; margin: 1.8cm; }
@media print { body { margin: 0; max-width: none; } table, figure { break-inside: avoid; } }
"""


def _text(value: str) -> str:
    return html_text(value).replace("\n", "<br>")


def _table(block: Table) -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_text(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _image(block: Image) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    alt = html_text(block.alt or block.caption)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
        f"<figcaption>{_text(block.caption)}</figcaption></figure>"
    )


def _block(block: Block, page_break: bool) -> str:
    cls = ' class="page-break"' if page_break else ""
    if isinstance(block, Heading):
        return f"<h{block.level}{cls}>{_text(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        style = "" if block.style == "normal" else block.style
        classes = " ".join(c for c in (style, "page-break" if page_break else "") if c)
        return (
            f'<p class="{classes}">{_text(block.text)}</p>'
            if classes
            else f"<p>{_text(block.text)}</p>"
        )
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Image):
        return _image(block)
    return ""


def html_document(report: Report, blocks: Sequence[Block] | None = None) -> str:
    """Return the report as a complete HTML document (UTF-8 text)."""
    blocks = report_blocks(report) if blocks is None else blocks
    parts = []
    breaking = False
    for block in blocks:
        if isinstance(block, PageBreak):
            breaking = True
            continue
        parts.append(_block(block, breaking))
        breaking = False
    title = html_text(t("report_title", report.lang))
    return (
        f'<!DOCTYPE html>\n<html lang="{html_text(report.lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
