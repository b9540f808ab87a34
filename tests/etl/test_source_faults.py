"""Fault injection over every source parser: a damaged input is a SourceError naming it.

Each parser gets a real input (a committed fixture, see ``tests/fixtures/*/README.md``,
or a cut of the mirror in ``tmp_path``) with one fault injected: cut mid-row, zero
bytes, a required column renamed, Latin-1 or random bytes, a repeated id row, swapped
coordinates, a zip member damaged inside.  Every case asserts a
:class:`etl.errors.SourceError` whose message names the file (and the zip member, line
or id where there is one).  The last tests run stages through :mod:`etl.pipeline` and
check that a faulty source leaves the previous layer byte-identical.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import addresses as address_src
from etl.sources import (
    boundaries,
    childcare,
    demography,
    housing,
    international_schools,
    osm,
    osm_pbf,
    schools,
    transit,
)
from etl.stages import boundaries as boundary_stage
from etl.stages import schools as school_stage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
#: A Tuesday inside the NMBS fixture's calendar (see tests/fixtures/transit/README.md).
TUESDAY = date(2019, 10, 15)


def _raises_naming(path: Path, fragment: str | None = None) -> pytest.RaisesExc:
    """Expect a SourceError whose message starts with ``path`` and holds ``fragment``."""
    pattern = re.escape(str(path)) + ".*"
    if fragment is not None:
        pattern += re.escape(fragment)
    return pytest.raises(SourceError, match=pattern)


# --------------------------------------------------------------------------- CSV sources


@dataclass(frozen=True)
class CsvSource:
    """A CSV parser and the real input it is fed.

    Attributes
    ----------
    name : str
        Test id.
    fixture : str
        File under tests/fixtures.
    parse : callable
        Parses a file of that kind (raises SourceError on a fault).
    required : str
        A required column, renamed by the missing-column fault.
    dup_row : int
        0-based data row whose copy is appended by the duplicate-id fault.
    swap : tuple of str, optional
        The two coordinate columns swapped by the swapped-coordinates fault.
    sep : str
        Field delimiter.
    utf8_only : bool
        False where the publisher documents another encoding (Latin-1 then is valid).
    missing_message : str, optional
        Expected message for the renamed column (default: the column's name).
    """

    name: str
    fixture: str
    parse: Callable[[Path], object]
    required: str
    dup_row: int
    swap: tuple[str, str] | None = None
    sep: str = ","
    utf8_only: bool = True
    missing_message: str | None = None


def _schools(path: Path) -> object:
    return schools.schools_to_points(schools.parse_school_list(path), path)


CSV_SOURCES = [
    CsvSource("schools", "schools/onderwijsinstellingen_sample.csv", _schools, "lx", 0),
    CsvSource(
        "enrolments",
        "schools/enrolments_sample.csv",
        schools.parse_enrolments,
        "enrolments_2022",
        0,
    ),
    CsvSource(
        "international_schools",
        "international_schools/international_schools_sample.csv",
        international_schools.parse_international_schools,
        "coord_source",
        0,
        swap=("lat", "lon"),
    ),
    CsvSource(
        "opgroeien_export",
        "childcare/opgroeien_locaties_sample.csv",
        childcare.parse_opgroeien_export,
        "Vergunningstype",
        0,
        swap=("X", "Y"),
        sep=";",
        utf8_only=False,  # Excel's Windows-1252 "CSV" is accepted on purpose
        missing_message="missing required column(s): type",
    ),
    CsvSource(
        "childcare_places",
        "childcare/childcare_places_flanders_brussels_2018_2025.csv",
        childcare.parse_places_flanders,
        "locations",
        0,
    ),
    CsvSource(
        "childcare_facts",
        "childcare/childcare_aggregate_facts.csv",
        childcare.parse_aggregate_facts,
        "note",
        1,
    ),
    CsvSource(
        "irail_stations",
        "transit/irail_stations.csv",
        transit.parse_irail_stations,
        "avg_stop_times",
        1,
        swap=("longitude", "latitude"),
    ),
    CsvSource(
        "population",
        "demography/population_2020.csv",
        demography.parse_population,
        "inhabitants",
        0,
    ),
    CsvSource("households", "demography/households.csv", demography.parse_households, "n", 0),
    CsvSource("sale_prices", "housing/sale_prices.csv", housing.parse_sale_prices, "p50", 4),
    CsvSource(
        "building_stock", "housing/building_stock.csv", housing.parse_building_stock, "MS_VALUE", 20
    ),
    CsvSource(
        "strategic_nodes",
        "graphs/strategic_network/leuven_strategic_nodes.csv",
        osm.parse_strategic_nodes,
        "lat",
        0,
        swap=("lon", "lat"),
    ),
    CsvSource(
        "strategic_links",
        "graphs/strategic_network/leuven_strategic_links.csv",
        osm.parse_strategic_links,
        "length_m",
        0,
    ),
]
_CSV_IDS = [s.name for s in CSV_SOURCES]


def _csv_copy(source: CsvSource, tmp_path: Path, text: str | None = None) -> Path:
    original = FIXTURES / source.fixture
    target = tmp_path / original.name
    if text is None:
        shutil.copyfile(original, target)
    else:
        target.write_text(text, encoding="utf-8", newline="")
    return target


def _records(source: CsvSource) -> list[str]:
    """The fixture's records as raw text (a quoted field may span lines)."""
    text = (FIXTURES / source.fixture).read_text(encoding="utf-8-sig")
    lines = text.splitlines(keepends=True)
    records, pending = [], ""
    for line in lines:
        pending += line
        if pending.count('"') % 2 == 0:
            records.append(pending)
            pending = ""
    return records


def _cut_after_fields(record: str, sep: str, keep: int) -> str:
    """The first ``keep`` fields of a raw record, cut just before the next delimiter."""
    quoted, fields = False, 0
    for i, char in enumerate(record):
        if char == '"':
            quoted = not quoted
        elif char == sep and not quoted:
            fields += 1
            if fields == keep:
                return record[:i]
    return record


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_intact_fixture_parses(source: CsvSource, tmp_path: Path) -> None:
    """The control: the unmodified input passes every contract."""
    source.parse(_csv_copy(source, tmp_path))


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_cut_mid_row(source: CsvSource, tmp_path: Path) -> None:
    """A copy interrupted inside the last row: the short row is named by its line."""
    records = _records(source)
    width = len(next(csv.reader([records[0]], delimiter=source.sep)))
    cut = _cut_after_fields(records[-1], source.sep, max(1, width // 2))
    path = _csv_copy(source, tmp_path, "".join(records[:-1]) + cut)
    line = "".join(records[:-1]).count("\n") + 1
    with _raises_naming(path, f"line {line} has {max(1, width // 2)} of {width} fields"):
        source.parse(path)


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_zero_bytes(source: CsvSource, tmp_path: Path) -> None:
    path = _csv_copy(source, tmp_path, "")
    with _raises_naming(path, "empty"):
        source.parse(path)


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_missing_required_column(source: CsvSource, tmp_path: Path) -> None:
    records = _records(source)
    fields = next(csv.reader([records[0]], delimiter=source.sep))
    renamed = [f"{f}_renamed" if f == source.required else f for f in fields]
    assert renamed != fields
    header = source.sep.join(renamed) + "\n"
    path = _csv_copy(source, tmp_path, "".join([header, *records[1:]]))
    with _raises_naming(path, source.missing_message or f"'{source.required}'"):
        source.parse(path)


@pytest.mark.parametrize("source", [s for s in CSV_SOURCES if s.utf8_only], ids=lambda s: s.name)
def test_csv_latin1_bytes(source: CsvSource, tmp_path: Path) -> None:
    """A Latin-1 copy (an accent added on the last line): refused, naming file and line."""
    records = _records(source)
    last = records[-1].replace(source.sep, "é" + source.sep, 1)
    data = "".join([*records[:-1], last]).encode("latin-1", errors="replace")
    path = tmp_path / Path(source.fixture).name
    path.write_bytes(data)
    first = next(i for i, byte in enumerate(data) if byte >= 0x80)
    line = data[:first].count(b"\n") + 1
    expected = f"is not UTF-8 text: byte 0x{data[first]:02x} at offset {first} (line {line})"
    with _raises_naming(path, expected):
        source.parse(path)


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_random_bytes(source: CsvSource, tmp_path: Path) -> None:
    path = tmp_path / Path(source.fixture).name
    path.write_bytes(random.Random(7).randbytes(4096))
    with _raises_naming(path):
        source.parse(path)


@pytest.mark.parametrize("source", CSV_SOURCES, ids=_CSV_IDS)
def test_csv_duplicated_id_row(source: CsvSource, tmp_path: Path) -> None:
    """A row appended twice: the error quotes both lines of the repeated id."""
    records = _records(source)
    body = "".join(records)
    if not body.endswith("\n"):
        body += "\n"
    copy = records[1 + source.dup_row]
    path = _csv_copy(source, tmp_path, body + copy)
    first = "".join(records[: 1 + source.dup_row]).count("\n") + 1
    last = body.count("\n") + 1
    with _raises_naming(path, f"appears 2 times (lines {first}, {last})"):
        source.parse(path)


@pytest.mark.parametrize("source", [s for s in CSV_SOURCES if s.swap], ids=lambda s: s.name)
def test_csv_swapped_coordinates(source: CsvSource, tmp_path: Path) -> None:
    """Renaming x to y and y to x in the header swaps every row's coordinates."""
    assert source.swap is not None
    x, y = source.swap
    records = _records(source)
    fields = next(csv.reader([records[0]], delimiter=source.sep))
    swapped = [{x: y, y: x}.get(f, f) for f in fields]
    header = source.sep.join(swapped) + "\n"
    path = _csv_copy(source, tmp_path, "".join([header, *records[1:]]))
    with _raises_naming(path, "outside"):
        source.parse(path)


# --------------------------------------------------------------------------- plain text


TEXT_PARSERS = {
    "schools_mergers": schools.parse_mergers,
    "demography_mergers": demography.parse_mergers,
}


@pytest.mark.parametrize("parse", TEXT_PARSERS.values(), ids=list(TEXT_PARSERS))
def test_mergers_list_faults(parse: Callable[[Path], object], tmp_path: Path) -> None:
    text = (FIXTURES / "schools" / "municipality_mergers_2025.csv").read_text(encoding="utf-8")
    path = tmp_path / "mergers.csv"
    path.write_text(text)
    assert parse(path)
    cut = text[: text.rindex("(")]  # cut inside the last line's new code
    path.write_text(cut)
    with _raises_naming(path, f"line {cut.count(chr(10)) + 1} is not"):
        parse(path)
    path.write_bytes(b"")
    with _raises_naming(path):
        parse(path)
    path.write_bytes(text.replace("Antwerpen", "Anvers é", 1).encode("latin-1"))
    with _raises_naming(path, "is not UTF-8 text: byte 0xe9 at offset"):
        parse(path)
    path.write_bytes(random.Random(7).randbytes(4096))
    with _raises_naming(path):
        parse(path)


# --------------------------------------------------------------------------- GeoJSON


@dataclass(frozen=True)
class VectorSource:
    """A GeoJSON parser, its fixture, id property and a shift that moves it into the sea."""

    name: str
    fixture: str
    parse: Callable[[Path], object]
    key: str
    shift: tuple[float, float]


VECTOR_SOURCES = [
    VectorSource(
        "municipalities",
        "boundaries/municipalities.geojson",
        boundaries.parse_municipalities,
        "nis",
        (-2.3, 0.6),
    ),
    VectorSource(
        "wijken", "boundaries/wijken.geojson", boundaries.parse_areas, "code", (-2.3, 0.6)
    ),
    VectorSource(
        "deelgemeenten",
        "boundaries/deelgemeenten.geojson",
        boundaries.parse_areas,
        "code",
        (-2.3, 0.6),
    ),
    VectorSource(
        "sectors",
        "demography/sectors.geojson",
        demography.parse_sectors,
        "CD_SECTOR",
        (-160_000.0, 60_000.0),  # metres (EPSG:31370): off the coast
    ),
]
_VECTOR_IDS = [s.name for s in VECTOR_SOURCES]


def _geojson(source: VectorSource) -> dict[str, object]:
    data: dict[str, object] = json.loads((FIXTURES / source.fixture).read_text(encoding="utf-8"))
    return data


def _write_json(data: dict[str, object], path: Path) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _shift(coords: object, dx: float, dy: float) -> object:
    """Move nested GeoJSON coordinates by (dx, dy)."""
    if isinstance(coords, list) and coords and isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1] + dy, *coords[2:]]
    assert isinstance(coords, list)
    return [_shift(c, dx, dy) for c in coords]


@pytest.mark.parametrize("source", VECTOR_SOURCES, ids=_VECTOR_IDS)
def test_vector_faults(source: VectorSource, tmp_path: Path) -> None:
    """Zero bytes, a cut file, random bytes, Latin-1 and a renamed property, each named."""
    path = tmp_path / Path(source.fixture).name
    text = (FIXTURES / source.fixture).read_text(encoding="utf-8")
    source.parse(_write_json(json.loads(text), path))
    for damaged in (b"", text[: len(text) // 2].encode(), random.Random(7).randbytes(4096)):
        path.write_bytes(damaged)
        with _raises_naming(path):
            source.parse(path)
    latin1 = text.replace('"name": "', '"name": "\u00e9', 1).encode("latin-1")
    path.write_bytes(latin1)
    offset = latin1.index(b"\xe9")
    line = latin1[:offset].count(b"\n") + 1
    with _raises_naming(path, f"is not UTF-8 text: byte 0xe9 at offset {offset} (line {line})"):
        source.parse(path)
    renamed = text.replace(f'"{source.key}":', f'"{source.key}_renamed":')
    path.write_text(renamed, encoding="utf-8")
    with _raises_naming(path, f"missing column(s) '{source.key}'"):
        source.parse(path)


@pytest.mark.parametrize("source", VECTOR_SOURCES, ids=_VECTOR_IDS)
def test_vector_duplicated_feature(source: VectorSource, tmp_path: Path) -> None:
    data = _geojson(source)
    features = data["features"]
    assert isinstance(features, list)
    data["features"] = [*features, features[0]]
    value = features[0]["properties"][source.key]
    path = _write_json(data, tmp_path / "dup.geojson")
    with _raises_naming(path, f"{value!r} appears 2 times (features 1, {len(features) + 1})"):
        source.parse(path)


@pytest.mark.parametrize("source", VECTOR_SOURCES, ids=_VECTOR_IDS)
def test_vector_moved_into_the_sea(source: VectorSource, tmp_path: Path) -> None:
    """Every polygon moved off the Belgian coast: refused, not built into the layer."""
    data = _geojson(source)
    features = data["features"]
    assert isinstance(features, list)
    for feature in features:
        geometry = feature["geometry"]
        geometry["coordinates"] = _shift(geometry["coordinates"], *source.shift)
    path = _write_json(data, tmp_path / "sea.geojson")
    with _raises_naming(path, f"{len(features)} of {len(features)} "):
        source.parse(path)
    with _raises_naming(path, "lie outside the Leuven region"):
        source.parse(path)


# --------------------------------------------------------------------------- GTFS zips


def _zip_tables(folder: Path, target: Path, **replace: str | bytes) -> Path:
    """Zip a fixture folder's GTFS tables; ``replace`` swaps a table's content."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in sorted(folder.glob("*.txt")):
            content = replace.get(table.stem, table.read_bytes())
            zf.writestr(table.name, content)
    return target


def _damage_member(feed: Path, member: str) -> None:
    """Overwrite the second half of a member's compressed bytes (data lost inside)."""
    data = bytearray(feed.read_bytes())
    with zipfile.ZipFile(feed) as zf:
        info = zf.getinfo(member)
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    half = info.compress_size // 2
    data[start + half : start + info.compress_size] = bytes(info.compress_size - half)
    feed.write_bytes(bytes(data))


@dataclass(frozen=True)
class GtfsCase:
    """A GTFS reader, the feed it reads, a table it needs and a column it requires.

    ``unique`` says whether the column is the table's key (GTFS reference), so that a
    repeated row is an error.
    """

    name: str
    folder: str
    parse: Callable[[Path], object]
    table: str
    key: str
    unique: bool = True


GTFS_CASES = [
    GtfsCase("nmbs_stations", "transit/nmbs_gtfs", transit.parse_nmbs_stations, "stops", "stop_id"),
    GtfsCase(
        "nmbs_timetable",
        "transit/nmbs_gtfs",
        lambda p: transit.rail_timetable_on(p, TUESDAY),
        "stop_times",
        "trip_id",
    ),
    GtfsCase(
        "nmbs_trips",
        "transit/nmbs_gtfs",
        lambda p: transit.rail_stop_times_on(p, TUESDAY),
        "trips",
        "trip_id",
    ),
    GtfsCase(
        "nmbs_served", "transit/nmbs_gtfs", transit.rail_served_stop_ids, "routes", "route_id"
    ),
    GtfsCase(
        "nmbs_calendar",
        "transit/nmbs_gtfs",
        lambda p: transit.service_ids_on(p, TUESDAY),
        "calendar",
        "service_id",
    ),
    GtfsCase(
        "nmbs_calendar_dates",
        "transit/nmbs_gtfs",
        lambda p: transit.service_ids_on(p, TUESDAY),
        "calendar_dates",
        "date",
    ),
    GtfsCase(
        "nmbs_transfers",
        "transit/nmbs_gtfs",
        transit.min_transfer_seconds,
        "transfers",
        "min_transfer_time",
        unique=False,
    ),
    GtfsCase(
        "nmbs_translations",
        "transit/nmbs_gtfs",
        lambda p: transit.read_translations(p, "nl"),
        "translations",
        "translation",
        unique=False,
    ),
    GtfsCase("delijn_stops", "transit/delijn_gtfs", transit.parse_delijn_stops, "stops", "stop_id"),
    GtfsCase(
        "delijn_trips",
        "transit/delijn_gtfs",
        lambda p: transit.delijn_trips_by_route_on(p, date(2019, 7, 3)),
        "trips",
        "trip_id",
    ),
]
_GTFS_IDS = [c.name for c in GTFS_CASES]


def _table_text(case: GtfsCase) -> str:
    return (FIXTURES / case.folder / f"{case.table}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_intact_feed_parses(case: GtfsCase, tmp_path: Path) -> None:
    case.parse(_zip_tables(FIXTURES / case.folder, tmp_path / "feed.zip"))


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_member_damaged_inside(case: GtfsCase, tmp_path: Path) -> None:
    """Compressed bytes lost inside a member: CRC/zlib error named as archive!member."""
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "feed.zip")
    _damage_member(feed, f"{case.table}.txt")
    with _raises_naming(Path(f"{feed}!{case.table}.txt"), "zip member is truncated or corrupt"):
        case.parse(feed)


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_archive_cut(case: GtfsCase, tmp_path: Path) -> None:
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "feed.zip")
    feed.write_bytes(feed.read_bytes()[: feed.stat().st_size // 2])
    with _raises_naming(feed, "not a readable zip file"):
        case.parse(feed)


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_member_cut_mid_row(case: GtfsCase, tmp_path: Path) -> None:
    """A member re-zipped after a cut inside its last row: the CRC is fine, the row is short."""
    text = _table_text(case).rstrip("\n")
    head, last = text.rsplit("\n", 1)
    width = len(head.split("\n", 1)[0].split(","))
    cut = _cut_after_fields(last, ",", 2)
    feed = _zip_tables(
        FIXTURES / case.folder, tmp_path / "feed.zip", **{case.table: f"{head}\n{cut}"}
    )
    line = head.count("\n") + 2
    where = Path(f"{feed}!{case.table}.txt")
    with _raises_naming(where, f"line {line} has 2 of {width} fields"):
        case.parse(feed)


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_member_zero_bytes_and_not_utf8(case: GtfsCase, tmp_path: Path) -> None:
    where_name = f"{case.table}.txt"
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "feed.zip", **{case.table: b""})
    with _raises_naming(Path(f"{feed}!{where_name}")):
        case.parse(feed)
    latin1 = _table_text(case).replace(",", ",é", 1).encode("latin-1")
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "l.zip", **{case.table: latin1})
    with _raises_naming(Path(f"{feed}!{where_name}"), "is not UTF-8 text: byte 0xe9"):
        case.parse(feed)
    noise = random.Random(7).randbytes(4096)
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "r.zip", **{case.table: noise})
    with _raises_naming(Path(f"{feed}!{where_name}")):
        case.parse(feed)


@pytest.mark.parametrize("case", GTFS_CASES, ids=_GTFS_IDS)
def test_gtfs_missing_key_column(case: GtfsCase, tmp_path: Path) -> None:
    text = _table_text(case)
    header, rest = text.split("\n", 1)
    renamed = header.replace(case.key, f"{case.key}_renamed", 1)
    feed = _zip_tables(
        FIXTURES / case.folder, tmp_path / "f.zip", **{case.table: f"{renamed}\n{rest}"}
    )
    with _raises_naming(Path(f"{feed}!{case.table}.txt"), f"missing column(s) '{case.key}'"):
        case.parse(feed)


@pytest.mark.parametrize("case", [c for c in GTFS_CASES if c.unique], ids=lambda c: c.name)
def test_gtfs_duplicated_id_row(case: GtfsCase, tmp_path: Path) -> None:
    text = _table_text(case)
    lines = text.rstrip("\n").split("\n")
    doubled = "\n".join([*lines, lines[1]]) + "\n"
    feed = _zip_tables(FIXTURES / case.folder, tmp_path / "f.zip", **{case.table: doubled})
    with _raises_naming(
        Path(f"{feed}!{case.table}.txt"), f"appears 2 times (lines 2, {len(lines) + 1})"
    ):
        case.parse(feed)


@pytest.mark.parametrize("folder", ["transit/nmbs_gtfs", "transit/delijn_gtfs"])
def test_gtfs_swapped_stop_coordinates(folder: str, tmp_path: Path) -> None:
    text = (FIXTURES / folder / "stops.txt").read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    fields = header.split(",")
    swapped = [
        {"stop_lat": "stop_lon", "stop_lon": "stop_lat"}.get(f.strip('"'), f) for f in fields
    ]
    feed = _zip_tables(FIXTURES / folder, tmp_path / "f.zip", stops=",".join(swapped) + "\n" + rest)
    parse = transit.parse_nmbs_stations if "nmbs" in folder else transit.parse_delijn_stops
    with _raises_naming(Path(f"{feed}!stops.txt"), "lie outside Belgium"):
        parse(feed)


def test_gtfs_stop_times_cut_at_a_line_end(tmp_path: Path) -> None:
    """A stop_times.txt cut between rows passes every row check; its lost trips do not."""
    text = (FIXTURES / "transit/nmbs_gtfs/stop_times.txt").read_text(encoding="utf-8")
    lines = text.rstrip("\n").split("\n")
    kept = [line for line in lines if not line.startswith(("T3,", "B1,"))]
    feed = _zip_tables(
        FIXTURES / "transit/nmbs_gtfs", tmp_path / "f.zip", stop_times="\n".join(kept) + "\n"
    )
    with _raises_naming(Path(f"{feed}!stop_times.txt"), "trips of trips.txt have no call"):
        transit.rail_timetable_on(feed, TUESDAY)
    with _raises_naming(Path(f"{feed}!stop_times.txt"), "stop_times.txt truncated?"):
        transit.rail_served_stop_ids(feed)


def test_statbel_zip_member_damaged_inside(tmp_path: Path) -> None:
    """Statbel's live format is a zip: a damaged member names archive and member."""
    text = (FIXTURES / "housing" / "vastgoed_live_sample.txt").read_bytes()
    feed = tmp_path / "vastgoed.zip"
    with zipfile.ZipFile(feed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("vastgoed.txt", text)
    assert not housing.parse_sale_prices(feed).empty
    _damage_member(feed, "vastgoed.txt")
    with _raises_naming(Path(f"{feed}!vastgoed.txt"), "zip member is truncated or corrupt"):
        housing.parse_sale_prices(feed)


# --------------------------------------------------------------------------- OSM files


PBF_READERS: dict[str, Callable[[Path], object]] = {
    "addresses": address_src.parse_osm_addresses,
    "workplaces": address_src.find_workplaces,
    "childcare_osm": childcare.parse_osm_childcare,
    "bus_routes": transit.parse_osm_bus_routes,
    "bus_route_tags": transit.osm_bus_route_tags,
    "node_locations": lambda p: osm_pbf.node_locations(p, [1]),
    "way_coordinates": lambda p: osm_pbf.way_coordinates(p, [1]),
}


@pytest.mark.parametrize("reader", PBF_READERS.values(), ids=list(PBF_READERS))
def test_pbf_faults(reader: Callable[[Path], object], tmp_path: Path) -> None:
    """Zero bytes, a cut extract and random bytes: SourceError naming the extract."""
    real = (FIXTURES / "childcare" / "leuven_childcare_cut.pbf").read_bytes()
    path = tmp_path / "extract.osm.pbf"
    for damaged in (b"", real[: len(real) // 2], random.Random(7).randbytes(4096)):
        path.write_bytes(damaged)
        with _raises_naming(path):
            reader(path)


def test_matsim_network_faults(tmp_path: Path) -> None:
    raw = gzip.decompress((FIXTURES / "graphs" / "hand_made_matsim_network.xml.gz").read_bytes())
    path = tmp_path / "network.xml.gz"
    path.write_bytes(gzip.compress(raw))
    osm.parse_matsim_network(path)
    packed = gzip.compress(raw)
    for damaged in (b"", packed[: len(packed) // 2], random.Random(7).randbytes(4096)):
        path.write_bytes(damaged)
        with _raises_naming(path):
            osm.parse_matsim_network(path)
    text = raw.decode("utf-8")
    node = re.search(r"<node [^>]*>\s*</node>", text)
    assert node is not None
    doubled = text.replace(node.group(0), node.group(0) * 2, 1)
    path.write_bytes(gzip.compress(doubled.encode()))
    node_id = re.search(r'id="(\d+)"', node.group(0))
    assert node_id is not None
    with _raises_naming(path, f"node id {node_id.group(1)} appears more than once"):
        osm.parse_matsim_network(path)


def test_overpass_answer_faults(tmp_path: Path) -> None:
    original = FIXTURES / "graphs" / "hand_made_overpass_drive.json"
    data = json.loads(original.read_text(encoding="utf-8"))
    path = tmp_path / "overpass.json"
    text = json.dumps(data)
    for damaged in (b"", text[: len(text) // 2].encode(), random.Random(7).randbytes(4096)):
        path.write_bytes(damaged)
        with _raises_naming(path):
            osm.parse_overpass_ways(path)
    path.write_bytes(text.replace('"tags": {', '"tags": {"name": "\xe9", ', 1).encode("latin-1"))
    with _raises_naming(path, "is not UTF-8 text: byte 0xe9"):
        osm.parse_overpass_ways(path)
    way = next(e for e in data["elements"] if e["type"] == "way")
    path.write_text(json.dumps({**data, "elements": [*data["elements"], way]}))
    with _raises_naming(path, f"way id {way['id']} appears more than once"):
        osm.parse_overpass_ways(path)
    swapped = [
        {**e, "lon": e["lat"], "lat": e["lon"]} if e["type"] == "node" else e
        for e in data["elements"]
    ]
    path.write_text(json.dumps({**data, "elements": swapped}))
    with _raises_naming(path, "outside the region box"):
        osm.parse_overpass_ways(path)


# --------------------------------------------------------------------------- mirror cuts


def _mirror(relative: str) -> Path:
    path = MIRROR / relative
    if not path.is_file():
        pytest.skip("the shared data mirror is not available")
    return path


def test_school_list_with_swapped_lambert_axes_is_refused(tmp_path: Path) -> None:
    """The probe's fault: lx/ly swapped in the full list silently dropped 70 schools."""
    text = _mirror(schools.OFFICIAL).read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    fields = next(csv.reader([header]))
    swapped = ",".join({"lx": "ly", "ly": "lx"}.get(f, f) for f in fields)
    path = tmp_path / "scholen.csv"
    path.write_text(swapped + "\n" + rest, encoding="utf-8")
    parsed = schools.parse_school_list(path)
    with _raises_naming(path, "schools lie outside Flanders and Brussels"):
        schools.schools_to_points(parsed, path)


def test_school_list_cut_in_half_is_refused(tmp_path: Path) -> None:
    """The probe's fault: the list cut in half (inside a row) built 324 of 626 schools."""
    data = _mirror(schools.OFFICIAL).read_bytes()
    path = tmp_path / "scholen.csv"
    half = data[: len(data) // 2]
    path.write_bytes(half)
    line = half.count(b"\n") + 1
    with _raises_naming(path, f"line {line} has "):
        schools.parse_school_list(path)


def test_nmbs_stop_times_cut_inside_is_refused(tmp_path: Path) -> None:
    """The probe's fault: stop_times.txt cut inside the real feed (282,949 -> 61,830 rows)."""
    real = _mirror(transit.NMBS_GTFS)
    feed = tmp_path / "nmbs.zip"
    with zipfile.ZipFile(real) as src_zip, zipfile.ZipFile(feed, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src_zip.namelist():
            content = src_zip.read(name)
            if name == "stop_times.txt":
                cut = content.index(b"\n", len(content) // 4) + 1
                for _ in range(3):  # keep three fields of the next row
                    cut = content.index(b",", cut) + 1
                content = content[: cut - 1]
            out.writestr(name, content)
    with _raises_naming(Path(f"{feed}!stop_times.txt"), "has 3 of 9 fields (file cut mid-row?)"):
        transit.rail_timetable_on(feed, TUESDAY)
    # cut at a line end instead: the trips left without calls give it away
    with zipfile.ZipFile(real) as src_zip, zipfile.ZipFile(feed, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src_zip.namelist():
            content = src_zip.read(name)
            if name == "stop_times.txt":
                content = content[: content.rindex(b"\n", 0, len(content) // 4) + 1]
            out.writestr(name, content)
    with _raises_naming(Path(f"{feed}!stop_times.txt"), "trips of trips.txt have no call"):
        transit.rail_timetable_on(feed, TUESDAY)


# --------------------------------------------------------------------------- stages


def _boundary_sources(root: Path) -> Path:
    """Lay the hand-made boundary fixtures out like the mirror."""
    for relative, fixture in (
        (boundaries.MUNICIPALITIES, "municipalities.geojson"),
        (boundaries.WIJKEN, "wijken.geojson"),
        (boundaries.DEELGEMEENTEN, "deelgemeenten.geojson"),
    ):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIXTURES / "boundaries" / fixture, target)
    return root


def _snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize(
    "fault",
    ["wijken moved into the sea", "duplicate wijk code", "wijken cut in half", "latin-1"],
)
def test_faulty_boundaries_keep_the_previous_layers(fault: str, tmp_path: Path) -> None:
    """End to end: a good build, then a faulty source; every previous file stays identical."""
    ctx = BuildContext(_boundary_sources(tmp_path / "raw"), tmp_path / "out")
    (first,) = run_pipeline(boundary_stage.STAGES, ctx)
    assert first.status == "built"
    before = _snapshot_bytes(ctx.out_dir)
    wijken = ctx.source_dir / boundaries.WIJKEN
    data = json.loads(wijken.read_text(encoding="utf-8"))
    if fault == "wijken moved into the sea":
        for feature in data["features"]:
            geometry = feature["geometry"]
            geometry["coordinates"] = _shift(geometry["coordinates"], -2.3, 0.6)
        wijken.write_text(json.dumps(data))
    elif fault == "duplicate wijk code":
        data["features"].append(data["features"][0])
        wijken.write_text(json.dumps(data))
    elif fault == "wijken cut in half":
        text = wijken.read_text(encoding="utf-8")
        wijken.write_text(text[: len(text) // 2])
    else:
        data["features"][0]["properties"]["name"] = "Dijle é"
        wijken.write_bytes(json.dumps(data, ensure_ascii=False).encode("latin-1"))
    (second,) = run_pipeline(boundary_stage.STAGES, ctx)
    assert second.status == "failed"
    assert str(wijken) in second.message
    assert _snapshot_bytes(ctx.out_dir) == before


def test_swapped_school_axes_keep_the_previous_schools_layer(tmp_path: Path) -> None:
    """End to end on a region cut of the real list: swapped lx/ly keeps the old layer.

    The cut (the mirror's schools in Leuven, Herent and Bierbeek) stays inside Flanders
    when swapped, so the envelope cannot tell; the file's own municipality codes can.
    """
    real = _mirror(schools.OFFICIAL)
    geodata = Path(__file__).resolve().parents[2] / "geodata"
    raw = tmp_path / "raw"
    for relative in (schools.ENROLMENTS, schools.MERGERS):
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_mirror(relative), raw / relative)
    lines = real.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    nis = header.index("niscode")
    rows = [
        line for line in lines[1:] if next(csv.reader([line]))[nis] in {"24038", "24062", "24011"}
    ]
    (raw / schools.OFFICIAL).write_text(lines[0] + "".join(rows), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("municipalities", "wijken"):
        for suffix in (".parquet", ".manifest.json"):
            shutil.copyfile(geodata / f"{name}{suffix}", out / f"{name}{suffix}")
    ctx = BuildContext(raw, out)
    (first,) = run_pipeline(school_stage.STAGES, ctx)
    assert first.status == "built", first.message
    before = _snapshot_bytes(out)
    swapped = ",".join({"lx": "ly", "ly": "lx"}.get(f, f) for f in header) + "\n"
    (raw / schools.OFFICIAL).write_text(swapped + "".join(rows), encoding="utf-8")
    (second,) = run_pipeline(school_stage.STAGES, ctx)
    assert second.status == "failed"
    assert "lie elsewhere" in second.message and "swapped 'lx'/'ly'?" in second.message
    assert _snapshot_bytes(out) == before


def test_duplicate_ids_in_a_childcare_import_are_refused(tmp_path: Path) -> None:
    """The probe's fault: an import file with duplicate ids built without a word."""
    text = (FIXTURES / "childcare" / "opgroeien_locaties_sample.csv").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    path = tmp_path / "export.csv"
    path.write_text(text + lines[2].replace("Onthaalouder Testpersoon", "Andere Naam"))
    with _raises_naming(path, "location id 'opgroeien:TEST-0002' appears 2 times (lines 3, 8)"):
        childcare.parse_opgroeien_export(path)


def test_childcare_import_as_xlsx_faults(tmp_path: Path) -> None:
    """The Excel form of the import: cut, random bytes and a repeated id are named."""
    sample = FIXTURES / "childcare" / "opgroeien_locaties_sample.csv"
    frame = pd.read_csv(sample, sep=";", dtype=str)
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    assert len(childcare.parse_opgroeien_export(path).points) == 5
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], random.Random(7).randbytes(4096)):
        path.write_bytes(damaged)
        with _raises_naming(path):
            childcare.parse_opgroeien_export(path)
    pd.concat([frame, frame.iloc[[0]]]).to_excel(path, index=False)
    with _raises_naming(path, "location id 'opgroeien:TEST-0001' appears 2 times (lines 2, 8)"):
        childcare.parse_opgroeien_export(path)
