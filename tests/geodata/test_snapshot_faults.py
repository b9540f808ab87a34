"""Fault injection over every snapshot file: each damage is one clear ``SnapshotError``.

Every layer Parquet, graph ``.npz`` and manifest of the catalog is damaged in every way
:mod:`tests.geodata.faults` knows (on a linked copy in ``tmp_path``) and loaded the way
the engine and the app load it.  The error must name the file, say what is wrong on one
line, and the committed snapshot must be byte-identical afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.io import SnapshotError
from tests.geodata import faults

CASES = faults.cases()


@pytest.fixture(scope="module", autouse=True)
def snapshot_unchanged() -> Iterator[None]:
    """Fail the module when any committed snapshot file changed while it ran."""
    before = faults.digests()
    yield
    assert faults.digests() == before


def test_every_catalog_file_is_in_the_snapshot_and_covered() -> None:
    files = faults.snapshot_files()
    assert all((faults.SNAPSHOT / rel).is_file() for rel in files)
    assert {rel for rel, _ in CASES} == set(files)
    assert len(files) == 2 * (20 + 4)  # 20 layers and 4 graphs, each with its manifest


@pytest.mark.parametrize(("rel", "fault"), CASES, ids=[f"{r}-{f}" for r, f in CASES])
def test_damaged_file_is_one_clear_snapshot_error(tmp_path: Path, rel: str, fault: str) -> None:
    bad = faults.damage(tmp_path, rel, fault)
    with pytest.raises(SnapshotError) as caught:
        faults.load(tmp_path, rel)
    error = caught.value
    assert error.path == bad
    assert str(bad) in str(error) and "python -m etl build" in str(error)
    assert "\n" not in str(error)
    assert error.problem  # says what is wrong, not only where


@pytest.mark.parametrize("rel", faults.snapshot_files())
def test_undamaged_linked_copy_loads(tmp_path: Path, rel: str) -> None:
    """The control: the same loaders accept every committed file as it is."""
    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / rel).symlink_to(faults.SNAPSHOT / rel)
    faults.load(tmp_path, rel)


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("nan_time", "NaN, infinite or negative"),
        ("negative_time", "NaN, infinite or negative"),
        ("inf_time", "NaN, infinite or negative"),
        ("bad_index", "node indices outside"),
        ("wrong_dtype", "'edge_from' is float64"),
        ("missing_array", "lacks array(s) edge_time_s"),
    ],
)
def test_graph_problems_are_named(tmp_path: Path, fault: str, problem: str) -> None:
    faults.damage(tmp_path, "graphs/walk.npz", fault)
    with pytest.raises(SnapshotError, match=r"graph 'walk'") as caught:
        faults.load(tmp_path, "graphs/walk.npz")
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ("wrong_shape", "manifest is a JSON list, not an object"),
        ("missing_field", "lacks field(s) title"),
        ("wrong_type", "'rows' is str, not int"),
        ("wrong_name", "describes 'childcare', not 'schools'"),
        ("garbage", "UnicodeDecodeError"),
    ],
)
def test_manifest_problems_are_named(tmp_path: Path, fault: str, problem: str) -> None:
    faults.damage(tmp_path, "schools.manifest.json", fault)
    with pytest.raises(SnapshotError) as caught:
        faults.load(tmp_path, "schools.manifest.json")
    assert problem in caught.value.problem


def test_missing_column_is_named(tmp_path: Path) -> None:
    faults.damage(tmp_path, "stations.parquet", "missing_column")
    with pytest.raises(SnapshotError, match=r"layer 'stations' lacks column\(s\) id"):
        faults.load(tmp_path, "stations.parquet")
