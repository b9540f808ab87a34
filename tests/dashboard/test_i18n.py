"""The translation table is complete and ``t()`` falls back gracefully."""

from __future__ import annotations

import pytest

from dashboard.i18n import LANGUAGES, keys, t


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_key_has_text(lang: str) -> None:
    for key in keys():
        assert t(key, lang).strip(), key


def test_placeholders_and_fallbacks() -> None:
    assert t("n_results", "nl", n=3, total=427) == "3 van 427 wijken voldoen."
    assert t("page_explore", "xx") == "Explore"
    assert t("no_such_key") == "no_such_key"
