"""Tests of the population, household, sector and merger parsers and the demography stage."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import responses
from shapely.geometry import box

from etl.errors import SourceError
from etl.fetch import fetch, live_sources
from etl.pipeline import BuildContext, run_pipeline
from etl.settings import SECTOR_POPULATION_URL, Settings
from etl.sources import demography as src
from etl.stages.demography import STAGES
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "demography"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def save_areas(out_dir: Path) -> None:
    """Save hand-made municipalities and wijken (Lambert-72 squares, see the fixture README).

    Municipality 24062 = x 170000-172000, 24038 = x 172000-174000 (y 172000-174000);
    wijk 2406210 = x 170000-171000, 2406211 = x 171000-172000, 240381 = all of 24038.
    """
    munis = gpd.GeoDataFrame(
        {"nis": ["24038", "24062", "71071"], "name": ["Herent", "Leuven", "Tessenderlo-Ham"]},
        geometry=[
            box(172000, 172000, 174000, 174000),
            box(170000, 172000, 172000, 174000),
            box(200000, 190000, 201000, 191000),
        ],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    wijken = gpd.GeoDataFrame(
        {"code": ["2406210", "2406211", "240381"], "name": ["W1", "W2", "W3"]},
        geometry=[
            box(170000, 172000, 171000, 174000),
            box(171000, 172000, 172000, 174000),
            box(172000, 172000, 174000, 174000),
        ],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")
    save_layer(munis, LayerManifest("municipalities", "t", "s", "u", "l", "d", "c"), out_dir)
    save_layer(wijken, LayerManifest("wijken", "t", "s", "u", "l", "d", "c"), out_dir)


def make_source_dir(root: Path) -> Path:
    """Lay the fixtures out like the mirror."""
    for rel, name in (
        (src.POPULATION_2020, "population_2020.csv"),
        (src.HOUSEHOLDS, "households.csv"),
        (src.SECTORS, "sectors.geojson"),
        (src.MERGERS, "mergers.csv"),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, root / rel)
    return root


def test_parse_mergers() -> None:
    mergers = src.parse_mergers(FIXTURES / "mergers.csv")
    assert mergers["71071"] == ["71057", "71069"]
    assert mergers["23106"] == ["23023", "23024", "23032"]
    assert mergers["11002"] == ["11002", "11007"]
    assert len(mergers) == 14


def test_parse_mergers_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    bad.write_text("Fuserende gemeenten,\tNieuwe gemeenten\nHam (71069),\tTessenderlo-Ham\n")
    with pytest.raises(SourceError, match="line 2"):
        src.parse_mergers(bad)


def test_to_2025_codes_sums_counts_only_when_complete() -> None:
    mergers = {"71071": ["71057", "71069"], "11002": ["11002", "11007"], "9": ["7", "8"]}
    frame = pd.DataFrame(
        {
            "nis": ["71057", "71069", "11002", "11007", "7", "24062"],
            "population": [18727, 10977, 500, 20, 1, 5],
        }
    )
    out, summed = src.to_2025_codes(frame, "population", mergers)
    values = dict(zip(out["nis"], out["population"], strict=True))
    assert values["71071"] == 18727 + 10977
    assert values["11002"] == 520  # the reused code is replaced by the sum, not duplicated
    assert "9" not in values and values["7"] == 1  # 8 missing: no partial sum
    assert summed == {"71071": "71057+71069", "11002": "11002+11007"}


def test_to_2025_codes_keeps_published_new_code_per_year() -> None:
    frame = pd.DataFrame(
        {"nis": ["71071", "1", "2", "1"], "year": [2023, 2023, 2023, 2024], "n": [9, 1, 2, 3]}
    )
    out, summed = src.to_2025_codes(frame, "n", {"71071": ["71057", "71069"], "3": ["1", "2"]})
    rows = set(zip(out["nis"], out["year"], out["n"], strict=True))
    assert rows == {("71071", 2023, 9), ("3", 2023, 3), ("1", 2024, 3)}
    assert summed == {"3": "1+2"}


def test_parse_population_and_errors(tmp_path: Path) -> None:
    pop = src.parse_population(FIXTURES / "population_2020.csv")
    assert dict(zip(pop["nis"], pop["population"], strict=True))["24062"] == 102275
    good = (FIXTURES / "population_2020.csv").read_text()
    for name, text, message in (
        ("neg.csv", good.replace(",102275,", ",-1,"), "negative"),
        ("col.csv", good.replace("inhabitants", "people"), r"missing column.*'inhabitants'"),
        ("code.csv", good.replace("24062,", "2462,", 1), "5-digit"),
        ("dup.csv", good + good.splitlines()[-1] + "\n", r"NIS code '\d{5}' appears 2 times"),
    ):
        bad = tmp_path / name
        bad.write_text(text)
        with pytest.raises(SourceError, match=message):
            src.parse_population(bad)


def test_parse_households_labels_observed_years(tmp_path: Path) -> None:
    hh = src.parse_households(FIXTURES / "households.csv")
    leuven = hh[hh["nis"] == "24062"].set_index("year")
    assert leuven.loc[2023, "households"] == 51579
    assert leuven.loc[2023, "observed"]
    assert not leuven.loc[2024, "observed"]
    other_edition = tmp_path / "hh.csv"
    other_edition.write_text(
        (FIXTURES / "households.csv").read_text().replace("Leuven,20001,0.0", "Leuven,20001,1.5")
    )
    with pytest.raises(SourceError, match="projection edition"):
        src.parse_households(other_edition)


def test_parse_sectors_and_errors(tmp_path: Path) -> None:
    sectors = src.parse_sectors(FIXTURES / "sectors.geojson")
    assert list(sectors["sector"]) == ["24038A00-", "24062A00-", "24062A01-", "24062B00-"]
    assert sectors.crs.to_epsg() == 31370
    data = json.loads((FIXTURES / "sectors.geojson").read_text())
    data["features"][0]["properties"]["CD_SECTOR"] = "Leuven"
    bad = tmp_path / "s.geojson"
    bad.write_text(json.dumps(data))
    with pytest.raises(SourceError, match="feature 1 has CD_SECTOR 'Leuven', not a sector code"):
        src.parse_sectors(bad)
    truncated = tmp_path / "t.geojson"
    truncated.write_text((FIXTURES / "sectors.geojson").read_text()[:300])
    with pytest.raises(SourceError, match="not a readable vector file"):
        src.parse_sectors(truncated)


def test_stage_builds_population_and_sectors(tmp_path: Path) -> None:
    ctx = BuildContext(make_source_dir(tmp_path / "raw"), tmp_path / "out")
    save_areas(ctx.out_dir)
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    pop = load_layer("population", ctx.out_dir).set_index("nis")
    assert pop.loc["71071", "population_2020"] == 18727 + 10977
    assert pop.loc["71071", "summed_from"] == "71057+71069"
    assert pd.isna(pop.loc["71071", "households_observed"])  # not in the household file
    assert pop.loc["24038", "households_observed"] == 9517
    assert pop.loc["24038", "households_observed_year"] == 2023
    assert pop.loc["24038", "households_projected_2040"] == 10673
    sectors = load_layer("sector_population", ctx.out_dir).set_index("sector")
    assert sectors.crs.to_epsg() == 4326
    assert sectors["wijk"].to_dict() == {
        "24038A00-": "240381",
        "24062A00-": "2406210",
        "24062A01-": "2406210",
        "24062B00-": "2406211",
    }
    assert sectors.loc["24038A00-", "nis"] == "24038"
    manifest = load_manifest("sector_population", ctx.out_dir)
    assert "Leuven (3), Herent (1)" in manifest.coverage
    assert run_pipeline(STAGES, ctx)[0].status == "unchanged"


def test_stage_refuses_sectors_outside_region(tmp_path: Path) -> None:
    ctx = BuildContext(make_source_dir(tmp_path / "raw"), tmp_path / "out")
    save_areas(ctx.out_dir)
    data = json.loads((FIXTURES / "sectors.geojson").read_text())
    data["features"][0]["geometry"]["coordinates"][0][0][1][0] = 290000.0  # far east
    (ctx.source_dir / src.SECTORS).write_text(json.dumps(data))
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "failed"
    assert "sectors lie outside the Leuven region" in result.message
    assert "feature 1 (sector 24062A00-)" in result.message


@pytest.mark.slow
def test_stage_on_full_mirror(tmp_path: Path) -> None:
    if not (MIRROR / src.SECTORS).exists():
        pytest.skip("mirror not available")
    from etl.stages.boundaries import STAGES as BOUNDARIES

    results = run_pipeline([*BOUNDARIES, *STAGES], BuildContext(MIRROR, tmp_path))
    assert [r.status for r in results] == ["built", "built"], results
    pop = load_layer("population", tmp_path).set_index("nis")
    assert len(pop) == 60
    assert pop["population_2020"].notna().all()
    assert pop.loc["24062", "population_2020"] == 102275
    sectors = load_layer("sector_population", tmp_path)
    assert len(sectors) == 100
    assert sectors["population_2024"].sum() == 91054
    assert sectors["wijk"].notna().all()


# --- Statbel's population per statistical sector, live file (hand-made fixture in the real
# format: see tests/fixtures/demography/README.md) ------------------------------------------

SECTOR_TABLE = FIXTURES / "OPENDATA_SECTOREN_2024.txt"
MEMBER = "OPENDATA_SECTOREN_2024.txt"


def zipped(text: bytes, members: tuple[str, ...] = (MEMBER,), *, stored: bool = False) -> bytes:
    """Zip ``text`` under each name of ``members``, in memory, like Statbel's download."""
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name in members:
            archive.writestr(name, text)
    return buffer.getvalue()


def write_zip(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "OPENDATA_SECTOREN_2024.zip"
    path.write_bytes(data)
    return path


def test_parse_sector_population_reads_the_mirror_numbers(tmp_path: Path) -> None:
    frame = src.parse_sector_population(write_zip(tmp_path, zipped(SECTOR_TABLE.read_bytes())))
    assert list(frame.columns) == ["sector", "nis", "population", "name_nl"]
    mirror = gpd.read_file(MIRROR / src.SECTORS).set_index("CD_SECTOR")["TOTAL"]
    assert len(frame) == 7
    assert frame["sector"].is_monotonic_increasing
    for row in frame.itertuples():
        assert row.population == int(mirror[row.sector])  # real values, not invented
        assert row.nis == row.sector[:5]
    assert frame.set_index("sector").loc["24062A00-", "name_nl"] == "Leuven-Centrum"
    assert frame["population"].dtype == "int64"


@responses.activate
def test_fetch_downloads_the_sector_zip_and_the_parser_reads_it(tmp_path: Path) -> None:
    (source,) = [s for s in live_sources() if s.name == "population_sectors"]
    assert source.url == SECTOR_POPULATION_URL
    # the download must not overwrite the mirror's GeoJSON that the offline stage reads
    assert source.raw_file == src.SECTORS_LIVE != src.SECTORS
    responses.get(SECTOR_POPULATION_URL, body=zipped(SECTOR_TABLE.read_bytes()))
    settings = Settings(raw_dir=tmp_path / "cache", retries=0, backoff_s=0.0)
    (path,) = fetch(["population_sectors"], raw_dir=tmp_path / "raw", settings=settings)
    assert path == tmp_path / "raw" / "demography" / "OPENDATA_SECTOREN_2024.zip"
    frame = src.parse_sector_population(path)
    assert frame["population"].sum() == 1214 + 700 + 9 + 765 + 885 + 365 + 674


def _corrupt_stored_member(data: bytes) -> bytes:
    """Flip one byte inside the (stored, uncompressed) member: the CRC-32 no longer fits."""
    at = data.index(b"24062A02-")
    return data[:at] + b"X" + data[at + 1 :]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not a zip", "OPENDATA_SECTOREN_2024.zip: not a readable zip archive"),
        (zipped(b"x", ("a.csv",)), "must hold one .txt file, found: none"),
        (zipped(b"x", ("a.txt", "b.txt")), "must hold one .txt file, found: a.txt, b.txt"),
        (
            _corrupt_stored_member(zipped(SECTOR_TABLE.read_bytes(), stored=True)),
            f"!{MEMBER}: zip member is truncated or corrupt",
        ),
        (
            zipped(SECTOR_TABLE.read_text(encoding="utf-8").encode("latin-1")),
            f"!{MEMBER}: is not UTF-8 text",
        ),
        (
            zipped(SECTOR_TABLE.read_bytes().replace(b"|TOTAL|", b"|POPULATION|")),
            f"!{MEMBER}: missing column(s) 'TOTAL'",
        ),
        (
            zipped(SECTOR_TABLE.read_bytes().replace(b"24062A03-", b"24062A02-")),
            "CD_SECTOR '24062A02-' appears 2 times (lines 7, 8)",
        ),
        (
            zipped(SECTOR_TABLE.read_bytes().replace(b"24038A181", b"24038 181")),
            "line 4 has CD_SECTOR '24038 181', not a sector code",
        ),
        (
            zipped(SECTOR_TABLE.read_bytes().replace(b"|1214|", b"|12,5|")),
            "column 'TOTAL' has missing, negative or non-integer values",
        ),
        (
            zipped(SECTOR_TABLE.read_bytes().rstrip(b"\n").rsplit(b"|", 3)[0]),
            "line 8 has 7 of 10 fields",
        ),
    ],
    ids=[
        "not-zip",
        "no-txt",
        "two-txt",
        "crc",
        "latin-1",
        "no-total",
        "duplicate",
        "bad-code",
        "fraction",
        "cut-mid-row",
    ],
)
def test_parse_sector_population_refuses_bad_files(
    tmp_path: Path, data: bytes, problem: str
) -> None:
    path = write_zip(tmp_path, data)
    with pytest.raises(SourceError) as exc:
        src.parse_sector_population(path)
    assert str(exc.value).startswith(str(path))
    assert problem in str(exc.value)


def test_population_to_neighbourhoods_counts_known_sectors() -> None:
    # hand-made: W1 has both sectors known, W2 one of two, W3 its only sector (0 people)
    lookup = pd.DataFrame(
        {"sector": ["S1", "S2", "S3", "S4", "S5"], "wijk": ["W1", "W1", "W2", "W2", "W3"]}
    )
    population = pd.DataFrame(
        {"sector": ["S1", "S2", "S3", "S5", "S9"], "population": [100, 50, 70, 0, 999]}
    )
    out = src.population_to_neighbourhoods(population, lookup)
    assert out["wijk"].tolist() == ["W1", "W2", "W3"]
    assert out["sectors"].tolist() == [2, 2, 1]
    assert out["sectors_known"].tolist() == [2, 1, 1]
    assert out["sector_coverage"].tolist() == [1.0, 0.5, 1.0]
    assert out["population_known_sectors"].tolist() == [150, 70, 0]
    assert out["population"].tolist() == [150, pd.NA, 0]  # no undercount for W2
    half = src.population_to_neighbourhoods(population, lookup, min_coverage=0.5)
    assert half["population"].tolist() == [150, 70, 0]
    none_known = src.population_to_neighbourhoods(population.iloc[:0], lookup)
    assert none_known["population_known_sectors"].isna().all()
    assert none_known["sector_coverage"].tolist() == [0.0, 0.0, 0.0]


def test_population_to_neighbourhoods_refuses_ambiguous_input() -> None:
    lookup = pd.DataFrame({"sector": ["S1", "S1"], "wijk": ["W1", "W2"]})
    population = pd.DataFrame({"sector": ["S1"], "population": [1]})
    with pytest.raises(ValueError, match="sector 'S1' appears twice in the lookup"):
        src.population_to_neighbourhoods(population, lookup)
    with pytest.raises(ValueError, match="min_coverage"):
        src.population_to_neighbourhoods(population, lookup.iloc[:1], min_coverage=0)


def _boxes(rows: dict[str, tuple[int, int]], column: str = "code") -> gpd.GeoDataFrame:
    """Hand-made areas (Lambert 72) keyed by ``column``: x from/to in km, y 170-171 km."""
    return gpd.GeoDataFrame(
        {column: list(rows)},
        geometry=[box(x0 * 1000, 170000, x1 * 1000, 171000) for x0, x1 in rows.values()],
        crs="EPSG:31370",
    ).to_crs("EPSG:4326")


def _lookup(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Lookup rows (sector, ggw7, deelgemeente); deelgemeente names are the codes."""
    frame = pd.DataFrame(rows, columns=["statsec", "ggw7", "deelgemeente"])
    return frame.assign(deelgemeente_naam=frame["deelgemeente"])


def test_sector_wijk_mapping_uses_only_rules_the_evidence_supports() -> None:
    # Hand-made, three municipalities (squares at km x, y 170-175):
    # 11111: groups W01 = prefix 11111A0, W02 = prefix 11111A1 -> prefix rule holds.
    # 22222: wijk 2222201 lies in deelgemeente 22222B, but group W01's sectors are in
    #        22222A (and W02 the other way round): the ggw7 numbering is refuted there.
    # 33333: group W01 mixes prefixes 33333A0 and 33333A1 -> no prefix rule; sector
    #        33333A01- (W02) has a polygon inside wijk 33333A1 -> linked by polygon.
    wijken = _boxes(
        {
            "11111A0": (170, 171), "11111A1": (171, 172),
            "2222201": (172, 173), "2222202": (173, 174),
            "33333A0": (174, 175), "33333A1": (175, 176),
        }
    )  # fmt: skip
    wijken["nis"] = wijken["code"].str[:5]
    deelgemeenten = _boxes(
        {"11111A": (170, 172), "22222B": (172, 173), "22222A": (173, 174), "33333A": (174, 176)}
    )
    deelgemeenten["name"] = deelgemeenten["code"]
    lookup = _lookup(
        [
            ("11111A00-", "11111W01", "11111A"), ("11111A01-", "11111W01", "11111A"),
            ("11111A10-", "11111W02", "11111A"), ("11111ZZZZ", "11111WONB", "11111ONB"),
            ("22222A00-", "22222W01", "22222A"), ("22222B00-", "22222W02", "22222B"),
            ("33333A00-", "33333W01", "33333A"), ("33333A10-", "33333W01", "33333A"),
            ("33333A01-", "33333W02", "33333A"),
        ]
    )  # fmt: skip
    polygons = _boxes({"33333A01-": (175, 176)}, column="sector")
    mapping = src.sector_wijk_mapping(lookup, wijken, deelgemeenten, polygons)
    rules = mapping.wijken.set_index("wijk")["sector_mapping"].to_dict()
    assert rules == {
        "11111A0": src.MAPPED_BY_PREFIX,
        "11111A1": src.MAPPED_BY_PREFIX,
        "2222201": src.UNMAPPED,
        "2222202": src.UNMAPPED,
        "33333A0": src.UNMAPPED,
        "33333A1": src.MAPPED_BY_POLYGONS,
    }
    assert dict(zip(mapping.sectors["sector"], mapping.sectors["wijk"], strict=True)) == {
        "11111A00-": "11111A0",
        "11111A01-": "11111A0",
        "11111A10-": "11111A1",
        "33333A01-": "33333A1",
    }
    assert mapping.refused == {src.MAPPED_BY_PREFIX: ["33333"], src.MAPPED_BY_GGW7: ["22222"]}
    assert mapping.wijken["sectors"].tolist() == [2, 1, pd.NA, pd.NA, pd.NA, 1]


def test_sector_wijk_mapping_drops_a_wijk_two_rules_link_differently() -> None:
    # Hand-made: wijk 4444401 is both group W01 by its ggw7 code and, by a sector polygon,
    # group W02; neither link can be trusted, so the wijk stays unmapped.
    wijken = _boxes({"4444401": (170, 171)})
    wijken["nis"] = "44444"
    deelgemeenten = _boxes({"44444A": (170, 171)})
    deelgemeenten["name"] = "A"
    lookup = _lookup([("44444A00-", "44444W01", "44444A"), ("44444A10-", "44444W02", "44444A")])
    polygons = _boxes({"44444A10-": (170, 171)}, column="sector")
    mapping = src.sector_wijk_mapping(lookup, wijken, deelgemeenten, polygons)
    # the polygon refutes the ggw7 numbering in 44444; the polygon link itself stands
    assert mapping.refused[src.MAPPED_BY_GGW7] == ["44444"]
    assert mapping.wijken["sector_mapping"].tolist() == [src.MAPPED_BY_POLYGONS]
    assert mapping.sectors["sector"].tolist() == ["44444A10-"]


def test_mirror_sector_mapping_is_consistent_with_the_sector_polygons(mirror_dir: Path) -> None:
    # Real data: the mirror's lookup and sector polygons, the committed wijken layers.
    lookup = pd.read_csv(mirror_dir / "boundaries/statsec_lookup_leuven_region.csv", dtype=str)
    wijken = load_layer("wijken")
    polygons = load_layer("sector_population")
    mapping = src.sector_wijk_mapping(lookup, wijken, load_layer("deelgemeenten"), polygons)
    sectors = mapping.sectors
    assert not sectors["sector"].duplicated().any()  # no sector in two wijken
    assert (sectors.groupby("ggw7")["wijk"].nunique() == 1).all()
    assert (sectors.groupby("wijk")["ggw7"].nunique() == 1).all()
    # every mapped sector that has a polygon lies (95%) in the wijk it is mapped to
    shapes = wijken.to_crs(31370).set_index("code").geometry
    placed = polygons[["sector", "geometry"]].to_crs(31370).merge(sectors, on="sector")
    assert len(placed) >= 20
    for row in placed.itertuples():
        share = row.geometry.intersection(shapes[row.wijk]).area / row.geometry.area
        assert share >= src.MIN_SECTOR_IN_WIJK, row.sector
    # Leuven's ggw7 numbers are not its wijk codes: sector 24062A34- (ggw7 24062W21)
    # lies in wijk 2406212, not 2406221, so that rule is refused there
    assert "24062" in mapping.refused[src.MAPPED_BY_GGW7]
    by_sector = sectors.set_index("sector")
    assert by_sector.loc["24062A34-", ["ggw7", "wijk"]].tolist() == ["24062W21", "2406212"]
    # the 'W'-less ggw7 code is refused wherever a deelgemeente contradicts it (Mechelen:
    # 1202505 'Battel' would get Hombeek's sectors)
    assert "12025" in mapping.refused[src.MAPPED_BY_GGW7]
    # a prefix-numbered municipality whose lookup wijken are exactly its prefix groups
    bonheiden = mapping.wijken[mapping.wijken["wijk"].str.startswith("12005")]
    assert set(bonheiden["sector_mapping"]) == {src.MAPPED_BY_PREFIX}
    assert not sectors["sector"].str.endswith("ZZZZ").any()


def test_sector_straddling_two_wijken_links_no_group() -> None:
    # Hand-made: sector 55555A00- lies half in each wijk, so its group W01 is not linked,
    # even though its other polygon sector 55555A01- lies wholly in 5555501.
    wijken = _boxes({"5555501": (170, 171), "5555502": (171, 172)})
    wijken["nis"] = "55555"
    deelgemeenten = _boxes({"55555A": (170, 172)})
    deelgemeenten["name"] = "A"
    lookup = _lookup([("55555A00-", "55555W07", "55555A"), ("55555A01-", "55555W07", "55555A")])
    polygons = pd.concat(
        [
            _boxes({"55555A00-": (170.5, 171.5)}, column="sector"),
            _boxes({"55555A01-": (170, 170.5)}, column="sector"),
        ],
        ignore_index=True,
    )
    mapping = src.sector_wijk_mapping(lookup, wijken, deelgemeenten, polygons)
    assert mapping.sectors.empty
    assert set(mapping.wijken["sector_mapping"]) == {src.UNMAPPED}
