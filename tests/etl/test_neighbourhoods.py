"""Tests of the neighbourhood profile on tiny hand-made layers (counts checked by hand).

Layout (Lambert 72 metres): wijk 2406210 = x 170000-171000, 2406211 = x 171000-172000
(both Leuven, y 172000-174000); wijk 240011 = a 1 km square near Aarschot at x 180000,
y 185000, whose source name is its code.  The hand-made OSM-mapped area of the childcare
manifest (:data:`MAPPED`) covers all of 2406211, a quarter of 2406210 and none of 240011.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from etl.pipeline import BuildContext, run_pipeline
from etl.settings import SECTOR_POPULATION_YEAR
from etl.sources import demography as src
from etl.stages.neighbourhoods import (
    JOINED_LAYERS,
    SECTOR_LOOKUP,
    STAGES,
    _population_row,
    childcare_counts,
    readable_names,
    school_counts,
)
from etl.transform.coverage import area_wkt
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

WIJKEN = {
    "2406210": ("24062", "Leuven", box(170000, 172000, 171000, 174000)),
    "2406211": ("24062", "Leuven", box(171000, 172000, 172000, 174000)),
    "240011": ("24001", "Aarschot", box(180000, 185000, 181000, 186000)),
}
OSM = "partial: OpenStreetMap, central Leuven only (2024-06)"
#: Hand-made OSM-mapped area (Lambert 72): x 170750-172000, y 172000-174000.
MAPPED = gpd.GeoSeries([box(170750, 172000, 172000, 174000)], crs="EPSG:31370").to_crs("EPSG:4326")[
    0
]
#: Hand-made sector lookup rows: wijk 240011 has two sectors, A0- is its main one (its
#: ggw7 code 24001W01 names no wijk of the file: unmapped).  Lookup wijk 24062W10 holds
#: the two sectors that fill 2406210; 24062W11 holds 24062B00- (half of 2406211, with a
#: polygon) and 24062B01- (no polygon, no population offline).
LOOKUP = (
    "statsec,statsec_naam,ggw7,deelgemeente,deelgemeente_naam\n"
    "240011B1-,Veld,24001W01,24001A,Aarschot (Dg.)\n"
    "240011A0-,Aarschot-Kern,24001W01,24001A,Aarschot (Dg.)\n"
    "24062A00-,Centrum,24062W10,24062A,Leuven (Dg.)\n"
    "24062A01-,Vismarkt,24062W10,24062A,Leuven (Dg.)\n"
    "24062B00-,Wilsele,24062W11,24062B,Wilsele (Leuven)\n"
    "24062B01-,Putkapel,24062W11,24062B,Wilsele (Leuven)\n"
)


def _save(frame: pd.DataFrame, name: str, out_dir: Path, extra: dict | None = None) -> None:  # type: ignore[type-arg]
    manifest = LayerManifest(name, "t", "s", "u", "l", "d", "c", extra=extra or {})
    save_layer(frame, manifest, out_dir)


def save_raw(raw_dir: Path) -> None:
    """Write the raw input the stage reads (the sector lookup)."""
    (raw_dir / SECTOR_LOOKUP).parent.mkdir(parents=True)
    (raw_dir / SECTOR_LOOKUP).write_text(LOOKUP)


def _points(rows: list[tuple[float, float, str | None]], **columns: list[str]) -> gpd.GeoDataFrame:
    """Point layer in the shared contract (wijk, nis, municipality) from Lambert x, y."""
    wijk = [r[2] for r in rows]
    frame = gpd.GeoDataFrame(
        {
            "wijk": wijk,
            "nis": [WIJKEN[w][0] if w else None for w in wijk],
            "municipality": [WIJKEN[w][1] if w else None for w in wijk],
            **columns,
        },
        geometry=[Point(x, y) for x, y, _ in rows],
        crs="EPSG:31370",
    )
    return frame.to_crs("EPSG:4326")


def save_inputs(out_dir: Path, *, childcare_coverage: str = OSM) -> None:
    """Save every layer the stage reads."""
    wijken = gpd.GeoDataFrame(
        {
            "code": list(WIJKEN),
            "name": ["W10", "W11", "240011 (Aarschot)"],
            "nis": [v[0] for v in WIJKEN.values()],
            "municipality": [v[1] for v in WIJKEN.values()],
        },
        geometry=[v[2] for v in WIJKEN.values()],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    _save(wijken, "wijken", out_dir)
    munis = gpd.GeoDataFrame(
        {"nis": ["24001", "24062"], "name": ["Aarschot", "Leuven"], "arr_nis": ["24000"] * 2},
        geometry=[box(180000, 185000, 181000, 186000), box(170000, 172000, 172000, 174000)],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    _save(munis, "municipalities", out_dir)
    # Lookup deelgemeente 24062B is spelt 24062-Y in the layer (matched by its name).
    deelgemeenten = gpd.GeoDataFrame(
        {
            "code": ["24001A", "24062A", "24062-Y"],
            "name": ["Aarschot (Dg.)", "Leuven (Dg.)", "Wilsele (Leuven)"],
        },
        geometry=[
            box(180000, 185000, 181000, 186000),
            box(170000, 172000, 171000, 174000),
            box(171000, 172000, 172000, 174000),
        ],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    _save(deelgemeenten, "deelgemeenten", out_dir)
    summary = pd.DataFrame(
        {
            "nis": ["24001", "24062"],
            "name": ["Aarschot", "Leuven"],
            "latest_year": pd.array([2024, 2024], dtype="Int64"),
            "median_house": [300000.0, 455000.0],
            "median_apartment": [float("nan"), 272500.0],
        }
    )
    _save(summary, "housing_summary", out_dir)
    # Two sectors fill wijk 2406210 exactly; one fills half of 2406211.
    sectors = gpd.GeoDataFrame(
        {
            "sector": ["24062A00-", "24062A01-", "24062B00-"],
            "population_2024": [100, 50, 70],
            "nis": ["24062"] * 3,
            "municipality": ["Leuven"] * 3,
            "wijk": ["2406210", "2406210", "2406211"],
        },
        geometry=[
            box(170000, 172000, 171000, 173000),
            box(170000, 173000, 171000, 174000),
            box(171000, 172000, 172000, 173000),
        ],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    _save(sectors, "sector_population", out_dir)
    schools = _points(
        [(170500, 172500, "2406210"), (170600, 172600, "2406210"), (180500, 185500, "240011"),
         (175000, 175000, None), (170500, 172500, "2406210")],
        levels=["kleuter;lager", "secundair;buitengewoon", "lager", "kleuter", "lager"],
    )  # fmt: skip
    _save(schools, "schools", out_dir)
    childcare = _points(
        [(171500, 173500, "2406211"), (171600, 173600, "2406211")],
        category=["kinderdagverblijf", "kinderdagverblijf"],
        coverage=[childcare_coverage] * 2,
    )
    _save(childcare, "childcare", out_dir, {"osm_mapped_area": {"wkt": area_wkt(MAPPED)}})
    _save(_points([(170900, 173900, "2406210")]), "stations", out_dir)
    stops = _points([(180100, 185100, "240011")] * 3 + [(171100, 172100, "2406211")])
    _save(stops, "bus_stops", out_dir)


def test_school_counts_by_level_and_site() -> None:
    # hand-made: wijk a has 3 school numbers at 2 points (two share one point)
    schools = gpd.GeoDataFrame(
        {
            "wijk": ["a", "a", "a", "b", None],
            "levels": ["kleuter;lager", "lager", "secundair", None, "lager"],
        },
        geometry=[Point(4.7, 50.8), Point(4.7, 50.8), Point(4.71, 50.8), Point(4.8, 50.9),
                  Point(4.9, 50.9)],
        crs="EPSG:4326",
    )  # fmt: skip
    counts = school_counts(schools, pd.Series(["a", "b", "c"]))
    assert counts["n_schools"].tolist() == [3, 1, 0]
    assert counts["n_school_sites"].tolist() == [2, 1, 0]
    assert counts["n_schools_lager"].tolist() == [2, 0, 0]
    assert counts["n_schools_kleuter"].tolist() == [1, 0, 0]


def test_stage_profile_counts_by_hand(tmp_path: Path) -> None:
    ctx = BuildContext(tmp_path / "raw", tmp_path / "out")
    save_inputs(ctx.out_dir)
    save_raw(ctx.source_dir)
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    nb = load_layer("neighbourhoods", ctx.out_dir).set_index("code")
    assert list(nb.index) == ["240011", "2406210", "2406211"]
    assert nb.crs.to_epsg() == 4326
    assert nb.loc["2406210", "area_km2"] == pytest.approx(2.0, abs=1e-3)
    # population: 100 + 50 for the fully covered wijk; half-covered and uncovered missing
    assert nb.loc["2406210", "population"] == 150
    assert pd.isna(nb.loc["2406211", "population"])
    assert pd.isna(nb.loc["240011", "population"])
    # coverage: 1 of the 2 lookup sectors of 2406211 has a value; 240011 has no mapped
    # sector, so its coverage is unknown (not 0) and the note says why
    assert nb["population_coverage"].to_dict() == pytest.approx(
        {"240011": float("nan"), "2406210": 1.0, "2406211": 0.5}, nan_ok=True
    )
    assert nb["population_sectors"].tolist() == [pd.NA, 2, 2]
    assert nb["population_method"].tolist() == ["", "sector polygons", ""]
    assert nb["sector_mapping"].tolist() == ["unmapped", "sector polygons", "sector polygons"]
    assert nb.loc["240011", "population_note"].startswith("no statistical sectors mapped")
    assert nb.loc["2406211", "population_note"].startswith("1 of 2 sectors have a population")
    assert nb.loc["2406211", "population_note"].endswith("cover 50% of its area")
    assert nb["n_schools"].to_dict() == {"240011": 1, "2406210": 3, "2406211": 0}
    # two school numbers share one point in 2406210: 3 schools at 2 sites
    assert nb["n_school_sites"].to_dict() == {"240011": 1, "2406210": 2, "2406211": 0}
    # named by code in the source: named after its main (lowest-code) sector; code kept
    assert nb.loc["240011", "name"] == "Aarschot-Kern e.o. (Aarschot)"
    assert nb.loc["240011", "name_origin"] == "statistical sector 240011A0-"
    assert nb.loc["2406210", "name"] == "W10"
    assert nb.loc["2406210", "n_schools_kleuter"] == 1
    assert nb.loc["2406210", "n_schools_lager"] == 2
    assert nb.loc["2406210", "n_schools_secundair"] == 1
    assert nb.loc["2406210", "n_schools_buitengewoon"] == 1
    assert nb.loc["240011", "n_schools_lager"] == 1
    assert nb["n_stations"].to_dict() == {"240011": 0, "2406210": 1, "2406211": 0}
    assert nb["n_bus_stops"].to_dict() == {"240011": 3, "2406210": 0, "2406211": 1}
    # OSM-only childcare: counted (lower bound) where the extract maps objects, missing
    # (not 0) outside it
    assert nb.loc["2406211", "n_childcare"] == 2
    assert nb.loc["2406210", "n_childcare"] == 0
    assert pd.isna(nb.loc["240011", "n_childcare"])
    assert nb["childcare_mapped_share"].to_dict() == pytest.approx(
        {"240011": 0.0, "2406210": 0.25, "2406211": 1.0}
    )
    assert nb["childcare_coverage"].to_dict() == {
        "240011": "none",
        "2406210": "partial",
        "2406211": "partial",
    }
    assert nb.loc["2406210", "median_house_price_muni"] == 455000.0
    assert pd.isna(nb.loc["240011", "median_apartment_price_muni"])
    assert nb.loc["240011", "price_year"] == 2024
    point = nb.loc["2406210"]
    assert nb.loc["2406210"].geometry.contains(Point(point["centroid_lon"], point["centroid_lat"]))
    manifest = load_manifest("neighbourhoods", ctx.out_dir)
    assert manifest.extra["wijken_with_population"] == 1
    assert manifest.extra["arr_leuven_coverage"] == "population 1/3 wijken"
    assert manifest.extra["arr_leuven_wijken_with_mapped_sectors"] == 2
    assert "mirror's 3 sectors" in manifest.extra["population_source"]
    assert manifest.extra["points_without_wijk"]["schools"] == 1
    assert run_pipeline(STAGES, ctx)[0].status == "unchanged"


def test_official_childcare_makes_coverage_complete(tmp_path: Path) -> None:
    save_inputs(tmp_path, childcare_coverage="official Opgroeien export")
    wijken = load_layer("wijken", tmp_path)
    counts = childcare_counts(load_layer("childcare", tmp_path), wijken, MAPPED)
    assert set(counts["childcare_coverage"]) == {"complete"}
    assert counts["n_childcare"].tolist() == [0, 2, 0]


def test_wijk_outside_mapped_area_is_unknown_not_zero(tmp_path: Path) -> None:
    # Before: any wijk touching the advertised OSM box was "partial" with a count of 0.
    save_inputs(tmp_path)
    wijken = load_layer("wijken", tmp_path)
    area = gpd.GeoSeries([box(171000, 172000, 172000, 174000)], crs="EPSG:31370")
    counts = childcare_counts(load_layer("childcare", tmp_path), wijken, area.to_crs(4326)[0])
    by_code = counts.set_index(wijken["code"])
    assert by_code.loc["2406210", "childcare_coverage"] == "none"
    assert pd.isna(by_code.loc["2406210", "n_childcare"])


def test_stage_needs_the_mapped_area_of_the_childcare_manifest(tmp_path: Path) -> None:
    ctx = BuildContext(tmp_path / "raw", tmp_path / "out")
    save_inputs(ctx.out_dir)
    save_raw(ctx.source_dir)
    _save(load_layer("childcare", ctx.out_dir), "childcare", ctx.out_dir)  # no area
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "failed"
    assert "lacks osm_mapped_area" in result.message


def test_readable_names_keep_file_names_and_codes_without_sectors() -> None:
    wijken = pd.DataFrame(
        {
            "code": ["24001A1", "24001A2", "2406210"],
            "name": ["24001A1 (Aarschot)", "24001A2 (Aarschot)", "Centrum (Leuven)"],
            "municipality": ["Aarschot"] * 2 + ["Leuven"],
        }
    )
    sectors = pd.DataFrame({"statsec": ["24001A10-"], "statsec_naam": ["Langdorp"]})
    names = readable_names(wijken, sectors)
    # one sector: no "e.o."; no sector: the code name stays; a real name stays
    assert names["name"].tolist() == [
        "Langdorp (Aarschot)",
        "24001A2 (Aarschot)",
        "Centrum (Leuven)",
    ]
    assert names["name_origin"].tolist()[1:] == ["wijken file", "wijken file"]


def test_missing_contract_column_fails_clearly(tmp_path: Path) -> None:
    ctx = BuildContext(tmp_path / "raw", tmp_path / "out")
    save_inputs(ctx.out_dir)
    save_raw(ctx.source_dir)
    schools = load_layer("schools", ctx.out_dir).drop(columns="levels")
    _save(schools, "schools", ctx.out_dir)
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "failed"
    assert "'schools' lacks column(s) levels" in result.message


def write_sector_table(raw_dir: Path, rows: list[tuple[str, int]]) -> Path:
    """Write a Statbel sector table (the live format: a zip of one '|' text) to the raw folder."""
    header = "CD_REFNIS|CD_SECTOR|TOTAL|TX_DESCR_SECTOR_NL\n"
    text = header + "".join(f"{code[:5]}|{code}|{n}|x\n" for code, n in rows)
    path = raw_dir / src.SECTORS_LIVE
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"OPENDATA_SECTOREN_{SECTOR_POPULATION_YEAR}.txt", text)
    return path


def test_live_sector_table_gives_population_where_every_sector_is_known(tmp_path: Path) -> None:
    ctx = BuildContext(tmp_path / "raw", tmp_path / "out")
    save_inputs(ctx.out_dir)
    save_raw(ctx.source_dir)
    assert run_pipeline(STAGES, ctx)[0].status == "built"
    # hand-made live table: both sectors of lookup wijk 24062W11 (70 + 31 people)
    write_sector_table(ctx.source_dir, [("24062B00-", 70), ("24062B01-", 31), ("24062A00-", 9)])
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message  # the new file is an input
    nb = load_layer("neighbourhoods", ctx.out_dir).set_index("code")
    assert nb.loc["2406211", "population"] == 101
    assert nb.loc["2406211", "population_method"] == "sector codes"
    assert nb.loc["2406211", "population_coverage"] == 1.0
    # polygons covering the whole wijk still win (same Statbel numbers, a complete cover)
    assert nb.loc["2406210", "population"] == 150
    assert pd.isna(nb.loc["240011", "population_coverage"])
    manifest = load_manifest("neighbourhoods", ctx.out_dir)
    assert manifest.extra["population_source"].startswith("Statbel's live table")
    assert manifest.extra["wijken_with_population"] == 2


def test_damaged_live_sector_table_fails_the_stage_naming_it(tmp_path: Path) -> None:
    ctx = BuildContext(tmp_path / "raw", tmp_path / "out")
    save_inputs(ctx.out_dir)
    save_raw(ctx.source_dir)
    path = write_sector_table(ctx.source_dir, [("24062B00-", 70)])
    path.write_bytes(path.read_bytes()[:40])
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "failed"
    assert str(path) in result.message


def test_snapshot_population_is_unknown_not_zero_with_a_reason() -> None:
    # Real snapshot. Before: one population column, missing for 409 of 427 wijken with
    # no coverage and no reason.
    nb = load_layer("neighbourhoods").set_index("code")
    known = nb["population"].notna()
    assert known.sum() == load_manifest("neighbourhoods").extra["wijken_with_population"]
    assert (nb.loc[known, "population_coverage"] == 1.0).all()
    assert (nb.loc[known, "population"] > 0).all()
    assert (nb.loc[known, "population_note"] == "").all()
    # no coverage <=> no mapped sector and no covering polygons, and the note says so
    no_cover = nb["population_coverage"].isna()
    assert no_cover.any()
    assert nb.loc[no_cover, "population_note"].str.startswith("no statistical sectors").all()
    assert (nb.loc[no_cover, "sector_mapping"] == src.UNMAPPED).all()
    # a partly known wijk never gets a partial sum
    partial = nb["population_coverage"] < 1
    assert nb.loc[partial, "population"].isna().all()
    rules = {src.MAPPED_BY_POLYGONS, src.MAPPED_BY_PREFIX, src.MAPPED_BY_GGW7, src.UNMAPPED}
    assert set(nb["sector_mapping"]) <= rules
    mapped = nb["sector_mapping"] != src.UNMAPPED
    assert nb.loc[mapped, "population_sectors"].notna().all()


def test_covered_wijk_with_a_missing_population_is_unknown_not_a_crash() -> None:
    """Hand-made cover row: polygons cover the wijk but their population is missing."""
    cover = pd.Series({"area_share": 1.0, "population": pd.NA, "polygons": 2})
    row = _population_row(cover, None)
    assert row["population"] is None
    assert row["population_note"]


def test_the_committed_manifest_dates_are_the_joined_layers_own() -> None:
    """The profile's data_date repeats each joined layer's manifest, nothing typed."""
    data_date = load_manifest("neighbourhoods").data_date
    for name, word in JOINED_LAYERS.items():
        assert f"{word} {load_manifest(name).data_date}" in data_date
