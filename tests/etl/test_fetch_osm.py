"""``python -m etl fetch osm`` without network: the mirror's PBF of central Leuven is served
through ``responses`` as if it were the Belgian extract, clipped to the region, and built
into walk, bike and car graphs by the ``graphs`` stage."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import osmium
import pytest
import responses
import shapely
from pyproj import Transformer

from etl.__main__ import main
from etl.fetch import region_polygon
from etl.pipeline import BuildContext, run_pipeline
from etl.settings import OSM_EXTRACT_URL, Settings
from etl.sources import osm
from etl.sources.boundaries import MUNICIPALITIES
from etl.sources.osm_streets import BELGIUM_PBF, REGIONAL_PBF
from etl.stages import graphs as stage
from geodata.coverage import coverage_area
from geodata.io import load_graph, load_layer, load_manifest

MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORE_PBF = MIRROR / "osm" / "leuven_core_2024-06.osm.pbf"
#: Raw files the graphs stage reads besides the street source.
OTHER_INPUTS = (
    osm.MATSIM_NETWORK,
    osm.OVERPASS_DRIVE,
    osm.STRATEGIC_NODES,
    osm.STRATEGIC_LINKS,
    MUNICIPALITIES,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORE_PBF.exists(), reason="shared data mirror missing"),
]
_TO_LAMBERT = Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


def _fetch_osm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("LEUVEN_ATLAS_RAW_DIR", str(tmp_path / "cache"))
    return main(["fetch", "osm", "--raw-dir", str(tmp_path / "raw"), *extra])


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw folder after `fetch osm` served the mirror's PBF, plus the other graph inputs."""
    root = tmp_path_factory.mktemp("fetch_osm")
    with responses.RequestsMock() as served, pytest.MonkeyPatch.context() as patch:
        served.get(OSM_EXTRACT_URL, body=CORE_PBF.read_bytes())
        assert _fetch_osm(root, patch) == 0
    raw = root / "raw"
    for relative in OTHER_INPUTS:
        (raw / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MIRROR / relative, raw / relative)
    return raw


@pytest.fixture(scope="module")
def built(fetched: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fetch_osm_out")
    (result,) = run_pipeline(stage.STAGES, BuildContext(fetched, out))
    assert result.status == "built", result.message
    return out


def test_fetch_saves_the_extract_and_clips_it_to_the_region(fetched: Path) -> None:
    assert (fetched / BELGIUM_PBF).read_bytes() == CORE_PBF.read_bytes()
    regional = fetched / REGIONAL_PBF
    reader = osmium.io.Reader(str(regional), osmium.osm.NOTHING)
    generator = reader.header().get("generator")
    reader.close()
    assert generator.startswith("leuven-atlas etl (pyosmium clip")
    # central Leuven lies inside the region: the clip keeps every node of the extract
    count = sum(1 for _ in osmium.FileProcessor(str(CORE_PBF), osmium.osm.NODE))
    assert sum(1 for _ in osmium.FileProcessor(str(regional), osmium.osm.NODE)) == count


def test_region_is_the_60_municipalities_of_the_snapshot() -> None:
    municipalities = load_layer("municipalities")
    assert len(municipalities) == 60
    region = region_polygon()
    assert region.covers(shapely.Point(4.7159, 50.8812))  # Leuven station
    assert region.covers(shapely.Point(4.8372, 50.9813))  # Aarschot
    assert not region.covers(shapely.Point(4.3572, 50.8453))  # Brussels-Central


def test_build_uses_the_regional_pbf(built: Path) -> None:
    for mode in ("walk", "bike", "car"):
        manifest = load_manifest(f"graph:{mode}", built)
        assert manifest.source == stage.OSM_PBF_SOURCE
        assert manifest.title.endswith("(OpenStreetMap, regional OSM extract)")
        assert manifest.coverage.startswith("regional OSM extract: ")
        assert manifest.data_date == "2024-06-24"  # newest object of the extract
        assert f"file:{Path(REGIONAL_PBF).name}" in manifest.inputs
        # central Leuven only: part of Leuven (and a neighbour or two), no whole municipality
        facts = manifest.extra["coverage_municipalities"]
        assert facts["covered"] == [] and "Leuven" in facts["partly"]
    car = load_manifest("graph:car", built).extra
    assert "overpass_osm_base" not in car and "the way's own tags" in car["rules"]["speed_order"]
    # the strategic network does not come from OSM and is unchanged
    assert load_manifest("graph:strategic_car", built).source == stage.STRATEGIC_SOURCE


def test_regional_graphs_equal_the_graphs_of_the_pbf(built: Path) -> None:
    # the clip kept everything, so the build equals a direct build from the mirror's PBF
    source = stage.pbf_street_source(CORE_PBF, "regional OSM extract")
    municipalities = load_layer("municipalities")
    for output in stage.street_outputs(source, municipalities):
        mode = output.manifest.name.split(":")[1]
        stored = load_graph(mode, built)
        assert output.arrays is not None
        for key, values in output.arrays.items():
            np.testing.assert_array_equal(stored[key], values, err_msg=f"{mode} {key}")


@pytest.mark.parametrize("mode", ["walk", "bike", "car"])
def test_coverage_polygon_follows_the_extract(built: Path, mode: str) -> None:
    area = coverage_area(load_manifest(f"graph:{mode}", built), built)
    graph = load_graph(mode, built)
    assert shapely.contains_xy(area, graph["node_x"], graph["node_y"]).all()
    assert area.contains(shapely.Point(_TO_LAMBERT.transform(4.7159, 50.8812)))  # station
    # the extract's box ends at lon 4.7476: Kessel-Lo's east (lon 4.76) is not covered,
    # although it is in the MATSim graph of Leuven municipality
    east = shapely.Point(_TO_LAMBERT.transform(4.765, 50.885))
    assert not area.contains(east)
    assert coverage_area(load_manifest(f"graph:{mode}")).contains(east)
    assert area.area < coverage_area(load_manifest(f"graph:{mode}")).area


def test_build_without_the_regional_pbf_uses_matsim(fetched: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(fetched, raw)
    (raw / REGIONAL_PBF).unlink()
    (result,) = run_pipeline(stage.STAGES, BuildContext(raw, tmp_path / "out"))
    assert result.status == "built", result.message
    walk = load_manifest("graph:walk", tmp_path / "out")
    assert walk.source == stage.OSM_SOURCE and walk.coverage.startswith("Leuven municipality: ")
    committed = Path(__file__).resolve().parents[2] / "geodata" / "graphs" / "walk.npz"
    assert (tmp_path / "out" / "graphs" / "walk.npz").read_bytes() == committed.read_bytes()


@responses.activate
def test_configured_url_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    flanders = "https://example.org/extracts/flanders-latest.osm.pbf"
    monkeypatch.setenv("LEUVEN_ATLAS_OSM_EXTRACT_URL", flanders)
    assert Settings().source_urls["osm"] == flanders
    responses.get(flanders, body=CORE_PBF.read_bytes())
    assert _fetch_osm(tmp_path, monkeypatch) == 0
    assert [call.request.url for call in responses.calls] == [flanders]
    assert (tmp_path / "raw" / REGIONAL_PBF).is_file()


@responses.activate
def test_damaged_download_keeps_the_previous_regional_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = tmp_path / "raw" / REGIONAL_PBF
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b"previous regional extract")
    responses.get(OSM_EXTRACT_URL, body=CORE_PBF.read_bytes()[:100_000])  # broken off
    assert _fetch_osm(tmp_path, monkeypatch) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a readable OSM PBF" in err
    assert len(err.strip().splitlines()) == 1
    assert previous.read_bytes() == b"previous regional extract"
