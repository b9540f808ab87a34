"""The report's static images: framing, attribution, drawing without a browser."""

from __future__ import annotations

import re

import pytest

from dashboard.report.figures import MAP_LAYERS, attribution, map_png, map_view, price_chart_png
from dashboard.report.model import Report
from geodata.catalog import default_data_dir
from geodata.io import load_manifest

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_far_workplace_becomes_an_arrow_and_a_near_one_is_framed() -> None:
    # Hand-made: a 2 km shortlist box; with the 3 km margin it is 8 km wide, so a
    # workplace counts as near up to 8 km from that box.
    view = map_view((0, 0, 2000, 2000), [1000, 12000, 30000], [1000, 1000, 1000])
    assert view.off_map == (2,)  # 25 km from the box: an arrow
    # framed: the box and the near workplaces with half a margin around them
    # (x -3000..13500, y -3000..5000), then widened to 5:4 (height 13200, centred)
    assert view.bounds == pytest.approx((-3000, -5600, 13500, 7600))


def test_workplaces_on_the_shortlist_keep_the_map_on_it() -> None:
    view = map_view((0, 0, 4000, 2000), [2000], [1000])
    assert view.off_map == ()
    x0, y0, x1, y1 = view.bounds
    assert (x1 - x0) / (y1 - y0) == pytest.approx(1.25)
    assert (x0, x1) == pytest.approx((-3000, 7000))


def test_attribution_carries_every_drawn_layers_required_text() -> None:
    text = attribution()
    for name in MAP_LAYERS:
        licence = load_manifest(name, default_data_dir()).licence
        for required in re.findall(r"'([^']+)'", licence) or [licence]:
            assert required in text
    assert "OpenStreetMap" in text
    assert "gemeentebesturen" in text  # the wijk boundaries' attribution


def test_images_are_png(report_en: Report) -> None:
    assert map_png(report_en).startswith(PNG_SIGNATURE)
    assert price_chart_png(report_en.profiles, "fr").startswith(PNG_SIGNATURE)
