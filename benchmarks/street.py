"""Street one-to-all: our CSR + scipy Dijkstra against networkx on the same real graph.

The baseline is what an osmnx user would run: a ``networkx.MultiDiGraph`` and
``nx.single_source_dijkstra_path_length`` with a travel-time weight.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import networkx as nx
import numpy as np

from dashboard.engine.network import load_street_network
from dashboard.engine.street import node_times
from geodata.io import load_graph


def _median_ms(fn: Any, args: list[Any]) -> float:
    times = []
    for arg in args:
        started = time.perf_counter()
        fn(arg)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _networkx_graph(arrays: dict[str, np.ndarray]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(arrays["node_x"])))
    g.add_weighted_edges_from(
        zip(
            arrays["edge_from"].tolist(),
            arrays["edge_to"].tolist(),
            arrays["edge_time_s"].tolist(),
            strict=True,
        ),
        weight="travel_time",
    )
    return g


def _bench_mode(mode: str, sources: list[int], baseline_samples: int) -> dict[str, Any]:
    net = load_street_network(mode)
    ours = _median_ms(lambda s: node_times(net, s, direction="from"), sources)
    ours_to = _median_ms(lambda s: node_times(net, s, direction="to"), sources)
    ours_30 = _median_ms(lambda s: node_times(net, s, direction="to", limit_s=1800), sources)
    g = _networkx_graph(load_graph(mode))
    base = _median_ms(
        lambda s: nx.single_source_dijkstra_path_length(g, s, weight="travel_time"),
        sources[:baseline_samples],
    )
    return {
        "benchmark": f"street one-to-all {mode}",
        "nodes": net.n_nodes,
        "edges": int(net.forward.nnz),
        "ours_ms": round(ours, 2),
        "ours_reverse_ms": round(ours_to, 2),
        "ours_30min_limit_ms": round(ours_30, 2),
        "networkx_ms": round(base, 1),
        "speedup": round(base / ours, 1),
    }


def run(samples: int = 15, baseline_samples: int = 5, seed: int = 1) -> list[dict[str, Any]]:
    """Benchmark walk, bike and car; return one row per mode."""
    rng = np.random.default_rng(seed)
    rows = []
    for mode in ("walk", "bike", "car"):
        n_nodes = len(load_graph(mode)["node_x"])
        sources = [int(s) for s in rng.integers(0, n_nodes, samples)]
        rows.append(_bench_mode(mode, sources, baseline_samples))
    return rows
