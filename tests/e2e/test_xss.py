"""No script from data or links: hostile names in every shown field, in a real browser.

The app runs on a hand-made hostile snapshot copy (:mod:`tests.e2e.hostile`: payloads in
every text column the map shows, the workplace preset and address labels) with a fake
geocoder on loopback.  The test opens every popup and tooltip of the changed features and
both workplace tooltips, asks the geocoder, and opens a shared link carrying Markdown;
any dialog (``alert``), page error or escaped-away text fails it.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from dashboard.escaping import WORD_JOINER, html_text, js_string, template_literal
from dashboard.geocoding import GEOCODER_ENV
from tests.e2e import explore, harness
from tests.e2e.harness import BrowserSession
from tests.e2e.hostile import MARKER, SHOWN_TEXT, FakeGeocoder, hostile_snapshot, hostile_value

#: Layers drawn as map features (the other two name the workplaces).
FEATURE_LAYERS = [name for name in SHOWN_TEXT if name not in ("workplaces", "addresses")]
#: The neighbourhood tooltip shows the first of the popup's fields.
TOOLTIP_COLUMNS = {"neighbourhoods.name", "neighbourhoods.municipality"}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """URL of the app on the hostile snapshot with the fake geocoder, and the changed ids."""
    folder = tmp_path_factory.mktemp("hostile")
    changed = hostile_snapshot(folder / "geodata")
    with FakeGeocoder() as geocoder:
        server = harness.AppServer(
            data_dir=folder / "geodata",
            log_path=folder / "server.log",
            env={GEOCODER_ENV: geocoder.url},
        )
        try:
            server.start()
        except harness.HarnessError as exc:
            pytest.fail(f"{exc}\n{server.log_path.read_text(errors='replace')[-3000:]}")
        try:
            yield server.url, changed
        finally:
            server.stop()


#: Switch every overlay on, then open the popup and tooltip of every feature carrying the
#: marker (through the events a user's click and hover send) and every workplace tooltip;
#: return what each showed.
_OPEN_ALL_JS = """
(marker) => {
  const map = window.map;
  map._fadeAnimated = false;  // a closed popup leaves the page at once, not 200 ms later
  const last = (selector) => {
    const all = document.querySelectorAll(selector);
    return all.length ? all[all.length - 1] : null;
  };
  // Through the layer control, as a user would (a hidden layer is not in map._layers).
  for (const input of document.querySelectorAll('.leaflet-control-layers-overlays input')) {
    if (!input.checked) input.click();
  }
  const shown = (el) => el === null ? null : {
    text: el.innerText,
    elements: el.querySelectorAll('img, script, iframe, svg, a:not(.atlas-profile-link)').length,
    links: Array.from(el.querySelectorAll('a.atlas-profile-link'))
      .map((a) => a.getAttribute('href')),
  };
  const features = [], workplaces = [];
  map.eachLayer((l) => {
    const props = l.feature && l.feature.properties;
    if (props && Object.values(props).some((v) => String(v).includes(marker))) features.push(l);
    else if (!l.feature && l instanceof L.CircleMarker && l.getTooltip()) workplaces.push(l);
  });
  const out = {features: [], workplaces: []};
  for (const l of features) {
    const at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
    l.fire('click', {latlng: at}, true);
    const popup = shown(last('.leaflet-popup-content'));
    map.closePopup();
    l.fire('mouseover', {latlng: at}, true);
    const tooltip = shown(last('.leaflet-tooltip'));
    l.fire('mouseout', {latlng: at}, true);
    out.features.push({props: l.feature.properties, popup: popup, tooltip: tooltip});
  }
  for (const l of workplaces) {
    l.openTooltip();
    out.workplaces.push(shown(l.getTooltip().getElement()));
    l.closeTooltip();
  }
  return out;
}
"""


def _field(text: str) -> str:
    """``layer.column`` of an injected value."""
    match = re.match(rf"{MARKER} (\w+\.\w+) ", text)
    assert match, text
    return match[1]


def _assert_clean(session: BrowserSession) -> None:
    session.page.wait_for_timeout(500)  # let a (wrongly) created image fail and fire
    assert session.dialogs == []
    assert session.page_errors == []
    explore.assert_no_app_exception(session.page)


def test_hostile_names_stay_text_in_every_popup_and_tooltip(
    session: BrowserSession, hostile_app: tuple[str, dict[str, Any]]
) -> None:
    url, changed = hostile_app
    page = session.page
    w1 = "addr:" + changed["addresses"][0]
    w2 = "wp:" + changed["workplaces"][0]
    frame = explore.open_explore(page, url, f"w1={quote(w1)}&w2={quote(w2)}&m2=bike&t2=20")
    seen = frame.evaluate(_OPEN_ALL_JS, MARKER)

    fields_shown = set()
    for feature in seen["features"]:
        popup, tooltip = feature["popup"], feature["tooltip"]
        assert popup is not None, feature["props"]
        assert popup["elements"] == 0, popup
        # the app's own profile link, to its own page, with the code in the query only
        assert all(link.startswith("/profile?") for link in popup["links"]), popup["links"]
        for value in feature["props"].values():
            if MARKER not in str(value):
                continue
            text = html.unescape(str(value))  # what the browser shows for the escaped data
            field = _field(text)
            assert text == hostile_value(*field.split(".")), "escaped twice or altered"
            assert text in popup["text"], (text, popup["text"])
            if field in TOOLTIP_COLUMNS:
                assert tooltip is not None and tooltip["elements"] == 0, tooltip
                assert text in tooltip["text"], (text, tooltip["text"])
            fields_shown.add(field)
    expected = {f"{layer}.{column}" for layer in FEATURE_LAYERS for column in SHOWN_TEXT[layer][0]}
    assert fields_shown == expected

    labels = [tip["text"].strip() for tip in seen["workplaces"]]
    assert labels == [
        "1: " + hostile_value("addresses", "label"),
        "2: " + hostile_value("workplaces", "name"),
    ]
    assert all(tip["elements"] == 0 for tip in seen["workplaces"])
    _assert_clean(session)
    session.screenshot("xss_popups")


def test_hostile_geocoder_label_stays_text(
    session: BrowserSession, hostile_app: tuple[str, dict[str, Any]]
) -> None:
    url, changed = hostile_app
    page = session.page
    explore.open_explore(page, url, "w1=" + quote("addr:" + changed["addresses"][0]))
    page.locator(".st-key-p1_addr_q input").fill("xss")
    page.keyboard.press("Enter")
    harness.wait_for_app_idle(page)
    options = explore.open_options(page, "p1_addr")
    texts = [t.strip() for t in options.all_inner_texts()]
    online = FakeGeocoder.label + " (online)"
    assert online in texts, texts
    assert hostile_value("addresses", "label") in texts
    assert page.locator("[role='listbox'] img, [role='listbox'] a").count() == 0
    options.filter(has_text="geocoder").first.click()
    coords = explore.wait_for_workplace_coords(page)
    assert coords == pytest.approx((50.8790, 4.7010), abs=1e-4)
    explore.wait_for_map_ready(page)
    harness.wait_for_app_idle(page)
    _assert_clean(session)


def test_markdown_in_a_shared_link_stays_text(
    session: BrowserSession, hostile_app: tuple[str, dict[str, Any]]
) -> None:
    url, _ = hostile_app
    page = session.page
    payload = "[click here](https://evil.example/login) ![x](https://evil.example/t.png)"
    page.goto(f"{url}/?w1={quote('addr:' + payload)}")
    harness.wait_for_app_idle(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="not in the address index")
    alert.first.wait_for()
    # shown as typed (the app adds invisible word joiners that stop autolinking)
    assert payload in alert.first.inner_text().replace(WORD_JOINER, "")
    assert alert.first.locator("a, img").count() == 0
    assert not [u for u in session.requests.blocked if "evil.example" in u]
    _assert_clean(session)


#: Weighted towards the characters that matter in JavaScript and HTML.
_NASTY = "`$\\{}<>/&\"'!-[]()=\t\n\u2028\u2029 "


def _random_texts(count: int, seed: int = 7) -> list[str]:
    """``count`` reproducible texts of nasty and arbitrary (non-surrogate) characters."""
    rng = random.Random(seed)

    def char() -> str:
        if rng.random() < 0.6:
            return rng.choice(_NASTY)
        code = rng.randrange(0x20, 0x3000)
        return chr(code) if not 0xD800 <= code < 0xE000 else "x"

    return ["".join(char() for _ in range(rng.randrange(0, 24))) for _ in range(count)]


_ROUND_TRIP_JS = """
(cases) => cases.map(([text, template, jsString, htmlText]) => {
  const box = document.createElement('div');
  box.innerHTML = htmlText;
  return [
    eval('`' + template + '`') === text,
    eval(jsString) === text,
    box.textContent === text && box.children.length === 0,
  ];
})
"""


def test_escapes_round_trip_in_chromium(browser: Any) -> None:
    """Chromium's own parsers read every escaped text back as the original text.

    The texts hold no CR or NUL: HTML parsing itself turns CR into LF and drops NUL,
    escaped or not (the template-literal escapes of both are checked in test_escaping).
    """
    texts = [*_random_texts(400), hostile_value("stations", "name_nl"), FakeGeocoder.label]
    cases = [[t, template_literal(t), js_string(t), html_text(t)] for t in texts]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content("<!doctype html><title>escapes</title>")
        results = page.evaluate(_ROUND_TRIP_JS, cases)
    finally:
        context.close()
    failures = [(t, r) for t, r in zip(texts, results, strict=True) if not all(r)]
    assert failures == []
