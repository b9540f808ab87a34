"""Damaged copies of the committed snapshot, for fault-injection tests.

:func:`linked_copy` lays out a folder whose files are symbolic links to the committed
snapshot (cheap: nothing is copied); :func:`damage` then replaces one link by a real,
damaged file, so the committed file is never opened for writing.  :func:`digests` lets a
test prove the committed files are byte-identical afterwards.

Faults (hand-made, each one a way a file really breaks: a cut download, a full disk, a
wrong file renamed, an older or hand-edited build):

* every file: ``truncated`` (first half of the bytes), ``zero_byte``, ``garbage``
  (bytes that are no known format);
* layers: ``missing_column`` (a column the catalog requires dropped);
* graphs: ``missing_array`` (a required array left out), ``nan_time``, ``negative_time``,
  ``inf_time`` (one edge time), ``bad_index`` (an edge to a node that does not exist),
  ``wrong_dtype`` (edge ends stored as floats);
* manifests: ``wrong_shape`` (valid JSON ``[]``), ``missing_field`` (no ``title``),
  ``wrong_type`` (``rows`` as text), ``wrong_name`` (another layer's manifest).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from geodata.catalog import (
    GRAPHS,
    LAYER_COLUMNS,
    LAYERS,
    PACKAGE_DIR,
    READER_COLUMNS,
    layer_path,
    manifest_path,
)
from geodata.io import load_graph, load_layer, load_manifest

#: The committed snapshot (never written by these tests).
SNAPSHOT = PACKAGE_DIR

COMMON_FAULTS = ("truncated", "zero_byte", "garbage")
LAYER_FAULTS = (*COMMON_FAULTS, "missing_column")
GRAPH_FAULTS = (
    *COMMON_FAULTS,
    "missing_array",
    "nan_time",
    "negative_time",
    "inf_time",
    "bad_index",
    "wrong_dtype",
)
MANIFEST_FAULTS = (*COMMON_FAULTS, "wrong_shape", "missing_field", "wrong_type", "wrong_name")

#: Not a Parquet file, not a zip, not UTF-8 (0xff never starts a UTF-8 character).
GARBAGE = bytes([0xFF, 0xFE, 0x00, 0x13, 0x37]) * 200


def catalog_name(rel: str) -> str:
    """Catalog name (``"schools"``, ``"graph:walk"``) of a snapshot file's relative path."""
    stem = Path(rel).name.split(".")[0]
    return f"graph:{stem}" if rel.startswith("graphs/") else stem


def snapshot_files() -> list[str]:
    """Relative path of every layer, graph and manifest of the catalog, in catalog order."""
    names = [*LAYERS, *(f"graph:{g}" for g in GRAPHS)]
    files = []
    for name in names:
        for path in (layer_path(name, SNAPSHOT), manifest_path(name, SNAPSHOT)):
            files.append(path.relative_to(SNAPSHOT).as_posix())
    return files


def cases() -> list[tuple[str, str]]:
    """Every (file, fault) pair that applies to the committed snapshot's files."""
    out = []
    for rel in snapshot_files():
        if rel.endswith(".manifest.json"):
            faults: tuple[str, ...] = MANIFEST_FAULTS
        elif rel.endswith(".npz"):
            faults = GRAPH_FAULTS
        else:
            faults = LAYER_FAULTS if required_columns(catalog_name(rel)) else COMMON_FAULTS
        out.extend((rel, fault) for fault in faults)
    return out


def required_columns(layer: str) -> tuple[str, ...]:
    """Every column the catalog requires of a layer (for any reader)."""
    return (*LAYER_COLUMNS[layer], *READER_COLUMNS.get(layer, ()))


def digests(folder: Path = SNAPSHOT) -> dict[str, str]:
    """SHA-256 of every snapshot file in ``folder`` (relative path -> hex digest)."""
    return {
        rel: hashlib.sha256((folder / rel).read_bytes()).hexdigest() for rel in snapshot_files()
    }


def linked_copy(folder: Path) -> Path:
    """Fill ``folder`` with links to every committed snapshot file; return ``folder``."""
    for rel in snapshot_files():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(SNAPSHOT / rel)
    return folder


def damage(folder: Path, rel: str, fault: str) -> Path:
    """Replace ``folder/rel`` (a link or a file) by a damaged file; return its path."""
    source = SNAPSHOT / rel
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # drop the link first: never write through it
    if fault in COMMON_FAULTS:
        data = source.read_bytes()
        damaged = {"truncated": data[: len(data) // 2], "zero_byte": b"", "garbage": GARBAGE}
        target.write_bytes(damaged[fault])
    elif rel.endswith(".manifest.json"):
        target.write_text(_bad_manifest(source, fault), encoding="utf-8")
    elif rel.endswith(".npz"):
        _write_bad_graph(source, target, fault)
    else:
        _write_without_column(source, target, catalog_name(rel))
    return target


def load(folder: Path, rel: str) -> object:
    """Load ``folder/rel`` the way the engine and the app do (the catalog's full checks)."""
    name = catalog_name(rel)
    if rel.endswith(".manifest.json"):
        return load_manifest(name, folder)
    if rel.endswith(".npz"):
        return load_graph(name.removeprefix("graph:"), folder)
    return load_layer(name, folder, columns=READER_COLUMNS.get(name, ()))


def _bad_manifest(source: Path, fault: str) -> str:
    data = json.loads(source.read_text(encoding="utf-8"))
    if fault == "wrong_shape":
        return "[]"
    if fault == "missing_field":
        del data["title"]
    elif fault == "wrong_type":
        data["rows"] = "many"
    elif fault == "wrong_name":
        data["name"] = "schools" if data["name"] != "schools" else "childcare"
    else:
        raise ValueError(fault)
    return json.dumps(data)


def _write_bad_graph(source: Path, target: Path, fault: str) -> None:
    with np.load(source) as npz:
        arrays = {key: npz[key] for key in npz.files}
    times = arrays["edge_time_s"].copy()
    if fault == "missing_array":
        del arrays["edge_time_s"]
    elif fault in {"nan_time", "negative_time", "inf_time"}:
        times[len(times) // 2] = {"nan_time": np.nan, "negative_time": -5.0, "inf_time": np.inf}[
            fault
        ]
        arrays["edge_time_s"] = times
    elif fault == "bad_index":
        ends = arrays["edge_to"].copy()
        ends[0] = len(arrays["node_lon"])
        arrays["edge_to"] = ends
    elif fault == "wrong_dtype":
        arrays["edge_from"] = arrays["edge_from"].astype(np.float64)
    else:
        raise ValueError(fault)
    with target.open("wb") as fh:
        np.savez(fh, **arrays)  # uncompressed: quicker, and just as valid an .npz


def _write_without_column(source: Path, target: Path, layer: str) -> None:
    """Rewrite a layer without its first required column (GeoParquet metadata kept)."""
    table = pq.read_table(source)
    pq.write_table(table.drop_columns([required_columns(layer)[0]]), target)
