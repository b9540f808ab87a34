"""Run the accessibility batch on Dask: a local cluster by default, or a real one.

:func:`batch_on_dask` cuts the batch of :mod:`dashboard.engine.accessibility` into tasks
and gathers the same table the serial :func:`~dashboard.engine.accessibility.batch_accessibility`
returns (row order included):

* per mode, one task runs the nearest-facility searches of every layer (one
  multi-source search each: small, so not split further);
* per mode, the neighbourhoods are cut into ``chunks`` blocks, one counting task each
  (one bounded search per neighbourhood: the bulk of the work, and independent).

Each worker process loads the graphs and layers once (:func:`_worker_engine` keeps one
engine per snapshot folder per process) and reuses them for every task it runs; tasks
carry only names and row ranges, never arrays of the graph.

Where to run: ``scheduler`` (or the setting ``LEUVEN_ATLAS_DASK_SCHEDULER``), the
address of a running scheduler (``tcp://host:8786``), whose workers see the same
snapshot folder; without one a :class:`distributed.LocalCluster` with one
single-threaded worker process per core is started and closed again.  On this
project's region (427 neighbourhoods) the serial batch takes seconds and a local
cluster's start-up and data loading eat most of the gain on 2 cores (see the
benchmarks); it pays for larger networks and origin sets (Flanders: ~2,000 origins,
~13,000 facilities) and on several machines.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.engine import accessibility as acc
from dashboard.engine.accessibility_train import region_batch
from dashboard.engine.core import CommuteEngine
from dashboard.engine.settings import STREET_MODES

#: Setting: address of a Dask scheduler to use instead of a local cluster.
SCHEDULER_ENV = "LEUVEN_ATLAS_DASK_SCHEDULER"

_ENGINES: dict[str, CommuteEngine] = {}
_ENGINES_LOCK = threading.Lock()


def _worker_engine(data_dir: str) -> CommuteEngine:
    """Return this process's engine for ``data_dir``, loading the graphs once."""
    with _ENGINES_LOCK:
        if data_dir not in _ENGINES:
            _ENGINES[data_dir] = CommuteEngine(data_dir=Path(data_dir)).preload()
        return _ENGINES[data_dir]


def _nearest_task(data_dir: str, mode: str, layer_names: Sequence[str]) -> dict[str, Any]:
    """Find the nearest facility of every layer for every neighbourhood, one mode."""
    engine = _worker_engine(data_dir)
    origins = acc.neighbourhood_points(Path(data_dir))
    layers = acc.facility_points(Path(data_dir))
    out = {}
    for name in layer_names:
        near = acc.nearest_facility(engine, mode, origins, layers[name])
        out[name] = (near.minutes, near.estimated, near.method.astype(str))
    return out


def _counts_task(
    data_dir: str, mode: str, layer_names: Sequence[str], rows: tuple[int, int]
) -> dict[str, np.ndarray]:
    """Count facilities within the thresholds for neighbourhoods ``rows[0]:rows[1]``."""
    engine = _worker_engine(data_dir)
    everyone = acc.neighbourhood_points(Path(data_dir))
    part = slice(*rows)
    origins = acc.Places(everyone.ids[part], everyone.lon[part], everyone.lat[part])
    layers = acc.facility_points(Path(data_dir))
    return acc.counts_within(engine, mode, origins, {k: layers[k] for k in layer_names})


def _train_task(data_dir: str, modes: Sequence[str], layer_names: Sequence[str]) -> pd.DataFrame:
    """Run the train rows of the batch on one worker (one profile search per station)."""
    engine = _worker_engine(data_dir)
    origins = acc.neighbourhood_points(Path(data_dir))
    layers = acc.facility_points(Path(data_dir))
    return region_batch(engine, origins, {k: layers[k] for k in layer_names}, modes)


def scheduler_address(explicit: str | None = None) -> str | None:
    """Return the scheduler to use: ``explicit``, else the setting, else None (local)."""
    return explicit or os.environ.get(SCHEDULER_ENV) or None


def batch_on_dask(
    data_dir: Path,
    modes: Sequence[str] = STREET_MODES,
    layer_names: Sequence[str] | None = None,
    *,
    scheduler: str | None = None,
    n_workers: int | None = None,
    chunks: int = 4,
) -> pd.DataFrame:
    """Run the batch on Dask and return the same table as the serial batch.

    Parameters
    ----------
    data_dir : Path
        Snapshot folder; every worker must see it at this path.
    modes, layer_names : sequence of str
        Modes and facility layers (default: the street modes, all layers).  The train
        modes run as one task (their station profiles are shared).
    scheduler : str, optional
        Scheduler address; default :func:`scheduler_address` (setting, else a local
        cluster of ``n_workers`` processes, default one per core).
    chunks : int
        Blocks of neighbourhoods per mode for the counting tasks.
    """
    from distributed import Client, LocalCluster

    wanted = set(layer_names or acc.FACILITY_LAYERS)
    names = [k for k in acc.FACILITY_LAYERS if k in wanted]  # the serial batch's order
    address = scheduler_address(scheduler)
    folder = str(Path(data_dir).resolve())
    n = len(acc.neighbourhood_points(Path(folder)))
    bounds = np.linspace(0, n, max(1, chunks) + 1).astype(int)
    blocks = [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if b > a]
    if address is None:
        workers = n_workers or os.cpu_count() or 1
        # distributed ships without type hints: its calls are untyped for mypy
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)  # type: ignore[no-untyped-call]
    else:
        cluster = None
        client = Client(address)  # type: ignore[no-untyped-call]
    street = [m for m in modes if m in STREET_MODES]
    trains = [m for m in modes if m not in STREET_MODES]
    try:
        train_rows = (
            client.submit(_train_task, folder, trains, names, pure=False) if trains else None
        )
        nearest = {m: client.submit(_nearest_task, folder, m, names, pure=False) for m in street}
        counts = {
            (m, block): client.submit(_counts_task, folder, m, names, block, pure=False)
            for m in street
            for block in blocks
        }
        got_nearest = {m: f.result() for m, f in nearest.items()}
        got_counts = {key: f.result() for key, f in counts.items()}
        got_trains = train_rows.result() if train_rows is not None else None
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()
    table = _assemble(folder, street, names, blocks, got_nearest, got_counts)
    if got_trains is None:
        return table
    return pd.concat([table, got_trains], ignore_index=True)


def _assemble(
    folder: str,
    modes: Sequence[str],
    names: Sequence[str],
    blocks: list[tuple[int, int]],
    nearest: dict[str, dict[str, Any]],
    counts: dict[tuple[str, tuple[int, int]], dict[str, np.ndarray]],
) -> pd.DataFrame:
    """Put the task results together in the serial batch's row order."""
    origins = acc.neighbourhood_points(Path(folder))
    frames = []
    for mode in modes:
        for name in names:
            minutes, estimated, method = nearest[mode][name]
            block_counts = np.concatenate([counts[(mode, b)][name] for b in blocks], axis=0)
            frames.append(
                pd.DataFrame(
                    {
                        "code": origins.ids,
                        "layer": name,
                        "mode": mode,
                        "nearest_minutes": minutes,
                        **{f"count_{t}": block_counts[:, j] for j, t in enumerate(acc.THRESHOLDS)},
                        "estimated": estimated,
                        "method": method,
                    }
                )
            )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=acc.COLUMNS)
    return table.astype({"code": "str", "layer": "str", "mode": "str", "method": "str"})
