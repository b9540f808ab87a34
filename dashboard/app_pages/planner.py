"""Planner: what the morning-chain planner will do, and what works today."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.engine.core import COMMUTE_MODES
from dashboard.i18n import t


def render() -> None:
    """Draw the Planner page."""
    lang = state.language()
    st.title(t("page_planner", lang))
    st.info(t("planner_intro", lang))
    st.subheader(t("planner_modes", lang))
    # Every commute mode is wired in the engine; walk + bus is an estimate (central Leuven).
    rows = [
        {
            t("mode", lang): t(f"mode_{m}", lang),
            "": "✅ " + t("mode_estimated" if m == "walk_bus" else "mode_ready", lang),
        }
        for m in COMMUTE_MODES
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True)


render()
