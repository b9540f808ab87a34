"""The link check of every rerun reads cached codes, not a copy of the whole layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import cache
from geodata.io import load_layer

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def test_link_codes_are_checked_without_copying_the_layer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the Sources page (which reads no neighbourhoods), with a shortlist in the link."""
    copies: list[str] = []
    real = cache.layer

    def counted(name: str, *args: Any, **kwargs: Any) -> pd.DataFrame:
        copies.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(cache, "layer", counted)
    codes = list(load_layer("neighbourhoods")["code"].astype(str)[:2])
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"short": f"{codes[0]},{codes[1]},99999"})
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception, at.exception
    assert any("'99999'" in w.value for w in at.warning), "the unknown code is still named"
    assert at.query_params["short"] == ",".join(codes)
    assert "neighbourhoods" not in copies
