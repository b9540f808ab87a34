"""``python -m etl publish``: GeoPackage and PostGIS round trips on the committed snapshot.

The PostGIS tests run against a real PostgreSQL + PostGIS server: ``.ci/run`` installs it
from Debian, starts it on loopback and sets ``LEUVEN_ATLAS_TEST_POSTGIS`` to its URL.
Without that variable they skip locally and fail in CI (``CI`` set), so CI cannot pass
without having run them.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pyogrio
import pytest
from psycopg import sql

from etl.__main__ import main
from etl.publish import CATALOG_TABLE, PublishedLayer, collect_layers
from etl.publish.geopackage import PublishError, write_geopackage
from etl.publish.postgis import geometry_type, publish_postgis, safe_url
from geodata.io import load_layer

POSTGIS_ENV = "LEUVEN_ATLAS_TEST_POSTGIS"
#: A small but varied selection: polygons (mixed Polygon/MultiPolygon), points, a table.
SOME = ("wijken", "schools", "housing_prices")


@pytest.fixture(scope="module")
def some_layers() -> list[PublishedLayer]:
    return collect_layers(names=SOME)


# ----------------------------------------------------------------------- GeoPackage


def test_geopackage_round_trips_layers_crs_rows_and_provenance(
    some_layers: list[PublishedLayer], tmp_path: Path
) -> None:
    target = write_geopackage(some_layers, tmp_path / "atlas.gpkg")
    listed = {str(name): kind for name, kind in pyogrio.list_layers(target)}
    assert listed == {
        "wijken": "MultiPolygon",
        "schools": "Point",
        "housing_prices": None,
        CATALOG_TABLE: None,
    }
    for layer in some_layers:
        info = pyogrio.read_info(target, layer=layer.name)
        assert info["features"] == len(layer.frame)
        if layer.spatial:
            assert info["crs"] == "EPSG:4326"
        back = pyogrio.read_dataframe(target, layer=layer.name)
        assert list(back.columns[: len(layer.frame.columns) - layer.spatial]) == [
            c for c in layer.frame.columns if c != "geometry"
        ]
    schools = pyogrio.read_dataframe(target, layer="schools")
    original = load_layer("schools")
    assert schools["name"].tolist() == original["name"].tolist()
    assert schools.geometry.geom_equals_exact(original.geometry, 1e-9).all()
    with sqlite3.connect(target) as db:
        contents = dict(db.execute("SELECT table_name, description FROM gpkg_contents"))
        indexed = {
            r[0]
            for r in db.execute(
                "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'"
            )
        }
    assert indexed == {"wijken", "schools"}
    for layer in some_layers:
        assert layer.manifest.licence in contents[layer.name]
        assert layer.manifest.source in contents[layer.name]
    catalog = pyogrio.read_dataframe(target, layer=CATALOG_TABLE)
    assert catalog.set_index("layer")["rows"].to_dict() == {
        layer.name: len(layer.frame) for layer in some_layers
    }


def test_every_layer_of_the_snapshot_is_published(tmp_path: Path) -> None:
    layers = collect_layers()
    target = write_geopackage(layers, tmp_path / "all.gpkg")
    listed = {str(name) for name, _ in pyogrio.list_layers(target)}
    assert listed == {layer.name for layer in layers} | {CATALOG_TABLE}
    for layer in layers:
        assert pyogrio.read_info(target, layer=layer.name)["features"] == len(layer.frame)


def test_a_failed_geopackage_publish_keeps_the_previous_file(
    some_layers: list[PublishedLayer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_geopackage(some_layers[:1], tmp_path / "atlas.gpkg")
    before = target.read_bytes()
    real_write = pyogrio.write_dataframe
    calls: list[str] = []

    def fail_on_second_layer(frame: pd.DataFrame, path: Path, **kwargs: object) -> None:
        # GDAL failing half-way (disk full, a value it cannot store) after one good layer
        calls.append(str(kwargs["layer"]))
        if len(calls) == 2:
            raise pyogrio.errors.DataLayerError("simulated GDAL write failure")
        real_write(frame, path, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", fail_on_second_layer)
    with pytest.raises(PublishError, match=r"GeoPackage not written.*simulated"):
        write_geopackage(some_layers, target)
    assert calls == ["wijken", "schools"]
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atlas.gpkg"]


def test_geopackage_target_must_be_a_gpkg_in_an_existing_folder(
    some_layers: list[PublishedLayer], tmp_path: Path
) -> None:
    with pytest.raises(PublishError, match=r"must end in \.gpkg"):
        write_geopackage(some_layers, tmp_path / "atlas.sqlite")
    with pytest.raises(PublishError, match="no such folder"):
        write_geopackage(some_layers, tmp_path / "missing" / "atlas.gpkg")


def test_cli_publish_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish"]) == 2
    assert "needs --geopackage FILE and/or --postgis URL" in capsys.readouterr().err
    assert main(["publish", "--geopackage", str(tmp_path / "a.gpkg"), "--layers", "nope"]) == 2
    assert "unknown layer(s) nope" in capsys.readouterr().err
    assert main(["publish", "--geopackage", str(tmp_path / "a.gpkg"), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert main(["publish", "--geopackage", str(tmp_path / "a.gpkg"), "--layers", "stations"]) == 0
    assert "1 layers" in capsys.readouterr().out
    assert pyogrio.read_info(tmp_path / "a.gpkg", layer="stations")["features"] == len(
        load_layer("stations")
    )


def test_geometry_type_promotes_mixed_polygons_only(some_layers: list[PublishedLayer]) -> None:
    wijken = some_layers[0].frame
    assert set(wijken.geom_type) == {"Polygon", "MultiPolygon"}
    assert geometry_type(wijken.geometry) == "MultiPolygon"
    assert geometry_type(some_layers[1].frame.geometry) == "Point"
    mixed = pd.concat([wijken.geometry.iloc[:1], some_layers[1].frame.geometry.iloc[:1]])
    assert geometry_type(mixed) == "Geometry"


def test_safe_url_hides_the_password_only() -> None:
    assert safe_url("postgresql://u:secret@db:5433/x") == "postgresql://u:***@db:5433/x"
    assert safe_url("postgresql://db/x") == "postgresql://db/x"
    assert safe_url("postgresql://u:secret@[::1]:5432/x") == "postgresql://u:***@[::1]:5432/x"
    assert safe_url("postgresql://db/x?password=secret&a=1") == "postgresql://db/x?password=***&a=1"
    assert safe_url("host=db password='s e' dbname=x") == "host=db password=*** dbname=x"
    assert "secret" not in safe_url("postgresql://u:secret@db:99999/x")  # unparsable port


def test_a_malformed_url_is_refused_without_quoting_its_password() -> None:
    # libpq quotes a connection string it cannot parse back in its message
    with pytest.raises(PublishError) as caught:
        publish_postgis([], "postgis://alice:s3cret@127.0.0.1:1/db")
    assert "s3cret" not in str(caught.value) and "alice:***@" in str(caught.value)


# ----------------------------------------------------------------------- PostGIS


@pytest.fixture(scope="module")
def postgis_url() -> str:
    url = os.environ.get(POSTGIS_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGIS_ENV} is not set: .ci/run must start PostGIS")
        pytest.skip(f"no PostGIS server ({POSTGIS_ENV} not set; .ci/run starts one)")
    return url


@pytest.fixture
def schema(postgis_url: str) -> Iterator[str]:
    name = f"atlas_test_{uuid.uuid4().hex[:8]}"
    yield name
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _rows(url: str, schema: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table))
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def _tables(url: str, schema: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    return {r[0] for r in rows}


def test_postgis_round_trips_rows_srid_indexes_and_provenance(
    some_layers: list[PublishedLayer], postgis_url: str, schema: str
) -> None:
    counts = publish_postgis(some_layers, postgis_url, schema=schema)
    assert counts == {**{layer.name: len(layer.frame) for layer in some_layers}, CATALOG_TABLE: 3}
    assert _tables(postgis_url, schema) == {*SOME, CATALOG_TABLE}
    with psycopg.connect(postgis_url) as conn:
        geo: dict[str, str] = dict(
            conn.execute(
                "SELECT f_table_name, type || ':' || srid FROM geometry_columns "
                "WHERE f_table_schema = %s",
                (schema,),
            ).fetchall()
        )
        gist = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE "
                "'%%USING gist%%'",
                (schema,),
            )
        }
        comment = conn.execute(
            "SELECT obj_description(%s::regclass)", (f"{schema}.schools",)
        ).fetchone()
        names = conn.execute(
            sql.SQL("SELECT id, name, ST_X(geom), ST_Y(geom) FROM {} ORDER BY id").format(
                sql.Identifier(schema, "schools")
            )
        ).fetchall()
        prices = conn.execute(
            sql.SQL("SELECT sum(median_price_eur) FROM {}").format(
                sql.Identifier(schema, "housing_prices")
            )
        ).fetchone()
    assert geo == {"wijken": "MULTIPOLYGON:4326", "schools": "POINT:4326"}
    assert gist == {"wijken", "schools"}
    assert comment is not None and some_layers[1].manifest.licence in comment[0]
    schools = load_layer("schools").sort_values("id")
    assert [r[1] for r in names] == schools["name"].tolist()
    assert [r[2] for r in names] == pytest.approx(schools.geometry.x.tolist(), abs=1e-12)
    assert [r[3] for r in names] == pytest.approx(schools.geometry.y.tolist(), abs=1e-12)
    expected = load_layer("housing_prices")["median_price_eur"].sum()
    assert prices is not None and prices[0] == pytest.approx(expected)


def test_postgis_publish_replaces_tables_and_a_failure_keeps_the_previous_ones(
    some_layers: list[PublishedLayer], postgis_url: str, schema: str
) -> None:
    publish_postgis(some_layers, postgis_url, schema=schema)
    fewer = PublishedLayer("schools", some_layers[1].frame.iloc[:10], some_layers[1].manifest)
    publish_postgis([fewer], postgis_url, schema=schema)
    assert _rows(postgis_url, schema, "schools") == 10
    assert _rows(postgis_url, schema, CATALOG_TABLE) == 1
    # a good layer first, then one PostgreSQL refuses (NUL is not allowed in text)
    bad = PublishedLayer("broken", pd.DataFrame({"x": ["ok", "a\x00b"]}), fewer.manifest)
    with pytest.raises(PublishError, match="previous tables unchanged"):
        publish_postgis([some_layers[1], bad], postgis_url, schema=schema)
    assert _rows(postgis_url, schema, "schools") == 10
    assert _rows(postgis_url, schema, CATALOG_TABLE) == 1
    assert _tables(postgis_url, schema) == {*SOME, CATALOG_TABLE}


def test_postgis_bad_credentials_give_one_line_without_the_password(
    some_layers: list[PublishedLayer], postgis_url: str
) -> None:
    parts = postgis_url.split("@", 1)
    wrong = "postgresql://atlas:not-the-secret@" + parts[1] if len(parts) == 2 else postgis_url
    with pytest.raises(PublishError) as caught:
        publish_postgis(some_layers[:1], wrong + "?connect_timeout=3", schema="never_created")
    message = str(caught.value)
    assert "not-the-secret" not in message and "\n" not in message


def test_cli_publishes_to_postgis(
    postgis_url: str, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["publish", "--postgis", postgis_url, "--schema", schema, "--layers", "stations"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2 tables" in out
    assert _rows(postgis_url, schema, "stations") == len(load_layer("stations"))
