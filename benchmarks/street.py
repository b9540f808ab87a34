"""Street one-to-all: our CSR + scipy Dijkstra against what a user would pick instead.

All on the same real graph, in the same run (ratios are against our median):

* networkx ``MultiDiGraph`` built from the raw edges, what an osmnx user runs
  (``nx.single_source_dijkstra_path_length`` with a travel-time weight);
* networkx simple ``DiGraph`` of the same edges (the fastest parallel edge kept): the
  fair pure-Python baseline, as the multigraph pays for its edge keys;
* pandana (contraction hierarchies, ``pip install pandana``): a range query with an
  unbounded radius answers one-to-all; its weights are float32;
* pyroutingkit (RoutingKit's customizable contraction hierarchies, ``pip install
  pyroutingkit``): one-to-all as a 1 x n distance table; weights in whole milliseconds.

A peer that is not installed is skipped with a row saying why (``pip install .[benchmarks]``
installs both).  Every peer's answer is checked against ours (``max_diff_s``) so that no
figure is of a different question.  Preprocessing (contraction) is reported apart.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from dashboard.engine.network import StreetNetwork, load_street_network
from dashboard.engine.street import node_times
from geodata.io import load_graph

Arrays = dict[str, np.ndarray]


def _median_ms(fn: Callable[[int], object], sources: list[int]) -> float:
    times = []
    for source in sources:
        started = time.perf_counter()
        fn(source)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _timed_s(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C++ progress output (pandana prints to the process's stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    with Path(os.devnull).open("w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _edges(arrays: Arrays) -> zip[tuple[int, int, float]]:
    return zip(
        arrays["edge_from"].tolist(),
        arrays["edge_to"].tolist(),
        arrays["edge_time_s"].tolist(),
        strict=True,
    )


def networkx_multigraph(arrays: Arrays) -> nx.MultiDiGraph:
    """Every raw edge as a multigraph edge (what osmnx hands its users)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(arrays["node_x"])))
    g.add_weighted_edges_from(_edges(arrays), weight="travel_time")
    return g


def networkx_simple(arrays: Arrays) -> nx.DiGraph:
    """The same edges as a simple digraph: of parallel edges the fastest is kept."""
    fastest = (
        pd.DataFrame({"u": arrays["edge_from"], "v": arrays["edge_to"], "t": arrays["edge_time_s"]})
        .groupby(["u", "v"], sort=False)["t"]
        .min()
        .reset_index()
    )
    g = nx.DiGraph()
    g.add_nodes_from(range(len(arrays["node_x"])))
    g.add_weighted_edges_from(
        zip(fastest["u"].tolist(), fastest["v"].tolist(), fastest["t"].tolist(), strict=True),
        weight="travel_time",
    )
    return g


def _networkx_raw(g: nx.DiGraph | nx.MultiDiGraph, source: int) -> object:
    """The timed call: networkx's own answer (a dict), no conversion."""
    return nx.single_source_dijkstra_path_length(g, source, weight="travel_time")


def _networkx_times(g: nx.DiGraph | nx.MultiDiGraph, source: int, n: int) -> np.ndarray:
    out = np.full(n, np.inf)
    lengths = nx.single_source_dijkstra_path_length(g, source, weight="travel_time")
    out[list(lengths)] = list(lengths.values())
    return out


def _max_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest difference in seconds where either reaches; inf if they reach different sets."""
    if not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
        return float("inf")
    reached = np.isfinite(ours)
    return round(float(np.max(np.abs(ours[reached] - theirs[reached]), initial=0.0)), 3)


def _missing(package: str) -> str | None:
    if importlib.util.find_spec(package) is None:
        return f"{package} is not installed (pip install {package}, or .[benchmarks])"
    return None


def _pandana(arrays: Arrays, sources: list[int], ours: np.ndarray) -> dict[str, Any]:
    import pandana  # optional peer, imported only when installed

    n = len(arrays["node_x"])

    def build() -> Any:
        with _quiet_stdout():
            return pandana.Network(
                pd.Series(arrays["node_x"]),
                pd.Series(arrays["node_y"]),
                pd.Series(arrays["edge_from"]),
                pd.Series(arrays["edge_to"]),
                pd.DataFrame({"t": arrays["edge_time_s"]}),
                twoway=False,
            )

    net, build_s = _timed_s(build)

    def raw(source: int) -> Any:  # the timed call: pandana's own answer (a DataFrame)
        return net.nodes_in_range([source], 1e12)

    def one_to_all(source: int) -> np.ndarray:
        reached = raw(source)
        out = np.full(n, np.inf)
        out[reached["destination"].to_numpy(dtype=np.int64)] = reached["t"].to_numpy()
        return out

    return {
        "pandana_ms": round(_median_ms(raw, sources), 2),
        "pandana_preprocess_s": round(build_s, 1),
        "pandana_max_diff_s": _max_diff(ours, one_to_all(sources[0])),
    }


def _pyroutingkit(arrays: Arrays, sources: list[int], ours: np.ndarray) -> dict[str, Any]:
    import pyroutingkit  # optional peer, imported only when installed

    n = len(arrays["node_x"])
    targets = np.arange(n, dtype=np.uint32)

    def build() -> Any:
        topology = pyroutingkit.CCHTopology()
        topology.build(
            arrays["edge_from"].astype(np.uint32),
            arrays["edge_to"].astype(np.uint32),
            arrays["node_lat"].astype(np.float32),
            arrays["node_lon"].astype(np.float32),
            n,
        )
        metric = pyroutingkit.CCHMetric(topology)
        metric.customize(np.round(arrays["edge_time_s"] * 1000).astype(np.uint32))
        return topology, metric

    (_, metric), build_s = _timed_s(build)

    def raw(source: int) -> Any:  # the timed call: a 1 x n table in milliseconds
        return metric.distances_many_to_many(np.array([source], dtype=np.uint32), targets)

    def one_to_all(source: int) -> np.ndarray:
        ms = raw(source)[0]
        return np.where(ms >= pyroutingkit.INF_WEIGHT, np.inf, ms / 1000.0)

    return {
        "pyroutingkit_ms": round(_median_ms(raw, sources), 2),
        "pyroutingkit_preprocess_s": round(build_s, 1),
        "pyroutingkit_max_diff_s": _max_diff(ours, one_to_all(sources[0])),
    }


def _peers(
    mode: str, arrays: Arrays, sources: list[int], ours: np.ndarray, pandana_modes: tuple[str, ...]
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if mode not in pandana_modes:
        row["pandana_skipped"] = f"run on {', '.join(pandana_modes) or 'no graph'} only"
    elif reason := _missing("pandana"):
        row["pandana_skipped"] = reason
    else:
        row |= _pandana(arrays, sources, ours)
    if reason := _missing("pyroutingkit"):
        row["pyroutingkit_skipped"] = reason
    else:
        row |= _pyroutingkit(arrays, sources, ours)
    return row


def _ratios(row: dict[str, Any], ours_ms: float) -> dict[str, float]:
    """Each peer's time over ours (above 1: ours is faster)."""
    names = ("networkx_multi", "networkx_simple", "pandana", "pyroutingkit")
    return {
        f"{name}_over_ours": round(row[f"{name}_ms"] / ours_ms, 2)
        for name in names
        if f"{name}_ms" in row
    }


def _bench_mode(
    mode: str, sources: list[int], baseline_samples: int, pandana_modes: tuple[str, ...]
) -> dict[str, Any]:
    net: StreetNetwork = load_street_network(mode)
    arrays = load_graph(mode)
    ours = _median_ms(lambda s: node_times(net, s, direction="from"), sources)
    ours_to = _median_ms(lambda s: node_times(net, s, direction="to"), sources)
    ours_30 = _median_ms(lambda s: node_times(net, s, direction="to", limit_s=1800), sources)
    reference = node_times(net, sources[0], direction="from")
    n = net.n_nodes
    multi, simple = networkx_multigraph(arrays), networkx_simple(arrays)
    baseline = sources[:baseline_samples]
    row: dict[str, Any] = {
        "benchmark": f"street one-to-all {mode}",
        "nodes": n,
        "edges": int(net.forward.nnz),
        "ours_ms": round(ours, 2),
        "ours_reverse_ms": round(ours_to, 2),
        "ours_30min_limit_ms": round(ours_30, 2),
        "networkx_multi_ms": round(_median_ms(partial(_networkx_raw, multi), baseline), 1),
        "networkx_simple_ms": round(_median_ms(partial(_networkx_raw, simple), baseline), 1),
        "networkx_simple_max_diff_s": _max_diff(reference, _networkx_times(simple, sources[0], n)),
    }
    row |= _peers(mode, arrays, sources, reference, pandana_modes)
    return row | _ratios(row, ours)


def run(
    samples: int = 15,
    baseline_samples: int = 5,
    seed: int = 1,
    pandana_modes: tuple[str, ...] = ("walk",),
) -> list[dict[str, Any]]:
    """Benchmark walk, bike and car; return one row per mode.

    pandana's contraction takes 10-15 s per graph here, so by default it runs on the
    walk graph (the largest) only.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for mode in ("walk", "bike", "car"):
        n_nodes = len(load_graph(mode)["node_x"])
        sources = [int(s) for s in rng.integers(0, n_nodes, samples)]
        rows.append(_bench_mode(mode, sources, baseline_samples, pandana_modes))
    return rows
