"""Fixtures for the real-browser tests: the app on a fixture snapshot, offline Chromium.

Every test here is marked ``browser`` and skips (with the reason) when Debian's Chromium
or the npm-packed JavaScript in ``.ci/vendor`` is missing, so a checkout without them
still passes; ``.ci/run`` installs both.

One Streamlit server serves the whole session, on a temporary copy of the committed
snapshot in which one school carries an HTML-injection name (a test fixture, never
committed; the app reads the copy through ``LEUVEN_ATLAS_DATA_DIR``).  Screenshots go to
``artifacts/e2e/`` (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import harness
from tests.e2e.harness import BrowserSession
from tests.e2e.snapshot import fixture_snapshot

ARTIFACTS = harness.PROJECT_ROOT / "artifacts" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder ``browser``; skip them all when prerequisites lack."""
    reason = harness.missing_prerequisites()
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def fixture_school(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The fixture snapshot folder and the id of the school with the injected name."""
    return fixture_snapshot(tmp_path_factory.mktemp("snapshot") / "geodata")


@pytest.fixture(scope="session")
def app_url(
    fixture_school: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of the app served from the fixture snapshot (one server per session)."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    server = harness.AppServer(data_dir=fixture_school[0], log_path=log_path)
    try:
        server.start()
    except harness.HarnessError as exc:
        pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')[-3000:]}")
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``artifacts/e2e``, emptied of the previous session's screenshots."""
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = harness.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the item, so a failing test's page can be saved."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def session(
    browser: Any, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[BrowserSession]:
    """A fresh offline browser context and page; dialogs are recorded and dismissed.

    When the test fails, the page is saved as ``artifacts/e2e/FAILED-<test>.png``.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    context.set_default_timeout(30_000)
    requests = harness.route_offline(context)
    page = context.new_page()
    state = BrowserSession(page=page, requests=requests, artifacts=artifacts)

    def on_dialog(dialog: Any) -> None:
        state.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # Dialogs opened by any frame (the map iframe too) are reported on the page.
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: state.page_errors.append(str(error)))
    try:
        yield state
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            state.screenshot(f"FAILED-{request.node.name}")
    finally:
        context.close()
