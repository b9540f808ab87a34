"""Parts the relocation-intake pages share: commute questions, shortlist, weights, scores.

Drawn by the Explore, Neighbourhoods, Compare and Profile pages; widget keys come from
:mod:`dashboard.state`, texts from :mod:`dashboard.texts.intake`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import cache, state
from dashboard.engine.settings import STREET_MODES
from dashboard.i18n import t
from dashboard.layers import score
from dashboard.layers.workplaces import Workplace

#: The Compare and Profile page scripts (for ``st.page_link`` and ``st.switch_page``).
COMPARE_PAGE = "app_pages/compare.py"
PROFILE_PAGE = "app_pages/profile.py"


def commute_questions(
    s: state.ExploreState,
) -> tuple[list[Workplace], tuple[state.CommuteSpec, ...]]:
    """Resolve each person's workplace and build their commute question.

    Raises
    ------
    cache.WorkplaceError
        When a person's workplace reference cannot be resolved.
    SnapshotError
        When a layer the workplaces need is missing or damaged.
    """
    people = state.commuters(s)
    workplaces = [cache.person_workplace(c.person, c.workplace) for c in people]
    specs = tuple(
        state.commute_spec(s, c, w.point) for c, w in zip(people, workplaces, strict=True)
    )
    return workplaces, specs


def neighbourhood_labels() -> dict[str, str]:
    """Return ``{code: "name (municipality)"}`` of every neighbourhood, sorted by label.

    Raises ``SnapshotError`` naming the file when the layer is missing or damaged.
    """
    places = cache.layer("neighbourhoods")
    labels = {
        str(code): f"{name} · {municipality}" if municipality not in str(name) else str(name)
        for code, name, municipality in zip(
            places["code"], places["name"], places["municipality"], strict=True
        )
    }
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))


def shortlist_picker(labels: dict[str, str], lang: str, *, link: bool = True) -> list[str]:
    """Draw the shortlist (2-4 neighbourhoods, kept in the link) and a way to compare them.

    ``link``: offer the Compare page (not on that page itself).  Returns the codes on
    the shortlist.
    """
    st.multiselect(
        t("ik_shortlist", lang, n=state.MAX_SHORTLIST),
        list(labels),
        format_func=lambda code: labels.get(code, code),
        key=state.SHORTLIST,
        max_selections=state.MAX_SHORTLIST,
        help=t("ik_shortlist_help", lang, n=state.MAX_SHORTLIST),
        placeholder=t("ik_shortlist_placeholder", lang),
    )
    codes = [str(c) for c in st.session_state.get(state.SHORTLIST) or ()]
    if len(codes) >= 2 and link:
        st.page_link(COMPARE_PAGE, label=t("ik_open_compare", lang, n=len(codes)), icon="⚖️")
    elif len(codes) < 2:
        st.caption(t("ik_shortlist_need_two", lang))
    return codes


def weight_inputs(lang: str) -> None:
    """Draw one slider per score component (0 leaves it out of the score)."""
    st.caption(t("ik_weights_help", lang))
    for component in score.COMPONENTS:
        st.slider(
            t(f"ik_component_{component}", lang),
            *score.WEIGHT_RANGE,
            step=1,
            key=state.weight_key(component),
        )


def score_columns(persons: int, lang: str) -> dict[str, str]:
    """Shown names of the score table's columns, in display order."""
    names = {"name": t("col_name", lang), "score": t("ik_score", lang)}
    names["part_commute"] = t("ik_part", lang, c=t("ik_component_commute", lang))
    for p in range(1, persons + 1):
        names[f"minutes_{p}"] = t(f"col_minutes_{p}", lang)
    for component in score.COMPONENTS[1:]:
        names[f"part_{component}"] = t("ik_part", lang, c=t(f"ik_component_{component}", lang))
        names[f"raw_{component}"] = t(f"ik_raw_{component}", lang)
    names["missing"] = t("ik_missing", lang)
    return names


def score_frame(
    figures: pd.DataFrame, s: state.ExploreState, lang: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the score table as shown (0-100 points, named columns) and its column config.

    Raises
    ------
    AllWeightsZeroError
        When every weight is zero.
    """
    limits = [float(c.max_minutes) for c in state.commuters(s)]
    table = score.score_table(figures, s.weights(), limits)
    names = score_columns(len(limits), lang)
    shown = pd.DataFrame(table[list(names)]).copy()
    points = [c for c in names if c == "score" or c.startswith("part_")]
    shown[points] = (shown[points] * 100).round()
    shown["missing"] = [
        ", ".join(t(f"ik_component_{c}", lang) for c in missing) for missing in shown["missing"]
    ]
    config: dict[str, Any] = {
        names[c]: st.column_config.NumberColumn(format="%.0f", width="small") for c in points
    }
    config[names["score"]] = st.column_config.ProgressColumn(
        format="%.0f", min_value=0, max_value=100, width="small"
    )
    config[names["raw_price"]] = st.column_config.NumberColumn(format="localized")
    return shown.rename(columns=names), config


def show_scores(figures: pd.DataFrame, s: state.ExploreState, lang: str, *, key: str) -> None:
    """Draw the score table of ``figures`` (or say why there is none) and how it is made."""
    if figures.empty:
        return
    try:
        shown, config = score_frame(figures, s, lang)
    except score.AllWeightsZeroError:
        st.warning(t("ik_all_weights_zero", lang))
        return
    st.dataframe(shown, key=key, hide_index=True, width="stretch", column_config=config)
    st.caption(t("ik_score_method", lang, tied=round(score.TIED * 100)))


def profile_links(codes: Iterable[Any], s: state.ExploreState) -> list[str]:
    """Return the link to each neighbourhood's profile (for a table's link column)."""
    return [state.profile_link(s, str(code)) for code in codes]


def link_column(lang: str) -> Any:
    """Column config of a profile link column (relative links, opened in a new tab)."""
    return st.column_config.LinkColumn(
        t("ik_profile", lang), display_text=t("ik_open_profile", lang), width="small"
    )


# -- morning chain -------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainAsk:
    """The morning chain the widgets ask for: who drops off, how, within what, via what.

    ``spec`` is that person's commute as the ranking asks it (the key of
    :func:`dashboard.cache.chain_columns`, so every page reads the same chain).
    """

    person: int
    spec: state.CommuteSpec
    stop: str

    @property
    def mode(self) -> str:
        """The street mode of the person who drops the child off."""
        return self.spec.mode

    @property
    def max_minutes(self) -> int:
        """That person's limit for the whole chain."""
        return self.spec.max_minutes


def chain_inputs(persons: int, lang: str) -> None:
    """Draw the chain's stop choice and, for two people, who drops the child off."""
    st.selectbox(
        t("ik_chain_stop", lang),
        state.CHAIN_STOPS,
        format_func=lambda v: t(f"ik_chain_{v}", lang),
        key=state.CHAIN_STOP,
    )
    if persons > 1:
        st.radio(
            t("ik_chain_person", lang),
            ("1", "2"),
            format_func=lambda p: t(f"person_{p}", lang),
            key=state.CHAIN_PERSON,
            horizontal=True,
        )


def chain_ask(workplaces: Sequence[Workplace], lang: str) -> ChainAsk | None:
    """Return the chain asked for now, or None (off, no workplace, or not a street mode).

    A commuter by a timetabled mode gets a message naming the street modes the chain
    is computed for.
    """
    s = state.current()
    if s.chain_stop == "off" or not workplaces:
        return None
    person = min(s.chain_person, len(workplaces))
    commuter = state.commuters(s)[person - 1]
    if commuter.mode not in STREET_MODES:
        modes = ", ".join(t(f"mode_{m}", lang) for m in STREET_MODES)
        who = t(f"person_{person}", lang)
        st.info(t("ik_chain_street_only", lang, who=who, modes=modes))
        return None
    spec = state.commute_spec(s, commuter, workplaces[person - 1].point)
    return ChainAsk(person, spec, s.chain_stop)


def chain_rows(ask: ChainAsk, codes: Sequence[str]) -> pd.DataFrame:
    """Return the best chain of each wijk in ``codes`` (in that order), as Explore has it.

    :func:`dashboard.cache.chain_columns`: over every stop of the asked kind in the
    region, cached per question.  Raises ``EngineError`` or ``SnapshotError`` as it does.
    """
    return cache.chain_columns(ask.spec, ask.stop).reindex(pd.Index(codes, dtype=str))
