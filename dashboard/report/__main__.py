r"""Command line: the intake report as PDF and/or print HTML, prepared before the meeting.

Example::

    python -m dashboard.report --workplace 50.8775,4.7004 --mode bike --max-minutes 20 \\
        --workplace2 50.8455,4.3571 --mode2 train_walk --max-minutes2 60 \\
        --wijk 2406219 --wijk 240621 --lang nl --out intake.pdf --html intake.html

Bad arguments (unknown neighbourhood, more than four, unusable coordinates, mode or
minutes, an output that cannot be written) print one line on stderr and exit with 2;
a damaged snapshot exits with 1 and names the file.  Outputs are written atomically
(a temporary file renamed over the target), so a failed run leaves no half file.

The score uses the defaults of :class:`dashboard.layers.candidates.PlaceFilters` (the
app's with no filter set): every school and every childcare place counts, and the price
is the municipal median house price; default weights.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from dashboard.engine.core import COMMUTE_MODES
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import parse_latlon
from dashboard.i18n import LANGUAGES
from dashboard.report.html import html_document
from dashboard.report.model import ClientWorkplace, ReportInputError, ReportRequest, build_report
from dashboard.report.pdf import pdf_bytes
from dashboard.state import MAX_SHORTLIST, MINUTES_RANGE
from geodata.io import SnapshotError, atomic_path

#: Exit status of bad arguments (as argparse) and of a damaged snapshot.
EXIT_USAGE = 2
EXIT_SNAPSHOT = 1


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block): ``error: <what is wrong>``."""

    def error(self, message: str) -> NoReturn:
        _fail(message)


def _fail(message: str, status: int = EXIT_USAGE) -> NoReturn:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    raise SystemExit(status)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    parser = _Parser(prog="python -m dashboard.report", description=__doc__.splitlines()[0])
    for suffix, required in (("", True), ("2", False)):
        parser.add_argument(f"--workplace{suffix}", required=required, metavar="LAT,LON")
        modes = ", ".join(COMMUTE_MODES)
        parser.add_argument(f"--mode{suffix}", required=required, help=f"one of {modes}")
        parser.add_argument(f"--max-minutes{suffix}", required=required, metavar="N")
    shortlist = f"a shortlisted neighbourhood code (1 to {MAX_SHORTLIST})"
    parser.add_argument("--wijk", action="append", required=True, metavar="CODE", help=shortlist)
    parser.add_argument("--lang", default="en", metavar="LANG", help="en, nl or fr")
    parser.add_argument("--out", type=Path, metavar="FILE.pdf")
    parser.add_argument("--html", type=Path, metavar="FILE.html")
    return parser


def _minutes(text: str, flag: str) -> int:
    low, high = MINUTES_RANGE
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        _fail(f"{flag}: {text!r} is not a whole number of minutes from {low} to {high}")
    return int(text)


def _workplace(args: argparse.Namespace, suffix: str) -> ClientWorkplace | None:
    place = getattr(args, f"workplace{suffix}")
    mode = getattr(args, f"mode{suffix}")
    limit = getattr(args, f"max_minutes{suffix}")
    if place is None and mode is None and limit is None:
        return None
    if place is None or mode is None or limit is None:
        _fail(f"--workplace{suffix}, --mode{suffix} and --max-minutes{suffix} go together")
    try:
        point = parse_latlon(place)
    except BadInputError as exc:
        _fail(f"--workplace{suffix}: {exc}")
    if mode not in COMMUTE_MODES:
        _fail(f"--mode{suffix}: {mode!r} is not one of {', '.join(COMMUTE_MODES)}")
    return ClientWorkplace(point, mode, _minutes(limit, f"--max-minutes{suffix}"))


def _check_output(path: Path | None, flag: str) -> None:
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path()
    if path.is_dir():
        _fail(f"{flag}: {path} is a folder, not a file")
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        _fail(f"{flag}: cannot write into {folder} (missing or not writable)")
    if path.exists() and not os.access(path, os.W_OK):
        _fail(f"{flag}: {path} exists and is not writable")


def request_from_args(args: argparse.Namespace) -> ReportRequest:
    """Check the parsed arguments and return the report request (exits 2 when bad)."""
    if args.lang not in LANGUAGES:
        _fail(f"--lang: {args.lang!r} is not one of {', '.join(LANGUAGES)}")
    if args.out is None and args.html is None:
        _fail("give --out FILE.pdf and/or --html FILE.html")
    if len(args.wijk) > MAX_SHORTLIST:
        _fail(f"--wijk: at most {MAX_SHORTLIST} neighbourhoods, got {len(args.wijk)}")
    _check_output(args.out, "--out")
    _check_output(args.html, "--html")
    places = [p for p in (_workplace(args, ""), _workplace(args, "2")) if p is not None]
    return ReportRequest(tuple(places), tuple(args.wijk), args.lang)


def _write(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    request = request_from_args(args)
    started = time.perf_counter()
    try:
        report = build_report(request)
    except ReportInputError as exc:
        _fail(f"--{exc.argument}: {exc.problem}")
    except SnapshotError as exc:
        _fail(f"damaged data snapshot: {exc}", EXIT_SNAPSHOT)
    from dashboard.report.content import report_blocks

    blocks = report_blocks(report)
    written = []
    if args.out is not None:
        _write(args.out, pdf_bytes(report, blocks))
        written.append(f"{args.out} ({args.out.stat().st_size:,} bytes)")
    if args.html is not None:
        _write(args.html, html_document(report, blocks).encode("utf-8"))
        written.append(f"{args.html} ({args.html.stat().st_size:,} bytes)")
    seconds = time.perf_counter() - started
    print(f"wrote {' and '.join(written)} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
