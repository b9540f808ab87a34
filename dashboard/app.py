"""Leuven Atlas: the app's entry point, a router over the pages.

Run with ``streamlit run dashboard/app.py``.  Every run restores the shared state
(URL on first load, widget values afterwards), draws the language choice and the
navigation, runs the chosen page, then writes the state back into the URL.  A damaged
or missing snapshot file (:class:`geodata.io.SnapshotError`, raised by every loader)
anywhere in any page ends that page with one error box naming the file, never a
traceback.
"""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.escaping import markdown_text
from dashboard.i18n import LANGUAGES, t
from geodata.io import SnapshotError


def main() -> None:
    """Route to the chosen page."""
    st.set_page_config(page_title="Leuven Atlas", page_icon="🗺️", layout="wide")
    state.start_run()
    with st.sidebar:
        st.selectbox(
            t("language", state.language()),
            list(LANGUAGES),
            format_func=LANGUAGES.__getitem__,
            key=state.LANG,
        )
    lang = state.language()
    # Before st.navigation: the browser takes the URL from the navigation message of this
    # run, so a query string written only at the end would lag one run behind (the
    # reported "URL one interaction behind after switching pages").  Checked in headless
    # Chromium with Streamlit 1.67: slider, selectbox, checkbox, map click and language
    # changes right after page switches (and after back/reload) all show the current state
    # in the URL.  Streamlit fixed a related frontend race in PR #14184 (stale query params
    # when a page switch and a query-string update arrive in one batch).
    state.write_url()
    pages = [
        st.Page(
            "app_pages/explore.py",
            title=t("page_explore", lang),
            icon=":material/map:",
            url_path="explore",
            default=True,
        ),
        st.Page(
            "app_pages/neighbourhoods.py",
            title=t("page_neighbourhoods", lang),
            icon=":material/holiday_village:",
            url_path="neighbourhoods",
        ),
        st.Page(
            "app_pages/planner.py",
            title=t("page_planner", lang),
            icon=":material/route:",
            url_path="planner",
        ),
        st.Page(
            "app_pages/sources.py",
            title=t("page_sources", lang),
            icon=":material/menu_book:",
            url_path="sources",
        ),
    ]
    page = st.navigation(pages)
    try:
        page.run()
    except SnapshotError as exc:
        # The message names a file and quotes reader errors: shown as text, not Markdown.
        st.error(markdown_text(str(exc)), icon=":material/broken_image:")
    state.write_url()  # again: a page may have corrected an invalid value


main()
