"""A four-neighbourhood report on the committed snapshot, built once for the report tests."""

from __future__ import annotations

import pytest

from dashboard.report.model import Report, build_report
from tests.report.cases import request


@pytest.fixture(scope="session")
def report_en() -> Report:
    return build_report(request("en"))
