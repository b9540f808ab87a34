"""Tests of geodata.io: atomic writes, manifests, round trips, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from geodata import catalog
from geodata.io import (
    LayerManifest,
    SnapshotError,
    atomic_path,
    load_graph,
    load_layer,
    load_manifest,
    load_manifests,
    save_graph,
    save_layer,
)


def _manifest(name: str) -> LayerManifest:
    return LayerManifest(name, "T", "src", "https://example.org", "CC0", "2024", "test only")


def _points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["a", "b"], "n": [1, 2]},
        geometry=[Point(4.7000000123, 50.88), Point(4.71, 50.89)],
        crs="EPSG:4326",
    )


def test_layer_round_trip_fills_rows_bbox_and_rounds(tmp_path: Path) -> None:
    save_layer(_points(), _manifest("schools"), tmp_path)
    back = load_layer("schools", tmp_path)
    assert list(back["id"]) == ["a", "b"]
    assert back.geometry.iloc[0].x == pytest.approx(4.7, abs=1e-9)
    manifest = load_manifest("schools", tmp_path)
    assert manifest.rows == 2
    assert manifest.bbox == [4.7, 50.88, 4.71, 50.89]


def test_save_layer_refuses_other_crs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="EPSG:4326"):
        save_layer(_points().to_crs("EPSG:31370"), _manifest("schools"), tmp_path)
    assert not (tmp_path / "schools.parquet").exists()


def test_table_layer_without_geometry(tmp_path: Path) -> None:
    save_layer(pd.DataFrame({"nis": ["24062"], "p": [1.0]}), _manifest("population"), tmp_path)
    back = load_layer("population", tmp_path)
    assert not isinstance(back, gpd.GeoDataFrame)
    assert load_manifest("population", tmp_path).bbox == []


def test_atomic_path_keeps_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "x.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_missing_layer_names_file_and_command(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match=r"schools\.parquet.*python -m etl build"):
        load_layer("schools", tmp_path)


def test_corrupt_layer_is_reported(tmp_path: Path) -> None:
    (tmp_path / "schools.parquet").write_bytes(b"not parquet")
    with pytest.raises(SnapshotError, match="unreadable"):
        load_layer("schools", tmp_path)


def test_corrupt_manifest_is_reported(tmp_path: Path) -> None:
    (tmp_path / "schools.manifest.json").write_text("{broken")
    with pytest.raises(SnapshotError, match="manifest"):
        load_manifest("schools", tmp_path)


def test_unknown_layer_name() -> None:
    with pytest.raises(KeyError, match="unknown layer"):
        catalog.layer_path("nope")
    with pytest.raises(KeyError, match="unknown graph"):
        catalog.layer_path("graph:boat")


def test_graph_round_trip(tmp_path: Path) -> None:
    arrays = {
        "node_lon": np.array([4.7, 4.71]),
        "node_lat": np.array([50.88, 50.89]),
        "edge_from": np.array([0], dtype=np.int32),
        "edge_to": np.array([1], dtype=np.int32),
        "edge_time_s": np.array([12.5], dtype=np.float32),
    }
    save_graph(arrays, _manifest("graph:walk"), tmp_path)
    back = load_graph("walk", tmp_path)
    np.testing.assert_array_equal(back["edge_time_s"], arrays["edge_time_s"])
    assert load_manifest("graph:walk", tmp_path).rows == 2


def test_graph_requires_arrays(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="edge_time_s"):
        save_graph({"node_lon": np.zeros(1)}, _manifest("graph:car"), tmp_path)


def test_manifest_ignores_unknown_keys_and_lists_in_catalog_order(tmp_path: Path) -> None:
    save_layer(_points(), _manifest("schools"), tmp_path)
    save_layer(_points(), _manifest("municipalities"), tmp_path)
    raw = json.loads((tmp_path / "schools.manifest.json").read_text())
    raw["future_key"] = 1
    (tmp_path / "schools.manifest.json").write_text(json.dumps(raw))
    assert [m.name for m in load_manifests(tmp_path)] == ["municipalities", "schools"]


def test_snapshot_folder_follows_the_environment_on_every_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read once at import before: a process could not be pointed at another folder."""
    monkeypatch.setenv(catalog.DATA_DIR_ENV, str(tmp_path))
    assert catalog.layer_path("schools") == tmp_path / "schools.parquet"
    monkeypatch.delenv(catalog.DATA_DIR_ENV)
    assert catalog.layer_path("schools") == catalog.PACKAGE_DIR / "schools.parquet"


def _arrays() -> dict[str, np.ndarray]:
    """A hand-made 3-node graph: node 0 -> 1 -> 2, unsigned edge ends (allowed)."""
    return {
        "node_lon": np.array([4.70, 4.71, 4.72]),
        "node_lat": np.array([50.88, 50.88, 50.89]),
        "edge_from": np.array([0, 1], dtype=np.uint32),
        "edge_to": np.array([1, 2], dtype=np.uint32),
        "edge_time_s": np.array([12.5, 0.0], dtype=np.float32),
    }


def test_sound_graph_with_a_zero_time_edge_loads(tmp_path: Path) -> None:
    save_graph(_arrays(), _manifest("graph:bike"), tmp_path)
    assert load_graph("bike", tmp_path)["edge_to"].tolist() == [1, 2]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"edge_to": np.array([1], dtype=np.int32)}, "differ in length (edge_from 2, edge_to 1"),
        ({"node_lat": np.array([50.88, np.nan, 50.89])}, "'node_lat' holds NaN or infinite"),
        ({"edge_from": np.array([0, -1])}, "'edge_from' holds node indices outside 0..2"),
        ({"edge_time_s": np.array([[1.0, 2.0]])}, "not 1-D 'f'"),
        ({"edge_time_s": np.array(["1", "2"])}, "'edge_time_s' is <U1"),
        ({"node_x": np.array([1.0, 2.0])}, "differ in length (node_lon 3, node_lat 3, node_x 2"),
    ],
)
def test_graph_problems_of_hand_made_arrays(
    tmp_path: Path, change: dict[str, np.ndarray], problem: str
) -> None:
    arrays = {**_arrays(), **change}
    path = tmp_path / "graphs" / "bike.npz"
    path.parent.mkdir()
    with path.open("wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(SnapshotError) as caught:
        load_graph("bike", tmp_path)
    assert problem in caught.value.problem and caught.value.path == path


def test_layer_lacking_a_reader_column_names_it(tmp_path: Path) -> None:
    save_layer(_points(), _manifest("schools"), tmp_path)
    assert list(load_layer("schools", tmp_path)["id"]) == ["a", "b"]  # the ETL's view
    with pytest.raises(SnapshotError, match=r"lacks column\(s\) name, level, levels"):
        load_layer("schools", tmp_path, columns=catalog.READER_COLUMNS["schools"])
