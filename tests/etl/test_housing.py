"""Tests of the Statbel sale-price and building-stock parsers and the housing stage."""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import demography as demo_src
from etl.sources import housing as src
from etl.stages.housing import STAGES, prices_for_region, summarise
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def save_municipalities(out_dir: Path, names: dict[str, str]) -> None:
    """Save a municipalities layer of hand-made squares (geometry is not used here)."""
    frame = gpd.GeoDataFrame(
        {"nis": list(names), "name": list(names.values())},
        geometry=[box(4.6 + i * 0.01, 50.8, 4.605 + i * 0.01, 50.805) for i in range(len(names))],
        crs="EPSG:4326",
    )
    save_layer(frame, LayerManifest("municipalities", "t", "s", "u", "l", "d", "c"), out_dir)


def make_source_dir(root: Path) -> Path:
    """Lay the fixtures out like the mirror."""
    for rel, name in (
        (src.SALE_PRICES, "housing/sale_prices.csv"),
        (src.BUILDING_STOCK, "housing/building_stock.csv"),
        (demo_src.MERGERS, "demography/mergers.csv"),
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, root / rel)
    return root


def test_parse_sale_prices_mirror_keeps_municipalities_and_maps_types() -> None:
    sales = src.parse_sale_prices(FIXTURES / "housing" / "sale_prices.csv")
    assert "01000" not in set(sales["nis"])  # the Belgium total (level 1) is dropped
    assert len(sales) == 26
    leuven = sales[(sales["nis"] == "24062") & (sales["year"] == 2024)].set_index("type")
    assert leuven.loc["house", "median_price_eur"] == 455000.0
    assert leuven.loc["apartment", "sales"] == 1043
    assert set(sales["type"]) == {"house", "house_2_3_facades", "house_4plus_facades", "apartment"}
    kampenhout = sales[(sales["nis"] == "23038") & (sales["type"] == "apartment")]
    assert kampenhout["median_price_eur"].isna().all()  # Statbel publishes no median


def test_parse_sale_prices_reads_statbel_live_zip(tmp_path: Path) -> None:
    archive = tmp_path / "vastgoed.csv"  # fetch saves the zip under the mirror's name
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURES / "housing" / "vastgoed_live_sample.txt", "vastgoed_2010_9999.txt")
    sales = src.parse_sale_prices(archive)
    # yearly rows, municipality level, total surface class only
    assert list(zip(sales["nis"], sales["type"], sales["sales"], strict=True)) == [
        ("23038", "apartment", 8),
        ("24062", "apartment", 1043),
        ("24062", "house_2_3_facades", 638),
    ]
    assert sales["median_price_eur"].tolist()[1:] == [272500.0, 446750.0]
    assert math.isnan(sales["median_price_eur"].iloc[0])


def test_parse_sale_prices_errors(tmp_path: Path) -> None:
    good = (FIXTURES / "housing" / "sale_prices.csv").read_text()
    cases = {
        "missing.csv": (good.replace(",p50,", ",median,"), r"missing column.*'p50'"),
        "type.csv": (good.replace("appartementen", "flats"), "unknown property type"),
        "number.csv": (good.replace("455000.0", "n/a"), "non-numeric"),
        "dup.csv": (
            good + good.splitlines()[-1] + "\n",
            r"municipality/year/type .23105/2024/apartment. appears 2 times \(lines 31, 32\)",
        ),
        "header.csv": (good.splitlines()[0] + "\n", "no rows"),
        "zip.csv": ("PK\x03\x04garbage", "corrupt zip"),
    }
    for name, (text, message) in cases.items():
        bad = tmp_path / name
        bad.write_text(text)
        with pytest.raises(SourceError, match=message):
            src.parse_sale_prices(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceError, match="empty"):
        src.parse_sale_prices(empty)


def test_parse_building_stock_sums_house_types() -> None:
    stock = src.parse_building_stock(FIXTURES / "housing" / "building_stock.csv").set_index("nis")
    # Leuven T8: R1 16223 + R2 6988 + R3 5135 = 28346 dwellings in houses; R4 37581
    assert stock.loc["24062", "dwellings_in_houses"] == 28346
    assert stock.loc["24062", "dwellings_in_apartment_buildings"] == 37581
    assert stock.loc["71071", "dwellings_in_houses"] == 609 + 2961 + 6865
    assert stock.loc["71071", "stock_year"] == 2025


def test_parse_building_stock_without_dwellings_is_refused(tmp_path: Path) -> None:
    lines = (FIXTURES / "housing" / "building_stock.csv").read_text().splitlines()
    bad = tmp_path / "stock.csv"
    bad.write_text("\n".join(line for line in lines if ",T8," not in line) + "\n")
    with pytest.raises(SourceError, match="no dwelling rows"):
        src.parse_building_stock(bad)


def test_merged_municipality_without_new_code_gets_no_prices() -> None:
    sales = src.parse_sale_prices(FIXTURES / "housing" / "sale_prices.csv")
    munis = pd.DataFrame({"nis": ["24062", "73110"], "name": ["Leuven", "Bilzen-Hoeselt"]})
    mergers = {"73110": ["73006", "73032"]}
    prices, missing = prices_for_region(sales, munis, mergers)
    assert set(prices["nis"]) == {"24062"}
    assert missing["73110"].startswith("merged 2025 from 73006+73032")


def test_summary_values_by_hand() -> None:
    prices = pd.DataFrame(
        {
            "nis": ["1", "1", "1", "1"],
            "name": ["A"] * 4,
            "year": [2019, 2024, 2019, 2024],
            "type": ["house", "house", "apartment", "apartment"],
            "median_price_eur": [200000.0, 250000.0, 100000.0, float("nan")],
            "sales": [10, 20, 30, 5],
        }
    )
    munis = pd.DataFrame({"nis": ["1", "2"], "name": ["A", "B"]})
    stock = pd.DataFrame(
        {
            "nis": ["1"],
            "stock_year": [2025],
            "dwellings_in_houses": [7],
            "dwellings_in_apartment_buildings": [3],
        }
    )
    summary = summarise(prices, stock, munis).set_index("nis")
    assert summary.loc["1", "latest_year"] == 2024
    assert summary.loc["1", "median_house"] == 250000.0
    assert summary.loc["1", "change_5y_pct_house"] == 25.0
    assert summary.loc["1", "sales_apartment"] == 5
    assert math.isnan(summary.loc["1", "median_apartment"])  # no fallback to 2019
    assert math.isnan(summary.loc["1", "change_5y_pct_apartment"])
    assert math.isnan(summary.loc["1", "median_house_4plus_facades"])  # type absent
    assert pd.isna(summary.loc["2", "latest_year"])
    assert pd.isna(summary.loc["2", "dwellings_in_houses"])


def test_stage_builds_both_layers(tmp_path: Path) -> None:
    ctx = BuildContext(make_source_dir(tmp_path / "raw"), tmp_path / "out")
    save_municipalities(ctx.out_dir, {"24062": "Leuven", "71071": "Tessenderlo-Ham"})
    (result,) = run_pipeline(STAGES, ctx)
    assert result.status == "built", result.message
    prices = load_layer("housing_prices", ctx.out_dir)
    assert list(prices.columns) == ["nis", "name", "year", "type", "median_price_eur", "sales"]
    assert len(prices) == 16  # 2 municipalities x 2 years x 4 types
    summary = load_layer("housing_summary", ctx.out_dir).set_index("nis")
    # Tessenderlo-Ham is published under its 2025 code: 230000 (2019) -> 299000 (2024)
    assert summary.loc["71071", "change_5y_pct_house"] == 30.0
    assert summary.loc["71071", "name"] == "Tessenderlo-Ham"
    assert summary.loc["24062", "dwellings_in_apartment_buildings"] == 37581
    assert "Statbel" in load_manifest("housing_summary", ctx.out_dir).licence
    (again,) = run_pipeline(STAGES, ctx)
    assert again.status == "unchanged"


@pytest.mark.slow
def test_stage_on_full_mirror(tmp_path: Path) -> None:
    if not (MIRROR / src.SALE_PRICES).exists():
        pytest.skip("mirror not available")
    from etl.stages.boundaries import STAGES as BOUNDARIES

    ctx = BuildContext(MIRROR, tmp_path)
    results = run_pipeline([*BOUNDARIES, *STAGES], ctx)
    assert [r.status for r in results] == ["built", "built"], results
    summary = load_layer("housing_summary", tmp_path).set_index("nis")
    assert len(summary) == 60
    assert summary.loc["24062", "median_house"] == 455000.0  # README: Leuven 2024
    assert summary.loc["24062", "median_apartment"] == 272500.0
    assert summary["dwellings_in_houses"].notna().all()
