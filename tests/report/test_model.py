"""The report request: checks before any work, and the app's view round trip."""

from __future__ import annotations

import pytest

from dashboard.engine.inputs import LatLon
from dashboard.layers import profile as pf
from dashboard.layers.score import Weights
from dashboard.report.model import (
    ClientWorkplace,
    ReportInputError,
    ReportRequest,
    build_report,
    check_request,
    commute_specs,
    request_from_specs,
)
from tests.report.cases import SHORTLIST, WORKPLACES, request


def test_the_apps_specs_round_trip_through_a_request() -> None:
    specs = commute_specs(request())
    assert specs[1].day, "the train commute carries its travel day"
    again = request_from_specs(specs, SHORTLIST, "fr", Weights(price=4))
    assert commute_specs(again) == specs
    assert again.weights == Weights(price=4)
    assert again.shortlist == SHORTLIST and again.lang == "fr"


@pytest.mark.parametrize(
    ("changed", "argument"),
    [
        ({"lang": "de"}, "lang"),
        ({"shortlist": ()}, "wijk"),
        ({"shortlist": (*SHORTLIST, "2406210")}, "wijk"),
        ({"shortlist": ("240621", "240621")}, "wijk"),
        ({"shortlist": ("240621", "nope")}, "wijk"),
        ({"workplaces": ()}, "workplace"),
        ({"workplaces": (*WORKPLACES, WORKPLACES[0])}, "workplace"),
        ({"workplaces": (ClientWorkplace(LatLon(50.9, 4.7), "rocket", 20),)}, "mode"),
        ({"workplaces": (ClientWorkplace(LatLon(50.9, 4.7), "bike", 0),)}, "max-minutes"),
    ],
)
def test_bad_requests_name_the_input(changed: dict[str, object], argument: str) -> None:
    base = request()
    bad = ReportRequest(
        workplaces=changed.get("workplaces", base.workplaces),  # type: ignore[arg-type]
        shortlist=changed.get("shortlist", base.shortlist),  # type: ignore[arg-type]
        lang=changed.get("lang", base.lang),  # type: ignore[arg-type]
    )
    with pytest.raises(ReportInputError) as caught:
        check_request(bad, pf.known_codes())
    assert caught.value.argument == argument
    check_request(base, pf.known_codes())  # the unchanged request passes


def test_a_workplace_the_engine_does_not_cover_is_refused() -> None:
    # 150 km west of Leuven: no network answers, so no commute can be given
    far = ClientWorkplace(LatLon(50.0, 3.0), "bike", 20)
    with pytest.raises(ReportInputError) as caught:
        build_report(ReportRequest((WORKPLACES[0], far), SHORTLIST[:1], "en"))
    assert caught.value.argument == "workplace2"
    assert "50.00000,3.00000" in caught.value.problem


def test_the_score_counts_and_prices_what_the_compare_page_did() -> None:
    """Apartment prices and a primary-school filter: the report scores as Compare does."""
    from dashboard.app_pages import compare
    from dashboard.layers import candidates as cand
    from dashboard.layers import score
    from dashboard.state import ExploreState

    view = ExploreState(budget_type="apartment", school_level="lager")
    filters = cand.PlaceFilters(budget_type="apartment", school_level="lager")
    bike = (WORKPLACES[0],)
    report = build_report(ReportRequest(bike, SHORTLIST, "en", filters=filters))
    specs = commute_specs(report.request)
    figures = compare._figures(list(SHORTLIST), view, specs)
    page = score.score_table(figures, Weights(), [s.max_minutes for s in specs]).set_index("code")
    assert report.score is not None
    for row in report.score:
        for part in score.COMPONENTS:
            expected = page.loc[row.code, f"part_{part}"]
            assert row.parts[part] == pytest.approx(None if expected != expected else expected)
        assert row.raw["price"] == pytest.approx(page.loc[row.code, "raw_price"])
