"""Data & sources page: the street-network and population facts come from the manifests.

A copy of the committed snapshot (files linked, four manifests rewritten: a HAND-MADE
regional build) is put in a temporary data folder; the page must say what those manifests
record, in every language, and what the real ones record on the real snapshot.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.escaping import WORD_JOINER
from dashboard.i18n import LANGUAGES
from geodata.catalog import DATA_DIR, DATA_DIR_ENV, manifest_path
from geodata.io import load_manifest, write_text_atomic

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "app_pages" / "sources.py")
STREET_GRAPHS = ("walk", "bike", "car")

#: What the hand-made regional manifests record, and how each language says it.
REGIONAL = {
    "covered": ["Herent", "Leuven"],
    "partly": ["Bertem", "Bierbeek", "Haacht", "Holsbeek", "Kortenberg", "Lubbeek", "Tervuren"],
    "area_km2": 1234.6,
}
MAPPED_WIJKEN = 123  # 100 + 20 + 3 below
EXPECTED = {
    "en": (
        "cover 1,235 km² (Herent, Leuven in full, 7 municipalities in part, of the 60 region",
        "Walk network (OpenStreetMap: Herent, Leuven in full, 7 municipalities in part; 1,235 km²)",
        "123 of 427 wijken have statistical sectors mapped",
    ),
    "nl": (
        "dekken 1.235 km² (Herent, Leuven volledig, 7 gemeenten gedeeltelijk, van de 60",
        "Wandelnetwerk (OpenStreetMap: Herent, Leuven volledig, 7 gemeenten gedeeltelijk; "
        "1.235 km²)",
        "123 van 427 wijken hebben statistische sectoren",
    ),
    "fr": (
        "couvrent 1.235 km² (Herent, Leuven en entier, 7 communes en partie, sur les 60",
        "Réseau piéton (OpenStreetMap : Herent, Leuven en entier, 7 communes en partie ; "
        "1.235 km²)",
        "123 des 427 quartiers ont des secteurs statistiques",
    ),
}


def _shown(markdown: str) -> str:
    """The text CommonMark shows (backslash escapes and word joiners removed)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def _page(lang: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[state.LANG] = lang
    at.run()
    assert not at.exception
    return at


def _texts(at: AppTest) -> tuple[str, list[str]]:
    """The page's Markdown as shown, and the layer titles of its overview table."""
    markdown = "\n".join(_shown(m.value) for m in at.markdown)
    return markdown, [str(v) for v in at.dataframe[0].value.iloc[:, 0]]


def _link_snapshot(folder: Path) -> None:
    """Link every data file and manifest of the committed snapshot into ``folder``."""
    for path in [*DATA_DIR.glob("*.parquet"), *DATA_DIR.glob("*.manifest.json")]:
        (folder / path.name).symlink_to(path)
    (folder / "graphs").mkdir()
    for path in (DATA_DIR / "graphs").iterdir():
        (folder / "graphs" / path.name).symlink_to(path)


def _rewrite(folder: Path, name: str, change: dict[str, object]) -> None:
    """Replace the link of manifest ``name`` by a copy whose ``extra`` is updated."""
    manifest = load_manifest(name, DATA_DIR)
    target = manifest_path(name, folder)
    target.unlink()
    for key, value in change.items():
        old = manifest.extra[key]
        manifest.extra[key] = {**old, **value} if isinstance(old, dict) else value
    write_text_atomic(target, manifest.to_json())


@pytest.fixture(scope="module")
def regional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HAND-MADE regional snapshot: the real files, four manifests saying other numbers."""
    folder = tmp_path_factory.mktemp("regional")
    _link_snapshot(folder)
    for graph in STREET_GRAPHS:
        _rewrite(folder, f"graph:{graph}", {"coverage_municipalities": REGIONAL})
    mapping = {"ggw7 code": 100, "sector code prefix": 20, "sector polygons": 3, "unmapped": 304}
    _rewrite(folder, "neighbourhoods", {"sector_mapping": mapping})
    return folder


@pytest.mark.parametrize("lang", LANGUAGES)
def test_street_and_population_facts_follow_the_manifests(
    regional: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(regional))
    markdown, titles = _texts(_page(lang))
    streets, walk_title, mapped = EXPECTED[lang]
    assert streets in markdown
    assert mapped in markdown
    assert walk_title in titles
    assert "{" not in markdown and not any("{" in title for title in titles)


def test_the_real_snapshot_says_what_its_manifests_record() -> None:
    """Leuven's graphs: Leuven in full, the neighbouring municipalities in part; the
    population sentence counts the wijken with mapped sectors."""
    markdown, titles = _texts(_page("en"))
    walk = load_manifest("graph:walk").extra["coverage_municipalities"]
    places = load_manifest("neighbourhoods")
    mapping = places.extra["sector_mapping"]
    mapped = sum(v for k, v in mapping.items() if k != "unmapped")
    assert f"{', '.join(walk['covered'])} in full, {len(walk['partly'])} municipalities" in markdown
    assert f"{mapped} of {places.rows} wijken have statistical sectors mapped" in markdown
    assert f"{round(walk['area_km2'])} km²)" in " ".join(titles)
    assert "Leuven municipality only" not in markdown
