"""How the browser tests and benchmark drive the Explore page (a page object).

Everything the tests know about the page lives here.  They rely only on stable hooks:

- Streamlit's ``st-key-<key>`` class on widgets with a user key (keys from
  ``dashboard/state.py``): ``school_level`` (tests), ``p1_preset`` and ``p1_max``
  (benchmark);
- the URL query string the app writes: ``w1`` (person 1's workplace, ``lat,lon`` after a
  map click);
- the streamlit-folium iframe (title ``streamlit_folium.st_folium``; its window's ``map``);
- English texts: the overlay names "Schools…" and "Workplaces" in the layer control, and
  the line "N of M neighbourhoods match" above the results table.
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Error as PlaywrightError

from tests.e2e import harness

#: Layer-control overlay with the schools (English label starts with this).
SCHOOLS_PREFIX = "Schools"
SCHOOLS_OVERLAY = "Schools (2022)"
#: Layer-control overlay with the workplace marker(s).
WORKPLACES_OVERLAY = "Workplaces"
#: The line above the results table (English), e.g. "31 of 427 neighbourhoods match."
RESULTS_LINE = re.compile(r"(\d+) of (\d+) neighbourhoods match")


def open_explore(page: Any, url: str, query: str = "") -> Any:
    """Open the app (Explore is its default page) and return the loaded map's frame."""
    page.goto(url + (f"/?{query}" if query else ""))
    wait_for_map_ready(page)
    harness.wait_for_app_idle(page)
    return wait_for_map_ready(page)


_MAP_READY_JS = """
() => { if (window.L === undefined || window.map === undefined || !window.map._loaded) return 0;
  let n = 0;
  window.map.eachLayer((l) => {
    if (l instanceof L.CircleMarker || l instanceof L.Marker) n += 1;
  });
  return n; }
"""


def wait_for_map_ready(page: Any, timeout_s: float = 60.0) -> Any:
    """Wait for the map iframe, Leaflet and at least one point; return the frame.

    The frame is looked up afresh on each try: Streamlit may remount the component
    while the first runs finish, which detaches an earlier frame.
    """
    deadline = time.perf_counter() + timeout_s
    last_error: Exception | None = None
    while time.perf_counter() < deadline:
        assert_no_app_exception(page)
        try:
            frame = harness.map_frame(page, timeout_ms=1_000)
            if frame.evaluate(_MAP_READY_JS) > 0:
                return frame
        except (PlaywrightError, harness.HarnessError) as exc:  # not there yet: try again
            last_error = exc
        page.wait_for_timeout(100)
    msg = f"map not ready after {timeout_s:.0f} s (last error: {last_error})"
    raise AssertionError(msg)


def results_count(page: Any) -> int | None:
    """The number of matching neighbourhoods the page states, or None when not shown."""
    line = page.get_by_text(RESULTS_LINE)
    if line.count() == 0:
        return None
    match = RESULTS_LINE.search(line.first.inner_text())
    return int(match[1]) if match else None


def assert_no_app_exception(page: Any) -> None:
    """Fail at once, with its text, when the page shows a Python exception."""
    shown = page.locator('[data-testid="stException"]')
    if shown.count() > 0:
        msg = f"the app raised: {shown.first.inner_text()[:2000]}"
        raise AssertionError(msg)


def current_frame(page: Any) -> Any:
    """The map's frame now (streamlit-folium may replace the iframe on a rerun)."""
    return harness.map_frame(page)


def points_shown(page: Any, overlay: str) -> int:
    """Points shown in an overlay of the current map; -1 while the map is being replaced."""
    try:
        return harness.count_points(current_frame(page), overlay)
    except (PlaywrightError, harness.HarnessError):
        return -1


def schools_overlay(frame: Any) -> str:
    """The exact name of the schools overlay in the layer control."""
    for name in harness.overlay_names(frame):
        if name.startswith(SCHOOLS_PREFIX):
            return name
    return SCHOOLS_OVERLAY


def open_options(page: Any, key: str, tries: int = 5) -> Any:
    """Open the option list of the selectbox with Streamlit key ``key``; return the options.

    A click that lands while Streamlit re-renders the widget can be lost, so retry.
    """
    options = page.get_by_role("option")
    for _ in range(tries):
        page.locator(f".st-key-{key} [role='combobox']").click()
        try:
            options.first.wait_for(state="visible", timeout=2_000)
            return options
        except PlaywrightError:  # a timeout: the click was lost, click again
            page.keyboard.press("Escape")
    msg = f"the options of selectbox {key!r} never opened"
    raise AssertionError(msg)


def choose_option(page: Any, key: str, option: str) -> None:
    """Pick ``option`` (its visible label) in the selectbox with Streamlit key ``key``."""
    open_options(page, key).filter(has_text=option).first.click()


def apply_school_filter(page: Any) -> None:
    """Narrow the schools shown: choose secondary schools in the school-level filter."""
    choose_option(page, "school_level", _secondary_label(page))


def _secondary_label(page: Any) -> str:
    """The visible label of the secondary-school option (the first containing 'econdary')."""
    options: list[str] = open_options(page, "school_level").all_inner_texts()
    page.keyboard.press("Escape")
    for text in options:
        if re.search(r"secondary|secundair", text, re.IGNORECASE):
            return text.strip()
    msg = f"no secondary option among {options}"
    raise AssertionError(msg)


#: The free spot nearest the map's centre: no control over it and no interactive layer
#: under it (Leaflet's own hit test, as its canvas renderer does for a real click).  A click
#: on a neighbourhood or a point opens that feature's popup instead of reaching the map.
_FREE_SPOT_JS = """
([step, maxRadius]) => {
  const map = window.map;
  const size = map.getSize();
  const box = map.getContainer().getBoundingClientRect();
  const free = (x, y) => {
    if (x < 10 || y < 10 || x > size.x - 10 || y > size.y - 10) return false;
    const el = document.elementFromPoint(box.left + x, box.top + y);
    if (el === null || el.closest('.leaflet-control, .leaflet-popup, .legend')) return false;
    if (!map.getContainer().contains(el)) return false;
    const p = map.containerPointToLayerPoint([x, y]);
    let hit = false;
    map.eachLayer((l) => {
      if (!hit && l._containsPoint && l.options.interactive !== false && l._parts !== undefined
          && l._containsPoint(p)) hit = true;
      if (!hit && l._containsPoint && l._point !== undefined && l._containsPoint(p)) hit = true;
    });
    return !hit;
  };
  const cx = size.x / 2, cy = size.y / 2;
  for (let r = 0; r <= maxRadius; r += step) {
    for (let a = 0; a < 360; a += 15) {
      const x = cx + r * Math.cos(a * Math.PI / 180), y = cy + r * Math.sin(a * Math.PI / 180);
      if (free(x, y)) {
        const ll = map.containerPointToLatLng([x, y]);
        return [x, y, ll.lat, ll.lng, box.left, box.top];
      }
      if (r === 0) break;
    }
  }
  return null;
}
"""


def click_free_map_spot(page: Any) -> tuple[float, float]:
    """Click the map where no feature is (nearest its centre); return the clicked lat, lon.

    The click goes through the real mouse at page coordinates (iframe box + map offset),
    so Leaflet, streamlit-folium and Streamlit handle it as they would a user's.
    """
    frame = current_frame(page)
    spot = frame.evaluate(_FREE_SPOT_JS, [10, 400])
    if spot is None:
        msg = "no free spot on the map to click"
        raise AssertionError(msg)
    x, y, lat, lon, left, top = spot
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    page.mouse.click(box["x"] + left + x, box["y"] + top + y)
    return float(lat), float(lon)


def query_params(page: Any) -> dict[str, str]:
    """The page's URL query parameters (last value of each)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def workplace_coords(page: Any, person: int = 1) -> tuple[float, float] | None:
    """A person's workplace from the URL when it is a coordinate pair, else None."""
    ref = query_params(page).get(f"w{person}", "")
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)", ref)
    return (float(match[1]), float(match[2])) if match else None


def wait_for_workplace_coords(
    page: Any, person: int = 1, timeout_s: float = 20.0
) -> tuple[float, float]:
    """Wait until the URL names a coordinate workplace for ``person``; return it."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        coords = workplace_coords(page, person)
        if coords is not None:
            return coords
        page.wait_for_timeout(100)
    msg = f"URL never named a coordinate workplace: {page.url}"
    raise AssertionError(msg)


#: folium's GeoJsonPopup binds the popup to the GeoJson group, so the point's own click
#: event (propagated to the group, as a user's click would be) is what opens it.
_OPEN_POPUP_JS = """
(needle) => {
  let found = null;
  window.map.eachLayer((l) => {
    const props = l.feature && l.feature.properties;
    if (found === null && props && l.getLatLng
        && Object.values(props).some((v) => String(v).includes(needle))) found = l;
  });
  if (found === null) return null;
  window.map.setView(found.getLatLng(), 16, {animate: false});
  // Put the point low in the map so its popup opens clear of the layer control.
  window.map.panBy([0, -window.map.getSize().y * 0.3], {animate: false});
  found.fire('click', {latlng: found.getLatLng()}, true);
  const content = document.querySelector('.leaflet-popup-content');
  return content === null ? null : {
    text: content.innerText,
    images: content.querySelectorAll('img').length,
  };
}
"""


def open_popup_of(frame: Any, needle: str) -> dict[str, Any]:
    """Open the popup of the first point whose properties contain ``needle`` (escaped).

    Popups bind to features as escaped HTML, so the search matches on the visible part of
    the name, not on markup.
    """
    popup: dict[str, Any] | None = frame.evaluate(_OPEN_POPUP_JS, needle)
    if popup is None:
        msg = f"no point with a popup contains {needle!r}"
        raise AssertionError(msg)
    return popup


#: A Brussels workplace by train (person 1) and a Leuven one by bike (person 2): the
#: candidates lie around Leuven, 30 km from the first workplace.
BRUSSELS_COUPLE = "w1=50.84550,4.35710&m1=train_walk&t1=60&w2=50.87950,4.67320&m2=bike&t2=20"

#: Every candidate polygon and workplace marker, and whether the map view holds it whole
#: with a margin of ``pad`` pixels (touching the edge reads as cut off).
_OUTSIDE_VIEW_JS = """
(pad) => {
  const map = window.map, size = map.getSize();
  const view = L.latLngBounds(map.containerPointToLatLng([pad, size.y - pad]),
                              map.containerPointToLatLng([size.x - pad, pad]));
  const out = [];
  let polygons = 0, markers = 0;
  window.map.eachLayer((l) => {
    if (l.feature && l.getBounds && l.feature.geometry.type.endsWith('Polygon')) {
      polygons += 1;
      if (!view.contains(l.getBounds())) out.push(l.feature.properties.name);
    } else if (l instanceof L.CircleMarker && !l.feature) {
      markers += 1;  // the workplace markers (points of the data layers are features)
      if (!view.contains(l.getLatLng())) out.push('workplace ' + l.getLatLng());
    }
  });
  return {polygons: polygons, markers: markers, outside: out};
}
"""


def outside_view(frame: Any, margin_px: int = 10) -> dict[str, Any]:
    """Count candidate polygons and workplace markers; list those not wholly in view.

    In view means inside the map with ``margin_px`` to spare on every side.
    """
    result: dict[str, Any] = frame.evaluate(_OUTSIDE_VIEW_JS, margin_px)
    return result


def table_headers(page: Any) -> list[str]:
    """Headers of the results table's columns the grid has drawn (its accessible table).

    Streamlit's data grid draws on a canvas and mirrors the columns it renders, the ones
    in (or next to) its visible area, into a hidden ``<table>`` for screen readers.
    """
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    # The grid mirrors its headers a moment after it is scrolled into view; reading at once
    # raced with that under load (an empty list in one CI run).
    grid.locator("th[role=columnheader]").first.wait_for(state="attached", timeout=15_000)
    headers: list[str] = grid.evaluate(
        "e => Array.from(e.querySelectorAll('th[role=columnheader]')).map(x => x.innerText)"
    )
    return headers
