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

from dashboard import cache, state
from dashboard.escaping import markdown_text
from dashboard.i18n import LANGUAGES, t, t_markdown
from geodata.io import SnapshotError


def check_link(lang: str) -> None:
    """Say what the link's intake parameters held that could not be used, once.

    Malformed values were cleared and a shortlist beyond its maximum was cut when the
    link was read (:func:`state.link_problems`); codes that name no neighbourhood of
    the data are dropped here.  Each problem is one warning naming the parameter and
    the value (shown as text).
    """
    session = st.session_state
    problems = list(session.pop(state.URL_PROBLEMS, None) or [])
    current = state.current()
    if current.shortlist or current.profile_wijk:
        try:
            known = set(cache.neighbourhood_codes())
        except SnapshotError:
            known = None  # the page that needs the layer names the damaged file
        if known is not None:
            kept, unknown = state.unknown_codes(current, known)
            if unknown:
                session[state.SHORTLIST] = list(kept.shortlist)
                session[state.PROFILE_WIJK] = kept.profile_wijk or None
                problems += unknown
    for problem in problems:
        st.warning(
            t_markdown(
                problem.problem.value,
                lang,
                name=problem.name,
                value=problem.value,
                n=state.MAX_SHORTLIST,
            ),
            icon=":material/link_off:",
        )


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
    check_link(lang)
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
            "app_pages/compare.py",
            title=t("page_compare", lang),
            icon=":material/compare_arrows:",
            url_path="compare",
        ),
        st.Page(
            "app_pages/profile.py",
            title=t("page_profile", lang),
            icon=":material/home_pin:",
            url_path=state.PROFILE_PATH,
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
