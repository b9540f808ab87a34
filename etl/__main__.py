"""Command line of the ETL: ``python -m etl build|report|fetch|publish``.

Errors in the data or the arguments end in one clear line on stderr (exit status 1 for
a failed build or download, 2 for bad arguments), never a bare traceback.

A stage whose new layer lost more rows, or whose bbox moved further, than the layer's
limits in ``etl/settings.py`` allow fails and keeps the previous files;
``build --accept-changes`` writes it anyway.  ``fetch`` reuses a download younger than
a day and revalidates an older one with the server; ``fetch --refresh`` downloads again.
``publish --geopackage FILE`` and/or ``--postgis URL`` hand every layer, with its
provenance, to QGIS or a PostGIS database (:mod:`etl.publish`).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from etl.errors import EtlError
from etl.pipeline import BuildContext, StageResult, relative_to_project, run_pipeline, select_stages
from etl.settings import default_settings
from geodata.catalog import DATA_DIR
from geodata.io import SnapshotError

log = logging.getLogger("etl")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="build processed layers and graphs from raw inputs")
    build.add_argument(
        "--source-dir",
        type=Path,
        help="raw folder laid out like ../shared/data (default: the download cache, "
        "filled by `fetch`)",
    )
    build.add_argument("--out", type=Path, default=DATA_DIR, help="snapshot folder (geodata/)")
    build.add_argument("--only", nargs="+", metavar="NAME", help="stages or layers to build")
    build.add_argument("--force", action="store_true", help="rebuild even when unchanged")
    build.add_argument(
        "--accept-changes",
        action="store_true",
        help="replace layers even when they lost more rows, or their bbox moved further, "
        "than the limits in etl/settings.py allow (see the failed stage's message)",
    )
    build.add_argument(
        "--childcare-file",
        type=Path,
        help="official Opgroeien / De Sociale Kaart childcare export (CSV or XLSX) to import",
    )

    report = sub.add_parser("report", help="one row per processed layer")
    report.add_argument("--json", action="store_true", help="print a JSON list")
    report.add_argument("--out", type=Path, default=DATA_DIR, help="snapshot folder")

    fetch = sub.add_parser("fetch", help="download raw inputs from the live publishers")
    fetch.add_argument("names", nargs="*", metavar="NAME", help="sources (default: all)")
    fetch.add_argument("--raw-dir", type=Path, help="download folder (default: raw_cache/)")
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="download again even when the cached copy is recent (default: reuse a copy "
        "younger than a day, revalidate an older one with the server)",
    )

    publish = sub.add_parser(
        "publish", help="write every layer into a GeoPackage and/or a PostGIS database"
    )
    publish.add_argument("--geopackage", type=Path, metavar="FILE", help="GeoPackage to write")
    publish.add_argument(
        "--postgis",
        metavar="URL",
        help="PostgreSQL URL, e.g. postgresql://user:password@127.0.0.1:5432/db (tables are "
        "replaced in one transaction)",
    )
    publish.add_argument("--schema", default="public", help="PostGIS schema (default: public)")
    publish.add_argument("--layers", nargs="+", metavar="NAME", help="only these layers")
    publish.add_argument("--out", type=Path, default=DATA_DIR, help="snapshot folder to publish")
    return parser


def _print_progress(result: StageResult) -> None:
    line = f"[{result.status:>9}] {result.name:<22} {result.seconds:6.1f} s  {result.message}"
    print(line.rstrip(), flush=True)


def _build(args: argparse.Namespace) -> int:
    from etl.stages import all_stages

    source_dir = args.source_dir or default_settings().raw_dir
    if not source_dir.is_dir():
        print(f"error: source folder {source_dir} does not exist", file=sys.stderr)
        return 2
    if args.childcare_file and not args.childcare_file.is_file():
        print(f"error: --childcare-file {args.childcare_file} does not exist", file=sys.stderr)
        return 2
    ctx = BuildContext(
        source_dir=source_dir,
        out_dir=args.out,
        options={"childcare_file": args.childcare_file},
    )
    stages = select_stages(all_stages(), args.only)
    print(f"building {len(stages)} stage(s) from {source_dir} into {relative_to_project(args.out)}")
    started = time.perf_counter()
    results = run_pipeline(
        stages,
        ctx,
        force=args.force,
        accept_changes=args.accept_changes,
        progress=_print_progress,
    )
    failed = [r for r in results if r.status in {"failed", "skipped"}]
    if all(r.status == "unchanged" for r in results):
        print("nothing changed: every layer is up to date with its inputs")
    print(f"done in {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        names = ", ".join(r.name for r in failed)
        print(
            f"error: {len(failed)} stage(s) not built ({names}); their previous files are kept",
            file=sys.stderr,
        )
        refused = [r.name for r in failed if r.changes]
        if refused:
            print(
                f"note: {', '.join(refused)} changed beyond the limits of etl/settings.py "
                "(see above); if that is expected, run again with --accept-changes",
                file=sys.stderr,
            )
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    from etl.report import format_json, format_table, report_rows

    rows = report_rows(args.out)
    if not rows:
        print(f"error: no layers in {args.out}; run `python -m etl build` first", file=sys.stderr)
        return 1
    print(format_json(rows) if args.json else format_table(rows))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from etl.fetch import fetch

    paths = fetch(args.names, raw_dir=args.raw_dir, refresh=args.refresh)
    for path in paths:
        print(path)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from etl.publish import collect_layers

    if args.geopackage is None and args.postgis is None:
        print("error: publish needs --geopackage FILE and/or --postgis URL", file=sys.stderr)
        return 2
    try:
        layers = collect_layers(args.out, args.layers or ())
    except ValueError as exc:  # an unknown --layers name
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.geopackage is not None:
        from etl.publish.geopackage import write_geopackage

        path = write_geopackage(layers, args.geopackage)
        print(f"GeoPackage: {path} ({len(layers)} layers + atlas_layers)")
    if args.postgis is not None:
        from etl.publish.postgis import publish_postgis, safe_url

        counts = publish_postgis(layers, args.postgis, schema=args.schema)
        rows = sum(counts.values())
        where = f"{safe_url(args.postgis)} schema {args.schema}"
        print(f"PostGIS: {where}: {len(counts)} tables, {rows} rows")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the process exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # GDAL's per-layer "Created N records" lines say nothing the command does not print
    logging.getLogger("pyogrio").setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    commands = {"build": _build, "report": _report, "fetch": _fetch, "publish": _publish}
    try:
        return commands[args.command](args)
    except (EtlError, SnapshotError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
