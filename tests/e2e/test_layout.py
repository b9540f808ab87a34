"""Layout in a real browser: the map holds every candidate, the table its key columns."""

from __future__ import annotations

from tests.e2e import explore
from tests.e2e.harness import BrowserSession

#: The results table's key columns (English headers), readable without scrolling at 1400 px.
KEY_COLUMNS = (
    "Minutes (1)",
    "Minutes (2)",
    "Schools (all)",
    "Childcare (all)",
    "Median price (EUR)",
)


def test_brussels_workplace_keeps_every_candidate_in_view(
    session: BrowserSession, app_url: str
) -> None:
    page = session.page
    frame = explore.open_explore(page, app_url, explore.BRUSSELS_COUPLE)
    shown = explore.outside_view(frame)
    assert shown["polygons"] > 0 and shown["markers"] == 2, shown
    assert shown["outside"] == [], shown
    session.screenshot("layout_brussels_1400")
    # A narrower window (or the sidebar opening) resizes the map after it was fitted.
    for width in (1024, 800):
        page.set_viewport_size({"width": width, "height": 760})
        page.wait_for_timeout(1_000)
        shown = explore.outside_view(explore.current_frame(page))
        assert shown["outside"] == [], (width, shown)
    session.screenshot("layout_brussels_800")
    explore.assert_no_app_exception(page)


def test_table_shows_the_key_columns_at_1400_px(session: BrowserSession, app_url: str) -> None:
    page = session.page  # the session's viewport is 1400 px wide
    explore.open_explore(page, app_url, explore.BRUSSELS_COUPLE)
    headers = explore.table_headers(page)
    assert set(KEY_COLUMNS) <= set(headers), headers
    assert headers.index("Minutes (1)") == 2
    downloads = page.locator(".stDownloadButton button")
    assert downloads.count() == 3
    for i in range(3):  # labels whole, not cut ("Download G...")
        button = downloads.nth(i)
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), button.inner_text()
    session.screenshot("layout_table_1400")


def test_page_works_at_1024_px(session: BrowserSession, app_url: str) -> None:
    page = session.page
    page.set_viewport_size({"width": 1024, "height": 900})
    frame = explore.open_explore(page, app_url, explore.BRUSSELS_COUPLE)
    assert explore.outside_view(frame)["outside"] == []
    headers = explore.table_headers(page)
    assert {"Minutes (1)", "Minutes (2)"} <= set(headers), headers
    explore.assert_no_app_exception(page)
    session.screenshot("layout_1024")
