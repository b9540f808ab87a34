"""Tests of the schools source parser and the ``schools`` stage."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import schools as src
from etl.stages import boundaries as boundaries_stage
from etl.stages import schools as stage
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schools"
SAMPLE = FIXTURES / "onderwijsinstellingen_sample.csv"
LIVE_SAMPLE = FIXTURES / "onderwijsinstellingen_sample_live_format.csv"
ENROLMENTS = FIXTURES / "enrolments_sample.csv"
MERGERS = FIXTURES / "municipality_mergers_2025.csv"

# What each sample school offers, read by hand from its row (type + structure codes).
EXPECTED_LEVELS = {
    "18": ("basis", "kleuter;lager"),  # Basisschool, 111-111-211-211
    "1149": ("basis", "kleuter;lager"),
    "3401": ("buitengewoon basis", "kleuter;lager;buitengewoon"),  # 121-221
    "12229": ("kleuter", "kleuter"),  # Autonome kleuterschool, 111
    "12369": ("lager", "lager"),  # Autonome lagere school, 211
    "27243": ("buitengewoon secundair", "secundair;buitengewoon"),  # 321
    "32557": ("secundair", "secundair"),  # 311
    "32888": ("volwassenen", "volwassenen;hoger"),  # CVO, 317-417
    "50005": ("dko", "dko"),  # 316
    "110131": ("hoger", "hoger"),  # Universiteit, 511
    "110338": ("secundair", "secundair"),
    "125062": ("secundair", "secundair"),  # Centrum voor deeltijdse vorming, 314
    "126541": ("volwassenen", "volwassenen"),  # Centrum voor Basiseducatie, 618
    "131086": ("secundair", "secundair"),  # Syntra, 315
    "131334": ("secundair", "secundair"),
    "132671": ("hoger", "hoger"),  # HO without structure codes
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


# --- parse_school_list -------------------------------------------------------------------


def test_parse_school_list_levels_net_and_address() -> None:
    schools = src.parse_school_list(SAMPLE).set_index("schoolnummer")
    assert len(schools) == 16
    got = {k: (r.level, r.levels) for k, r in schools.iterrows()}
    assert got == EXPECTED_LEVELS
    assert schools.loc["1149", "net"] == "GO!"
    assert schools.loc["1149", "net_raw"] == "Gemeenschapsonderwijs"
    assert schools.loc["50005", "net"] == "officieel gesubsidieerd"
    assert schools.loc["12229", "net"] == "vrij gesubsidieerd"
    assert pd.isna(schools.loc["110131", "net"])  # universities have no net in the file
    assert schools.loc["18", "address"] == "Moutstraat 24, 1000 Brussel"
    assert schools.loc["18", "language"] == "Nederlandstalig"
    assert schools.loc["110338", "lx"] == 0.0  # 0 = unknown, handled by schools_to_points
    assert schools["unknown_codes"].map(len).sum() == 0
    assert schools["end_date"].isna().all()


def test_live_format_parses_like_the_mirror_format() -> None:
    """The live file is ';'-separated, UTF-8 with BOM and CR-only line ends."""
    assert LIVE_SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\n" not in LIVE_SAMPLE.read_bytes()
    pd.testing.assert_frame_equal(src.parse_school_list(LIVE_SAMPLE), src.parse_school_list(SAMPLE))


def test_levels_of_rules() -> None:
    assert src.levels_of("BaO", "Basisschool", []) == ["kleuter", "lager"]
    assert src.levels_of("BaO", "Autonome kleuterschool", []) == ["kleuter"]
    assert src.levels_of("BaO", "Basisschool voor buitengewoon onderwijs", ["221"]) == [
        "lager",
        "buitengewoon",
    ]
    # an unknown code is ignored; the type still gives the level
    assert src.levels_of("BaO", "Autonome lagere school", ["999"]) == ["lager"]
    assert src.levels_of("VWO", "Centrum voor Volwassenenonderwijs", ["317", "417"]) == [
        "volwassenen",
        "hoger",
    ]
    assert src.levels_of("HO", "Hogeschool", []) == ["hoger"]


def test_main_level_and_net_label() -> None:
    assert src.main_level("BaO", "Autonome kleuterschool voor buitengewoon onderwijs") == (
        "buitengewoon basis"
    )
    assert src.main_level("SO", "Centrum voor deeltijdse vorming") == "secundair"
    assert src.net_label("Andere") == "andere"
    assert src.net_label("Nieuw net") == "Nieuw net"
    assert src.net_label(None) is None


def test_unknown_structure_code_is_reported(tmp_path: Path) -> None:
    lines = _sample_lines()
    row = next(i for i, line in enumerate(lines) if line.startswith("50005,"))
    lines[row] = lines[row].rstrip("\n") + "-999\n"
    text = "".join(lines)
    schools = src.parse_school_list(_write(tmp_path / "s.csv", text)).set_index("schoolnummer")
    assert schools.loc["50005", "unknown_codes"] == ["999"]
    assert schools.loc["50005", "levels"] == "dko"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: [lines[0].replace(",lx,", ",x,"), *lines[1:]], "missing column(s) 'lx'"),
        (lambda lines: lines[:1], "has a header but no rows"),
        (lambda lines: [*lines, lines[1]], "appears 2 times (lines 2, 18)"),
        (lambda lines: [*lines[:-1], lines[-1][:60]], "line 17 has 6 of 36 fields"),
        (
            lambda lines: [*lines[:-1], lines[-1].replace(",170794,", ",17x794,")],
            "non-numeric 'lx'",
        ),
        (
            lambda lines: [*lines[:-1], lines[-1].replace(",HO,", ",XX,")],
            "unknown 'onderwijsniveau'",
        ),
    ],
)
def test_parse_school_list_errors(
    tmp_path: Path, edit: Callable[[list[str]], list[str]], message: str
) -> None:
    path = _write(tmp_path / "s.csv", "".join(edit(_sample_lines())))
    with pytest.raises(SourceError, match=re.escape(message)):
        src.parse_school_list(path)


def test_parse_school_list_empty_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file is empty"):
        src.parse_school_list(_write(tmp_path / "empty.csv", ""))
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SourceError, match=r"bin\.csv: is not UTF-8 text: byte 0xff at offset 0"):
        src.parse_school_list(binary)


# --- schools_to_points -------------------------------------------------------------------


def test_schools_to_points_projects_and_sets_aside_missing() -> None:
    schools = src.parse_school_list(SAMPLE)
    points, unplaced, excluded = src.schools_to_points(schools, SAMPLE)
    assert excluded == {src.NO_COORDS: 2, src.OUTSIDE_BELGIUM: 0}
    assert sorted(unplaced["schoolnummer"]) == ["110338", "125062"]
    assert set(unplaced["reason"]) == {src.NO_COORDS}
    assert points.crs.to_epsg() == 4326
    assert "lx" not in points.columns
    # Hertog Karel Wilsele: lon/lat as given in the enrolment file (converted separately)
    wilsele = points.set_index("schoolnummer").geometry["1149"]
    assert wilsele.x == pytest.approx(4.720507, abs=2e-5)
    assert wilsele.y == pytest.approx(50.927296, abs=2e-5)


def test_schools_to_points_refuses_non_lambert_coordinates() -> None:
    schools = src.parse_school_list(SAMPLE)
    wgs84 = schools.assign(lx=4.7, ly=50.9)  # degrees written where metres are expected
    with pytest.raises(SourceError, match="16 of 16 schools lie outside Flanders and Brussels"):
        src.schools_to_points(wgs84, SAMPLE)
    with pytest.raises(SourceError, match="no row has coordinates"):
        src.schools_to_points(schools.assign(lx=0.0, ly=0.0), SAMPLE)


def test_one_point_outside_belgium_is_set_aside() -> None:
    schools = src.parse_school_list(SAMPLE)
    schools.loc[schools["schoolnummer"] == "18", ["lx", "ly"]] = [900000.0, 900000.0]
    points, unplaced, excluded = src.schools_to_points(schools, SAMPLE)
    assert excluded[src.OUTSIDE_BELGIUM] == 1
    assert "18" not in set(points["schoolnummer"])
    assert unplaced.set_index("schoolnummer").loc["18", "reason"] == src.OUTSIDE_BELGIUM


# --- enrolments and mergers --------------------------------------------------------------


def test_parse_enrolments() -> None:
    enrol = src.parse_enrolments(ENROLMENTS).set_index("schoolnummer")
    assert str(enrol["enrolments_2022"].dtype) == "Int64"
    assert enrol.loc["1149", "enrolments_2022"] == 394
    assert enrol.loc["32557", "enrolments_2022"] == 816
    assert pd.isna(enrol.loc["110131", "enrolments_2022"])
    assert enrol.loc["1149", "vplnummer"] == "1"


@pytest.mark.parametrize(
    ("value", "message"), [("-3", "not whole"), ("12.5", "not whole"), ("abc", "not whole")]
)
def test_parse_enrolments_refuses_bad_counts(tmp_path: Path, value: str, message: str) -> None:
    text = ENROLMENTS.read_text(encoding="utf-8").replace(",394.0,", f",{value},")
    with pytest.raises(SourceError, match=message):
        src.parse_enrolments(_write(tmp_path / "e.csv", text))


def test_parse_enrolments_refuses_repeated_keys(tmp_path: Path) -> None:
    lines = ENROLMENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    with pytest.raises(SourceError, match="appears 2 times"):
        src.parse_enrolments(_write(tmp_path / "e.csv", "".join([*lines, lines[1]])))


def test_parse_mergers() -> None:
    mergers = src.parse_mergers(MERGERS)
    assert mergers["71057"] == "71071"
    assert mergers["71069"] == "71071"
    assert mergers["11007"] == "11002"


def test_parse_mergers_refuses_malformed_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.csv", "Fuserende gemeenten,\tNieuwe gemeenten\nHam + Tessenderlo,\tX\n"
    )
    with pytest.raises(SourceError, match="line 2"):
        src.parse_mergers(path)


# --- stage helpers -----------------------------------------------------------------------


def test_make_ids() -> None:
    unique = pd.DataFrame({"schoolnummer": ["7", "12"], "vplnummer": ["1", "1"]})
    ids, rule = stage.make_ids(unique)
    assert ids.tolist() == ["7", "12"]
    assert "unique" in rule
    repeated = pd.DataFrame({"schoolnummer": ["7", "7", "12"], "vplnummer": ["1", "2", "1"]})
    ids, rule = stage.make_ids(repeated)
    assert ids.tolist() == ["7-1", "7-2", "12"]
    assert "2 rows" in rule


def test_add_enrolments_left_join() -> None:
    schools = pd.DataFrame(
        {"schoolnummer": ["1", "2", "3"], "vplnummer": ["1", "1", "2"], "name": ["a", "b", "c"]},
        index=[10, 11, 12],
    )
    enrol = pd.DataFrame(
        {
            "schoolnummer": ["1", "3", "9"],
            "vplnummer": ["1", "1", "1"],  # school 3 seat 1 is not seat 2: no match
            "enrolments_2022": pd.array([100, 5, 7], dtype="Int64"),
        }
    )
    joined = stage.add_enrolments(schools, enrol)
    assert joined.index.tolist() == [10, 11, 12]
    assert joined["enrolments_2022"].tolist() == [100, pd.NA, pd.NA]


def test_unmapped_in_region_and_nis_disagreements() -> None:
    unplaced = pd.DataFrame(
        {
            "schoolnummer": ["20", "3", "5"],
            "name": ["in merged", "in region", "elsewhere"],
            "address": ["a", "b", "c"],
            "file_nis": ["71057", "24062", "11002"],
            "reason": ["r", "r", "r"],
        }
    )
    listed = stage.unmapped_in_region(unplaced, {"24062", "71071"}, {"71057": "71071"})
    assert [d["id"] for d in listed] == ["3", "20"]  # numeric order
    placed = pd.DataFrame(
        {"file_nis": ["71057", "24062", "24062"], "nis": ["71071", "24062", "24038"]}
    )
    assert stage.nis_disagreements(placed, {"71057": "71071"}) == {"24062 -> 24038": 1}


# --- the stage on the fixtures -----------------------------------------------------------


def _boxes(
    rows: list[tuple[str, str, tuple[float, float, float, float]]], key: str
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {key: [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[box(*r[2]) for r in rows],
        crs="EPSG:4326",
    )


@pytest.fixture
def fixture_ctx(tmp_path: Path) -> BuildContext:
    """Raw folder laid out like the mirror, plus hand-made box-shaped areas."""
    raw = tmp_path / "raw"
    (raw / "schools").mkdir(parents=True)
    (raw / "boundaries" / "lookups").mkdir(parents=True)
    shutil.copy(SAMPLE, raw / src.OFFICIAL)
    shutil.copy(ENROLMENTS, raw / src.ENROLMENTS)
    shutil.copy(MERGERS, raw / src.MERGERS)
    out = tmp_path / "out"
    munis = _boxes(
        [
            ("24062", "Leuven", (4.60, 50.80, 4.80, 50.96)),
            ("24107", "Tienen", (4.90, 50.76, 5.00, 50.84)),
            ("71071", "Tessenderlo-Ham", (5.00, 51.00, 5.20, 51.12)),
        ],
        "nis",
    )
    # one wijk covering only the west of the Leuven box
    wijken = _boxes([("24062W", "west", (4.60, 50.80, 4.70, 50.96))], "code").assign(nis="24062")
    meta = LayerManifest("municipalities", "t", "hand-made", "", "CC0", "2025", "test boxes")
    save_layer(munis, meta, out)
    save_layer(wijken, LayerManifest("wijken", "t", "hand-made", "", "CC0", "2025", "test"), out)
    return BuildContext(source_dir=raw, out_dir=out)


def test_stage_builds_layer_from_fixtures(fixture_ctx: BuildContext) -> None:
    results = run_pipeline(stage.STAGES, fixture_ctx)
    assert [r.status for r in results] == ["built"], results[0].message
    layer = load_layer("schools", fixture_ctx.out_dir)
    assert list(layer.columns) == stage.COLUMNS
    # Leuven box: 11 schools with coordinates; Tessenderlo box: 1; Brussels and Syntra
    # Antwerpen fall outside every box; VIA-1 and Arktos have no coordinates.
    leuven = ["1149", "3401", "12229", "12369", "27243", "32557", "32888", "50005", "110131"]
    assert layer["id"].tolist() == [*leuven, "126541", "131334", "132671"]
    by_id = layer.set_index("id")
    assert by_id.loc["131334", "municipality"] == "Tessenderlo-Ham"
    assert by_id.loc["1149", "nis"] == "24062"
    assert by_id.loc["3401", "wijk"] == "24062W"  # lon 4.689 is west of 4.70
    assert pd.isna(by_id.loc["1149", "wijk"])  # lon 4.7205 is east of the wijk
    assert by_id.loc["1149", "enrolments_2022"] == 394
    assert pd.isna(by_id.loc["131334", "enrolments_2022"])
    assert layer.crs.to_epsg() == 4326

    extra = load_manifest("schools", fixture_ctx.out_dir).extra
    assert extra["excluded_rows"] == {
        src.NO_COORDS: 2,
        src.OUTSIDE_BELGIUM: 0,
        stage.OUTSIDE_REGION: 2,
    }
    assert [d["id"] for d in extra["not_mapped"]] == ["110338", "125062"]
    assert extra["nis_in_file_differs_after_2025_mergers"] == {}
    assert extra["id_rule"] == "id = schoolnummer (unique in the region)"
    assert extra["enrolments_2022_known"] == 6

    again = run_pipeline(stage.STAGES, fixture_ctx)
    assert [r.status for r in again] == ["unchanged"]


def test_stage_fails_when_no_school_is_in_region(fixture_ctx: BuildContext) -> None:
    far = _boxes([("99999", "Nowhere", (3.0, 50.0, 3.1, 50.1))], "nis")
    save_layer(
        far, LayerManifest("municipalities", "t", "x", "", "CC0", "2025", "t"), fixture_ctx.out_dir
    )
    results = run_pipeline(stage.STAGES, fixture_ctx)
    assert results[0].status == "failed"
    assert "no school lies in the 60 region municipalities" in results[0].message


# --- the real mirror ---------------------------------------------------------------------


@pytest.mark.slow
def test_stage_on_the_mirror(mirror_dir: Path, tmp_path: Path) -> None:
    ctx = BuildContext(source_dir=mirror_dir, out_dir=tmp_path)
    results = run_pipeline([*boundaries_stage.STAGES, *stage.STAGES], ctx)
    assert [r.status for r in results] == ["built", "built"], [r.message for r in results]
    layer = load_layer("schools", tmp_path)
    assert len(layer) > 500
    assert layer["id"].is_unique
    assert layer["nis"].notna().all()
    vocab = set(src.LEVELS)
    assert all(set(v.split(";")) <= vocab for v in layer["levels"])
    extra = load_manifest("schools", tmp_path).extra
    assert extra["excluded_rows"][src.NO_COORDS] > 0
    assert extra["rows_in_source_file"] == len(layer) + sum(extra["excluded_rows"].values())
