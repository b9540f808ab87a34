"""Interface text of the app's features, one module per feature (EN, NL, FR).

Each module defines ``TEXT: dict[str, tuple[str, str, str]]`` (key -> English, Dutch,
French); :mod:`dashboard.i18n` merges them with its core table and refuses a key that is
defined twice.  Splitting the table keeps each feature's wording next to the others of
that feature instead of in one long file.
"""

from __future__ import annotations

from dashboard.texts import intake, planner, profile, region, report

#: Every feature table, merged by :mod:`dashboard.i18n`.
FEATURE_TABLES: tuple[dict[str, tuple[str, str, str]], ...] = (
    intake.TEXT,
    planner.TEXT,
    profile.TEXT,
    region.TEXT,
    report.TEXT,
)
