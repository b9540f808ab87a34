"""Tests of the childcare sources (OSM classification, official import, merge) and stage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely.wkt
from shapely.geometry import Point

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import childcare as src
from etl.stages.boundaries import STAGES as BOUNDARY_STAGES
from etl.stages.childcare import STAGES
from geodata.io import load_layer, load_manifest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CC = FIXTURES / "childcare"
PBF = CC / "leuven_childcare_cut.pbf"
OFFICIAL = CC / "opgroeien_locaties_sample.csv"
#: The mirror's curated table (whole, 16 real rows), copied as a fixture.
CURATED_NAME = "osm_childcare_leuven_core_2024-06.csv"


# ------------------------------------------------------------------ OSM classification


@pytest.mark.parametrize(
    ("tags", "category", "excluded"),
    [
        ({"amenity": "kindergarten", "name": "Kribbe Sint-Jacob"}, "groepsopvang_0_3", None),
        ({"amenity": "childcare", "name": "Crèche Het Nest"}, "groepsopvang_0_3", None),
        ({"name": "Kinderdagverblijf Lololand", "building": "yes"}, "groepsopvang_0_3", None),
        (
            {
                "amenity": "kindergarten",
                "name": "X",
                "website": "https://a.be/kinderdagverblijven/x",
            },
            "groepsopvang_0_3",
            None,
        ),
        ({"amenity": "childcare", "name": "Onthaalouder Els"}, "gezinsopvang_0_3", None),
        ({"amenity": "childcare", "name": "IBO De Vlieger"}, "buitenschoolse_opvang", None),
        ({"amenity": "childcare", "after_school": "yes"}, "buitenschoolse_opvang", None),
        (
            {"amenity": "childcare", "name": "Baby University"},
            "kinderopvang_0_3_unknown_type",
            None,
        ),
        ({"amenity": "childcare", "name": "Wigwam"}, "kinderopvang_unknown_type", None),
        (
            {
                "amenity": "social_facility",
                "social_facility": "outreach",
                "social_facility:for": "child",
                "name": "Kinderopvang 't Eekhoorntje",
            },
            "kinderopvang_unknown_type",
            None,
        ),
        ({"amenity": "kindergarten", "name": "De Villa"}, "kindergarten_tag_unclear", None),
        ({"amenity": "social_facility", "name": "Huis van het Kind"}, None, "family_support"),
        ({"healthcare": "yes", "name": "Kind&Gezin"}, None, "family_support"),
        (
            {
                "amenity": "social_facility",
                "social_facility": "outreach",
                "social_facility:for": "child",
            },
            None,
            "family_support",
        ),
        (
            {"social_facility": "assisted_living", "social_facility:for": "child;disabled"},
            None,
            "residential_care",
        ),
        ({"amenity": "kindergarten", "name": "Kleuterschool De Boog"}, None, "school"),
        ({"amenity": "kindergarten", "isced:level": "0"}, None, "school"),
    ],
)
def test_classify_osm_tags(
    tags: dict[str, str], category: str | None, excluded: str | None
) -> None:
    verdict = src.classify_osm_tags(tags)
    assert (verdict.category, verdict.excluded) == (category, excluded)
    assert verdict.evidence


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"amenity": "kindergarten"}, True),
        ({"construction:amenity": "childcare"}, True),
        ({"name": "Kinderdagverblijf X"}, True),
        ({"name": "Kribbepad", "highway": "cycleway"}, False),
        ({"name": "Kribbepad"}, False),  # whole words only
        ({"shop": "baby_goods", "name": "Dreambaby"}, False),
        ({"name": "Onthaal"}, False),
    ],
)
def test_is_osm_candidate(tags: dict[str, str], expected: bool) -> None:
    assert src.is_osm_candidate(tags) is expected


def test_parse_osm_childcare_on_real_cut() -> None:
    result = src.parse_osm_childcare(PBF)
    points = result.points.set_index("osm_id")
    assert len(points) == 14
    assert points.loc["node/3670476537", "places"] == 60
    assert points.loc["node/3670476537", "address"] == "Sint-Maartensdal 4 bus 001, 3000 Leuven"
    assert points.loc["way/844637234", "status"] == "under_construction"
    assert points.loc["way/80075802", "category"] == "kindergarten_tag_unclear"
    assert (points["income_related_tariff"] == "unknown").all()
    assert (points["source"] == "osm").all()
    assert points["category"].value_counts().to_dict() == {
        "groepsopvang_0_3": 6,
        "kindergarten_tag_unclear": 4,
        "kinderopvang_unknown_type": 3,
        "kinderopvang_0_3_unknown_type": 1,
    }
    assert dict(zip(result.excluded["osm_id"], result.excluded["reason"], strict=True)) == {
        "node/2705226134": "family_support",
        "node/2901020726": "family_support",
        "node/7096246168": "family_support",
        "relation/6699181": "residential_care",
        "way/221388059": "family_support",
    }


def test_pbf_without_childcare_is_refused(tmp_path: Path) -> None:
    import osmium

    path = tmp_path / "none.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(4.7, 50.88), tags={"shop": "x"}))
    with pytest.raises(SourceError, match="no childcare object"):
        src.parse_osm_childcare(path)


def test_format_address() -> None:
    assert src.format_address("Rue", "1", "3000", "Leuven") == "Rue 1, 3000 Leuven"
    assert src.format_address(None, "105", None, None) == "105"
    assert src.format_address(None, None, None, " ") is None


# ------------------------------------------------------------------ official export


def test_parse_opgroeien_export() -> None:
    result = src.parse_opgroeien_export(OFFICIAL)
    assert (result.rows_read, result.rows_without_coordinates) == (6, 1)
    rows = result.points.set_index("id")
    assert list(rows.index) == [f"opgroeien:TEST-000{i}" for i in (1, 2, 3, 4, 6)]
    assert rows["category"].to_dict() == {
        "opgroeien:TEST-0001": "groepsopvang_0_3",
        "opgroeien:TEST-0002": "gezinsopvang_0_3",
        "opgroeien:TEST-0003": "buitenschoolse_opvang",
        "opgroeien:TEST-0004": "groepsopvang_0_3",
        "opgroeien:TEST-0006": "groepsopvang_0_3",
    }
    assert rows["income_related_tariff"].tolist() == ["yes", "no", "unknown", "yes", "no"]
    assert rows["places"].tolist()[:3] == [60, 8, pd.NA]
    assert str(rows["places"].dtype) == "Int64"
    ketteflet = rows.loc["opgroeien:TEST-0001"]
    assert ketteflet["address"] == "Sint-Maartensdal 4 bus 001, 3000 Leuven"
    assert ketteflet.geometry.x == pytest.approx(4.70597, abs=1e-5)
    assert ketteflet.geometry.y == pytest.approx(50.88152, abs=1e-5)
    assert (rows["source"] == "opgroeien").all()


def test_headers_match_case_accents_and_synonyms(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "NAAM,Opvangsoort,aantal_plaatsen,Lengtegraad,Breedtegraad,Tarief\n"
        'Crèche A,gezinsopvang,"4","4,70","50,88",vrije prijs\n',
        encoding="cp1252",
    )
    (row,) = src.parse_opgroeien_export(path).points.itertuples()
    assert (row.name, row.category, row.places, row.income_related_tariff) == (
        "Crèche A",
        "gezinsopvang_0_3",
        4,
        "no",
    )
    assert (row.geometry.x, row.geometry.y) == (4.70, 50.88)
    assert row.id.startswith("opgroeien:")  # digest of name and address: stable


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Naam;Postcode\nA;3000\n")
    with pytest.raises(SourceError, match=r"missing required column\(s\): type, coordinates"):
        src.parse_opgroeien_export(path)


def test_two_headers_for_one_field_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Naam;Locatienaam;Type;X;Y\nA;B;groepsopvang;1;2\n")
    with pytest.raises(SourceError, match="both look like 'name'"):
        src.parse_opgroeien_export(path)


def test_coordinates_outside_belgium_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Naam;Type;Lat;Lon\nA;groepsopvang;4.7;50.88\n")  # swapped
    with pytest.raises(SourceError, match=r"outside Belgium.*line 2"):
        src.parse_opgroeien_export(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "missing or empty"),
        (b"Naam;Type;X;Y\n", "no rows"),
        (b"<!DOCTYPE html><html><body>Kinderopvangzoeker</body></html>", "HTML page"),
        (b"Naam;Type;X;Y\nA;groepsopvang;;\n", "no row has usable coordinates"),
    ],
)
def test_bad_exports(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=problem):
        src.parse_opgroeien_export(path)


def test_xlsx_export(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        path.write_bytes(b"PK\x03\x04 not really a workbook")
        with pytest.raises(SourceError, match="openpyxl"):
            src.parse_opgroeien_export(path)
        return
    pd.read_csv(OFFICIAL, sep=";", dtype=str).to_excel(path, index=False)
    assert len(src.parse_opgroeien_export(path).points) == 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Groepsopvang", "groepsopvang_0_3"),
        ("Groepsopvang samenwerking", "groepsopvang_0_3"),
        ("Gezinsopvang", "gezinsopvang_0_3"),
        ("Opvang schoolkinderen", "buitenschoolse_opvang"),
        ("Groepsopvang baby's, peuters en schoolkinderen", "groepsopvang_0_3"),
        ("", "kinderopvang_unknown_type"),
        (None, "kinderopvang_unknown_type"),
    ],
)
def test_category_from_opgroeien_type(value: str | None, expected: str) -> None:
    assert src.category_from_opgroeien_type(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("IKT", "yes"),
        ("IKTMIX", "yes"),
        ("Ja", "yes"),
        ("Niet IKT", "no"),
        ("vrije prijs", "no"),
        ("nee", "no"),
        ("", "unknown"),
        (None, "unknown"),
        ("?", "unknown"),
    ],
)
def test_tariff_from_opgroeien(value: str | None, expected: str) -> None:
    assert src.tariff_from_opgroeien(value) == expected


# ------------------------------------------------------------------ merge rule


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Kinderdagverblijf De Ketteflet", "KDV De Ketteflet", True),
        ("Kribbe Sint-Jacob", "Kinderopvang Sint Jacob vzw", True),
        ("Wigwam", "Kinderdagverblijf Zonnestraal", False),
        (None, "Anything", True),
    ],
)
def test_names_similar(a: str | None, b: str, expected: bool) -> None:
    assert src.names_similar(a, b) is expected


def _points(rows: list[tuple[str, float, float]]) -> gpd.GeoDataFrame:
    """Points placed by metres east/north of a Leuven origin (Lambert 72)."""
    frame = pd.DataFrame(rows, columns=["name", "dx", "dy"])
    geometry = [
        Point(173_700 + dx, 174_600 + dy) for dx, dy in zip(frame["dx"], frame["dy"], strict=True)
    ]
    return gpd.GeoDataFrame(frame[["name"]], geometry=geometry, crs="EPSG:31370").to_crs(
        "EPSG:4326"
    )


def test_osm_not_in_official() -> None:
    osm = _points(
        [
            ("Kinderdagverblijf De Ketteflet", 0, 0),  # 10 m from the official one: duplicate
            ("Wigwam", 300, 0),  # 20 m from an official location with another name: kept
            ("De Ketteflet", 1000, 0),  # same name but 80 m away: kept
        ]
    )
    official = _points(
        [("KDV De Ketteflet", 10, 0), ("Zonnestraal", 320, 0), ("De Ketteflet", 1080, 0)]
    )
    kept, dropped = src.osm_not_in_official(osm, official)
    assert dropped == 1
    assert kept["name"].tolist() == ["Wigwam", "De Ketteflet"]


# ------------------------------------------------------------------ aggregate tables


def test_parse_places_flanders_and_facts() -> None:
    facts = src.parse_places_flanders(CC / "childcare_places_flanders_brussels_2018_2025.csv")
    assert facts["reference_date"] == "2025-12-31"
    assert (facts["licensed_places_babies_toddlers"], facts["locations"]) == (92819, 5389)
    assert facts["places_per_100_children_0_3"] == 46.07
    leuven = src.parse_aggregate_facts(CC / "childcare_aggregate_facts.csv", "Leuven")
    assert [(f["indicator"], f["value"]) for f in leuven] == [
        ("children_0_3", "3465"),
        ("children_0_3", "3215"),
        ("places_babies_toddlers", "2035"),
    ]


def test_places_table_without_locations_is_refused(tmp_path: Path) -> None:
    text = (CC / "childcare_places_flanders_brussels_2018_2025.csv").read_text()
    bad = tmp_path / "places.csv"
    bad.write_text(text.replace("5389.0", ""))
    with pytest.raises(SourceError, match="lacks places or locations"):
        src.parse_places_flanders(bad)


# ------------------------------------------------------------------ stage


def test_curated_evidence_sets_category_and_tariff() -> None:
    # De Girafant: amenity=kindergarten only, so the tag rules say "unclear"; the curated
    # evidence (kinderopvangleuven.be) says group day care with income-related price.
    osm = src.parse_osm_childcare(PBF)
    girafant = osm.points.set_index("osm_id").loc["way/80075802"]
    assert girafant["category"] == "kindergarten_tag_unclear"
    curated = src.apply_curated(osm.points, src.parse_curated(CC / CURATED_NAME))
    row = curated.points.set_index("osm_id").loc["way/80075802"]
    assert row["category"] == "groepsopvang_0_3"
    assert row["income_related_tariff"] == "yes"
    assert row["category_evidence"].startswith("curated: De Girafant: kinderopvangleuven.be")
    probable = curated.points.set_index("osm_id").loc["way/256757247"]  # De Slabbertjes
    assert probable["category_evidence"].startswith("curated (probable):")


def test_object_under_construction_is_left_out() -> None:
    osm = src.parse_osm_childcare(PBF)
    assert "way/844637234" in set(osm.points["osm_id"])  # DoRemy, construction:amenity
    curated = src.apply_curated(osm.points, src.parse_curated(CC / CURATED_NAME))
    assert "way/844637234" not in set(curated.points["osm_id"])
    assert curated.not_open["osm_id"].tolist() == ["way/844637234"]
    assert set(curated.not_open["reason"]) == {"not_open"}


def test_unlisted_objects_keep_the_tag_rules(tmp_path: Path) -> None:
    osm = src.parse_osm_childcare(PBF)
    curated = src.parse_curated(CC / CURATED_NAME).iloc[:0]  # hand-made: an empty table
    result = src.apply_curated(osm.points, curated)
    open_rows = osm.points[osm.points["status"] == "open"]
    assert result.points["category"].tolist() == open_rows["category"].tolist()
    assert result.overridden == 0


def test_unknown_curated_category_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "curated.csv"
    text = (CC / CURATED_NAME).read_text()
    bad.write_text(text.replace("childcare_unspecified", "something_else", 1))
    with pytest.raises(SourceError, match="unknown curated category 'something_else'"):
        src.parse_curated(bad)


def make_source_dir(root: Path) -> Path:
    """Boundary fixtures plus the childcare fixtures, laid out like the mirror."""
    (root / "boundaries").mkdir(parents=True)
    (root / "osm").mkdir()
    (root / "childcare").mkdir()
    for name in ("municipalities", "wijken", "deelgemeenten"):
        shutil.copy(
            FIXTURES / "boundaries" / f"{name}.geojson", root / "boundaries" / f"{name}.geojson"
        )
    bstage = BOUNDARY_STAGES[0]
    for rel, name in zip(bstage.inputs, ("municipalities", "deelgemeenten", "wijken"), strict=True):
        shutil.copy(root / "boundaries" / f"{name}.geojson", root / rel)
    shutil.copy(PBF, root / src.OSM_PBF)
    shutil.copy(CC / "childcare_places_flanders_brussels_2018_2025.csv", root / src.PLACES_FLANDERS)
    shutil.copy(CC / "childcare_aggregate_facts.csv", root / src.AGGREGATE_FACTS)
    shutil.copy(CC / "osm_childcare_leuven_core_2024-06.csv", root / src.CURATED)
    return root


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    context = BuildContext(make_source_dir(tmp_path / "raw"), tmp_path / "out")
    (result,) = run_pipeline(BOUNDARY_STAGES, context)
    assert result.status == "built", result.message
    return context


def test_stage_osm_only(ctx: BuildContext) -> None:
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    layer = load_layer("childcare", ctx.out_dir)
    assert len(layer) == 13  # 14 candidates kept by the tag rules, minus DoRemy (not open)
    assert layer["id"].is_monotonic_increasing
    assert list(layer.columns[:3]) == ["id", "name", "category"]
    assert set(layer["nis"]) <= {"24062", "24038"}
    assert (layer["coverage"] == src.OSM_COVERAGE).all()
    assert layer.crs.to_epsg() == 4326
    manifest = load_manifest("childcare", ctx.out_dir)
    assert manifest.coverage.startswith("PARTIAL: OpenStreetMap only, central Leuven only")
    assert "5,389 licensed locations" in manifest.coverage
    assert manifest.extra["osm_excluded_by_reason"] == {
        "family_support": 4,
        "not_open": 1,
        "residential_care": 1,
    }
    # the fixture's address points are those of its childcare objects: the area is
    # their hull, inside the extract's advertised box
    area = shapely.wkt.loads(manifest.extra["osm_mapped_area"]["wkt"])
    assert area.area > 0
    assert shapely.box(*src.OSM_EXTRACT_BBOX).covers(area)
    assert manifest.extra["osm_mapped_area"]["bounds"] == [round(v, 4) for v in area.bounds]
    assert manifest.extra["flanders_brussels"]["licensed_places_babies_toddlers"] == 92819
    assert json.dumps(manifest.extra)  # serialisable for the app
    (again,) = run_pipeline(STAGES, ctx)
    assert again.status == "unchanged"


def test_stage_with_childcare_file(ctx: BuildContext) -> None:
    ctx.options["childcare_file"] = OFFICIAL
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    layer = load_layer("childcare", ctx.out_dir).set_index("id")
    official = layer[layer["source"] == "opgroeien"]
    # TEST-0005 has no coordinates, TEST-0006 lies in Gent (outside the region)
    assert sorted(official.index) == [f"opgroeien:TEST-000{i}" for i in (1, 2, 3, 4)]
    assert (official["coverage"] == src.OFFICIAL_COVERAGE).all()
    osm = layer[layer["source"] == "osm"]
    assert "osm:node/3670476537" not in osm.index  # De Ketteflet: official row 4 m away
    assert "osm:node/6143600085" in osm.index  # Wigwam: official row nearby, other name
    assert len(osm) == 12
    manifest = load_manifest("childcare", ctx.out_dir)
    assert manifest.coverage.startswith("official Opgroeien export: 4 licensed locations")
    assert manifest.extra["official_rows_without_coordinates"] == 1
    assert manifest.extra["official_rows_outside_region"] == 1
    assert manifest.extra["osm_rows_matching_official"] == 1
    assert "file:opgroeien_locaties_sample.csv" in manifest.inputs


def test_stage_picks_up_export_in_source_dir(ctx: BuildContext) -> None:
    shutil.copy(OFFICIAL, ctx.source_dir / src.OPGROEIEN_RAW_FILES[0])
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    manifest = load_manifest("childcare", ctx.out_dir)
    assert "file:opgroeien_locaties_kinderopvang.csv" in manifest.inputs
    assert manifest.extra["official_file"] == "opgroeien_locaties_kinderopvang.csv"


def test_stage_fails_cleanly_on_html_export(ctx: BuildContext) -> None:
    (ctx.source_dir / src.OPGROEIEN_RAW_FILES[0]).write_text("<html>not an export</html>")
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "failed"
    assert "HTML page" in result.message


@pytest.mark.slow
def test_stage_on_full_mirror(mirror_dir: Path, tmp_path: Path) -> None:
    context = BuildContext(mirror_dir, tmp_path / "out")
    results = run_pipeline([*BOUNDARY_STAGES, *STAGES], context)
    assert [r.status for r in results] == ["built", "built"], [r.message for r in results]
    layer = load_layer("childcare", context.out_dir)
    assert len(layer) == 13
    assert (layer["municipality"] == "Leuven").all()
    assert load_manifest("childcare", context.out_dir).extra["osm_excluded_not_childcare"] == 5
