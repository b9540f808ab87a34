"""``python -m benchmarks [--json]``: engine benchmarks on the real bundled data.

Every figure is a median over repeated runs in this process; speed-ups are ratios
against a baseline measured in the same run on the same data, so they hold across
machines better than absolute times.  The load average at the start and the end of the
run is reported: on a shared machine the wall times grow with it.

Optional peers (pandana, pyroutingkit) run when installed (``pip install .[benchmarks]``);
otherwise their rows say they were skipped and why.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from typing import Any

from benchmarks import accessibility, accessibility_train, explore, flanders, street, transit
from dashboard.engine.core import CommuteEngine


def _load_average(when: str) -> dict[str, Any]:
    one, five, fifteen = os.getloadavg()
    return {
        "benchmark": f"load average at the {when} (1, 5, 15 min; {os.cpu_count()} cores)",
        "load_average": [round(one, 2), round(five, 2), round(fifteen, 2)],
    }


def _load_time() -> dict[str, Any]:
    started = time.perf_counter()
    engine = CommuteEngine()
    for graph in ("walk", "bike", "car"):
        engine.network(graph)
    seconds = time.perf_counter() - started
    return {
        "benchmark": "engine load (walk, bike, car + regional join)",
        "seconds": round(seconds, 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument(
        "--no-synthetic", action="store_true", help="skip the synthetic full-size feed"
    )
    parser.add_argument(
        "--no-page", action="store_true", help="skip the Explore page (AppTest) figures"
    )
    parser.add_argument(
        "--dask", action="store_true", help="also run the accessibility batch on local Dask"
    )
    parser.add_argument(
        "--no-flanders",
        action="store_true",
        help="skip the synthetic Flanders-scale accessibility batch (~4 min, 2.5 GB)",
    )
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = [_load_average("start"), _load_time()]
    rows += street.run(samples=5 if args.quick else 15, baseline_samples=2 if args.quick else 5)
    rows += transit.real(repeats=3 if args.quick else 7)
    if not args.no_synthetic:
        rows += transit.synthetic(repeats=2 if args.quick else 3)
    rows += accessibility.run(repeats=1 if args.quick else 3, dask=args.dask)
    rows += accessibility_train.run(repeats=1 if args.quick else 3)
    if not args.no_flanders:
        rows += flanders.run(sample_step=20 if args.quick else 10)
    if args.no_page:
        rows.append(explore.first_train_query())
    else:
        rows += explore.run(runs=3 if args.quick else 7)
    rows.append(_load_average("end"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append({"benchmark": "peak memory (RSS)", "megabytes": round(peak_mb, 1)})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print("  ".join(f"{k}={v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
