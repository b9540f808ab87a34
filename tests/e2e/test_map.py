"""The map in a real browser: renders with markers, filters, map clicks, inert injected HTML."""

from __future__ import annotations

import pytest

from tests.e2e import explore, harness
from tests.e2e.harness import BrowserSession
from tests.e2e.snapshot import XSS_NAME, XSS_PAYLOAD


def test_map_renders_with_markers_offline(session: BrowserSession, app_url: str) -> None:
    frame = explore.open_explore(session.page, app_url)
    schools = harness.count_points(frame, explore.schools_overlay(frame))
    assert schools > 0, harness.overlay_names(frame)
    assert harness.count_points(frame) >= schools
    attribution = frame.locator(".leaflet-control-attribution").inner_text()
    assert "OpenStreetMap contributors" in attribution
    # Leaflet came from the vendored npm packages, and nothing tried to leave localhost.
    assert any("leaflet@1.9.3/dist/leaflet.js" in url for url in session.requests.served)
    assert session.requests.blocked == []
    assert session.dialogs == []
    explore.assert_no_app_exception(session.page)
    session.screenshot("explore_start")


def test_filter_changes_number_of_markers(session: BrowserSession, app_url: str) -> None:
    frame = explore.open_explore(session.page, app_url)
    overlay = explore.schools_overlay(frame)
    before = harness.count_points(frame, overlay)
    explore.apply_school_filter(session.page)
    assert harness.poll(lambda: explore.points_shown(session.page, overlay) not in (before, -1)), (
        f"schools shown stayed {before}"
    )
    harness.wait_for_app_idle(session.page)
    after = explore.points_shown(session.page, overlay)
    assert 0 <= after < before
    explore.assert_no_app_exception(session.page)
    session.screenshot("explore_filtered")


def test_map_click_sets_workplace(session: BrowserSession, app_url: str) -> None:
    page = session.page
    explore.open_explore(page, app_url)
    # Where no feature is: a click on a neighbourhood or a point opens its popup instead.
    lat, lon = explore.click_free_map_spot(page)
    workplace = explore.wait_for_workplace_coords(page)
    assert workplace == pytest.approx((lat, lon), abs=5e-4)
    # The rerun moved the workplace marker to the clicked point and recomputed the table.
    harness.wait_for_app_idle(page)
    frame = explore.wait_for_map_ready(page)
    shown = harness.overlay_latlngs(frame, explore.WORKPLACES_OVERLAY)
    assert any(p == pytest.approx((lat, lon), abs=5e-4) for p in shown), shown
    assert explore.results_count(page) is not None
    assert session.page_errors == []
    explore.assert_no_app_exception(session.page)
    session.screenshot("explore_clicked")


def test_injected_html_in_a_name_stays_text(session: BrowserSession, app_url: str) -> None:
    page = session.page
    frame = explore.open_explore(page, app_url)
    popup = explore.open_popup_of(frame, "TEST FIXTURE")
    # Shown literally, as text: the browser did not parse it into an element.
    assert XSS_PAYLOAD in popup["text"]
    assert popup["images"] == 0
    assert XSS_NAME in popup["text"]
    page.wait_for_timeout(500)  # give a (wrongly) created image time to fail and fire
    assert session.dialogs == []
    assert not [url for url in session.requests.local if url.split("?")[0].endswith("/x")]
    assert session.page_errors == []
    explore.assert_no_app_exception(session.page)
    session.screenshot("explore_fixture_popup")
