"""The intake report: shortlist profiles, map, score, sources, as PDF and print HTML.

:func:`~dashboard.report.model.build_report` gathers the content,
:func:`~dashboard.report.pdf.pdf_bytes` and :func:`~dashboard.report.html.html_document`
render it; ``python -m dashboard.report`` does both from the command line.
"""
