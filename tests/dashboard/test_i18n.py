"""The translation table is complete in every language; ``t()`` falls back gracefully;
numbers and prices are written as each language writes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import i18n
from dashboard.i18n import LANGUAGES, keys, t

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"


def test_every_key_has_its_own_text_in_every_language() -> None:
    # t() falls back to English, so checking t() output could never catch a gap: the
    # table itself must hold a non-blank text for EN, NL and FR.
    assert i18n.missing_translations() == {}


def test_languages_share_placeholders() -> None:
    assert i18n.placeholder_mismatches() == {}


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_key_has_text(lang: str) -> None:
    for key in keys():
        assert t(key, lang).strip(), key


def test_every_literal_key_in_the_code_exists() -> None:
    """Every ``t("key")`` / ``t_markdown("key")`` with a literal key names a table key."""
    used: set[str] = set()
    for path in DASHBOARD.rglob("*.py"):
        used |= set(re.findall(r"\bt(?:_markdown)?\(\s*\"([a-z0-9_]+)\"", path.read_text()))
    assert used, "no t() call found"
    assert sorted(k for k in used if not i18n.has_key(k)) == []


def test_placeholders_and_fallbacks() -> None:
    assert t("n_results", "nl", n=3, total=427) == "3 van 427 wijken voldoen."
    assert t("page_explore", "xx") == "Explore"
    assert t("no_such_key") == "no_such_key"


@pytest.mark.parametrize(
    ("lang", "price", "count"),
    [("en", "€455,000", "5,389"), ("nl", "€ 455.000", "5.389"), ("fr", "€ 455.000", "5.389")],
)
def test_prices_and_counts_per_language(lang: str, price: str, count: str) -> None:
    assert i18n.format_eur(455000.0, lang) == price
    assert i18n.format_number(5389, lang) == count
    assert i18n.format_eur(float("nan"), lang) == ""
    assert i18n.format_eur(None, lang) == ""


def test_a_key_defined_in_two_feature_tables_is_refused() -> None:
    from dashboard.i18n import _merged

    with pytest.raises(ValueError, match="defined twice: shared"):
        _merged({"shared": ("a", "b", "c")}, {"shared": ("d", "e", "f")})
    assert _merged({"a": ("1", "2", "3")}, {"b": ("4", "5", "6")}).keys() == {"a", "b"}
