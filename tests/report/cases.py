"""The report tests' request: four neighbourhoods and two workplaces on the snapshot."""

from __future__ import annotations

from dashboard.engine.inputs import LatLon
from dashboard.report.model import ClientWorkplace, ReportRequest

#: Heverlee Centrum (partial childcare data), Wijgmaal (none, beyond the cyclist's limit),
#: Centrum/station (Leuven station itself), Herent-Godelinde (estimated times, train
#: beyond the limit): the cases a report must tell apart.
SHORTLIST = ("2406219", "240621", "240629", "24038A2N")
#: Person 1 cycles to near Leuven station (20 min); person 2 takes the train to
#: Brussels-Central (75 min).
WORKPLACES = (
    ClientWorkplace(LatLon(50.8775, 4.7004), "bike", 20),
    ClientWorkplace(LatLon(50.8455, 4.3571), "train_walk", 75),
)


def request(lang: str = "en", shortlist: tuple[str, ...] = SHORTLIST) -> ReportRequest:
    """The test request in ``lang``."""
    return ReportRequest(WORKPLACES, shortlist, lang)
