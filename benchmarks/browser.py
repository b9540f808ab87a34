"""``python -m benchmarks.browser [--json]``: the Explore page's speed in headless Chromium.

Measures the two targets of the Explore issue with Debian's Chromium (offline, as in the
browser tests: CDN files from ``.ci/vendor``, blank tiles):

- cold start: ``streamlit run`` launched (a new process, empty caches) until the first
  interactive map (Leaflet loaded, points drawn); target <= 8 s;
- update: a changed workplace (preset) or limit (slider, one step) until the app has
  finished the rerun with the map redrawn and the results line rewritten; median target
  <= 0.8 s (the Explore issue's target).

Timings are wall-clock on this machine and include whatever else it is running: the
load average is printed with them.  "Cold" means a new server process (Streamlit's caches
empty, imports and layer loading included); the operating system's file cache may be warm.
Run from the repository root: it reuses the browser tests' harness (``tests/e2e``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from tests.e2e import explore, harness

COLD_TARGET_S = 8.0
UPDATE_TARGET_S = 0.8

#: A signature of what the map shows: Leaflet numbers every layer it creates, so a redraw
#: (new layers, or a new map) changes the largest id and the layer count.
_MAP_SIGNATURE_JS = """
() => { if (window.map === undefined) return null;
  const ids = Object.keys(window.map._layers).map(Number);
  return [window.map._leaflet_id, ids.length, Math.max(...ids)].join(':'); }
"""


def _map_signature(page: Any) -> str | None:
    try:
        signature: str | None = explore.current_frame(page).evaluate(_MAP_SIGNATURE_JS)
    except (PlaywrightError, harness.HarnessError):  # iframe being replaced: none yet
        return None
    return signature


def _running(page: Any) -> bool:
    return bool(page.locator('[data-testid="stStatusWidget"]').count() > 0)


def _timed_update(page: Any, action: Callable[[], None], timeout_s: float = 60.0) -> float:
    """Seconds from ``action`` until the map and the results line both changed, run over."""
    map_before = _map_signature(page)
    results_before = explore.results_count(page)
    started = time.perf_counter()
    action()
    map_changed = results_changed = False
    while time.perf_counter() - started < timeout_s:
        map_changed = map_changed or _map_signature(page) not in (map_before, None)
        results_changed = results_changed or explore.results_count(page) != results_before
        if map_changed and not _running(page):
            finished = time.perf_counter() - started
            # Some changes leave the number of matches as it was: then the finished run
            # counts, once no further run follows.
            if results_changed or _settled(page):
                return finished
        time.sleep(0.02)
    msg = f"no update within {timeout_s:.0f} s"
    raise harness.HarnessError(msg)


def _settled(page: Any, quiet_s: float = 0.3) -> bool:
    """True when no run starts for ``quiet_s`` (the results may legitimately be unchanged)."""
    end = time.perf_counter() + quiet_s
    while time.perf_counter() < end:
        if _running(page):
            return False
        time.sleep(0.02)
    return True


def _new_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    harness.route_offline(context)
    return context, context.new_page()


def cold_start(browser: Any, runs: int, log_dir: Path) -> list[dict[str, float]]:
    """Launch a new server per run; time launch -> server healthy -> first interactive map."""
    rows = []
    for run in range(runs):
        server = harness.AppServer(log_path=log_dir / f"cold{run}.log")
        launched = time.perf_counter()
        server.start()
        try:
            context, page = _new_page(browser)
            opened = time.perf_counter()
            page.goto(server.url)
            # The iframe appears when the first script run has sent the map to the browser;
            # the rest is Leaflet building it from the payload.
            page.locator('iframe[title="streamlit_folium.st_folium"]').first.wait_for(
                state="attached", timeout=60_000
            )
            arrived = time.perf_counter()
            frame = explore.wait_for_map_ready(page)
            ready = time.perf_counter()
            html_kb = len(frame.content().encode()) / 1024
            context.close()
        finally:
            server.stop()
        rows.append(
            {
                "server_s": server.startup_s,
                "page_to_iframe_s": arrived - opened,
                "iframe_to_map_s": ready - arrived,
                "total_s": ready - launched,
                "map_html_kb": html_kb,
            }
        )
    return rows


def _preset_options(page: Any) -> list[str]:
    options = explore.open_options(page, "p1_preset").all_inner_texts()
    page.keyboard.press("Escape")
    return [o.strip() for o in options]


def updates(browser: Any, runs: int, log_dir: Path) -> dict[str, list[float]]:
    """On one warm server: time ``runs`` limit changes and ``runs`` workplace changes."""
    out: dict[str, list[float]] = {"limit": [], "workplace": []}
    with harness.AppServer(log_path=log_dir / "updates.log") as server:
        context, page = _new_page(browser)
        explore.open_explore(page, server.url)
        harness.wait_for_app_idle(page)
        slider = page.locator(".st-key-p1_max input[type='range']")
        for run in range(runs):
            key = "ArrowRight" if run % 2 == 0 else "ArrowLeft"
            slider.focus()
            out["limit"].append(_timed_update(page, functools.partial(slider.press, key)))
            harness.wait_for_app_idle(page)
        presets = _preset_options(page)[:2]
        for run in range(runs):
            # Open the list first: the clock runs from the click on the other preset.
            option = explore.open_options(page, "p1_preset").filter(has_text=presets[(run + 1) % 2])
            out["workplace"].append(_timed_update(page, option.first.click))
            harness.wait_for_app_idle(page)
        context.close()
    return out


def run(cold_runs: int = 3, update_runs: int = 5) -> list[dict[str, Any]]:
    """Run both benchmarks; return one row per measure."""
    reason = harness.missing_prerequisites()
    if reason is not None:
        raise harness.HarnessError(reason)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = harness.launch_chromium(playwright)
        try:
            cold = cold_start(browser, cold_runs, Path(tmp))
            changed = updates(browser, update_runs, Path(tmp))
        finally:
            browser.close()
    load = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    for name in ("server_s", "page_to_iframe_s", "iframe_to_map_s", "total_s"):
        label = f"cold start: {name.removesuffix('_s').replace('_', ' ')}"
        rows.append(_row(label, [r[name] for r in cold], load))
    rows[-1]["map_html_kb"] = round(statistics.median(r["map_html_kb"] for r in cold))
    rows[-1]["target_s"] = COLD_TARGET_S
    rows[-1]["meets_target"] = rows[-1]["median_s"] <= COLD_TARGET_S
    for name, values in changed.items():
        row = _row(f"update: {name} -> map and table", values, load)
        row["target_s"] = UPDATE_TARGET_S
        row["meets_target"] = row["median_s"] <= UPDATE_TARGET_S
        rows.append(row)
    return rows


def _row(name: str, values: list[float], load: float) -> dict[str, Any]:
    return {
        "benchmark": name,
        "runs": len(values),
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
        "load_avg_1min": round(load, 2),
    }


def _table(rows: list[dict[str, Any]]) -> str:
    header = f"{'benchmark':<40} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7} target"
    lines = [header, "-" * len(header)]
    for r in rows:
        target = ""
        if "target_s" in r:
            target = f"<= {r['target_s']} {'ok' if r['meets_target'] else 'MISSED'}"
        lines.append(
            f"{r['benchmark']:<40} {r['runs']:>4} {r['median_s']:>9.3f} {r['min_s']:>7.3f}"
            f" {r['max_s']:>7.3f} {target}"
        )
    kb = next((r["map_html_kb"] for r in rows if "map_html_kb" in r), None)
    lines.append(f"(map document in the iframe: {kb} kB)")
    lines.append(f"(1-minute load average {rows[0]['load_avg_1min']} on {os.cpu_count()} CPUs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the browser benchmarks; print a table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.browser", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts (default 3)")
    parser.add_argument("--runs", type=int, default=5, help="updates of each kind (default 5)")
    args = parser.parse_args(argv)
    try:
        rows = run(cold_runs=args.cold_runs, update_runs=args.runs)
    except harness.HarnessError as exc:
        print(f"browser benchmark not run: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(rows, indent=2) if args.json else _table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
