"""Load the snapshot into PostgreSQL/PostGIS in one transaction.

Every layer becomes a table of the same name in the chosen schema (default ``public``):
one column per layer column (``bigint``, ``double precision``, ``boolean``, ``text``),
plus ``geom geometry(Geometry, 4326)`` with a GiST index for spatial layers, and the
layer's provenance as the table comment.  Table :data:`CATALOG_TABLE` lists every layer
with its source, licence, date, coverage and row count.

Replacement is atomic.  PostgreSQL DDL is transactional, so each table is built under a
temporary name, filled with ``COPY``, indexed, and then the old table is dropped and the
new one renamed - all in ONE transaction that commits at the end.  A reader sees the
previous publish until the commit and the new one after it; when anything fails (bad
URL, a layer that does not load, a lost connection) the transaction rolls back and the
previous tables stay exactly as they were.  The publisher needs the ``postgis`` extension
in the database (it creates it when allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from etl.publish import CATALOG_TABLE, PublishedLayer, catalog_frame, description
from etl.publish.geopackage import PublishError

#: Suffix of the tables being built; renamed to the layer name at the end.
_NEW = "__publishing"
#: Name of the geometry column of spatial tables.
GEOMETRY_COLUMN = "geom"
#: SRID of every published geometry (the snapshot stores EPSG:4326).
SRID = 4326


def publish_postgis(
    layers: Sequence[PublishedLayer], url: str, *, schema: str = "public"
) -> dict[str, int]:
    """Replace the tables of ``layers`` (and :data:`CATALOG_TABLE`) in one transaction.

    Parameters
    ----------
    layers : sequence of PublishedLayer
        From :func:`etl.publish.collect_layers`.
    url : str
        A libpq connection URL, e.g. ``postgresql://user:password@127.0.0.1:5432/db``.
    schema : str
        Target schema; created when missing.

    Returns
    -------
    dict of str to int
        Rows written per table.

    Raises
    ------
    PublishError
        When the connection fails or any statement fails; nothing was changed then.
    """
    tables = [(layer.name, layer.frame, description(layer.manifest)) for layer in layers]
    tables.append((CATALOG_TABLE, catalog_frame(layers), "Provenance of every published layer"))
    try:
        with (
            psycopg.connect(url, connect_timeout=10) as conn,
            conn.transaction(),
            conn.cursor() as cur,
        ):
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            counts = {name: _load_table(cur, schema, name, frame) for name, frame, _ in tables}
            for name, frame, comment in tables:
                _swap_in(cur, schema, name, comment, spatial=GEOMETRY_COLUMN in _geo(frame))
    except psycopg.Error as exc:
        # one line: libpq messages can span several (DETAIL, HINT); and libpq quotes a
        # malformed connection string back, password included
        text = str(exc).strip().replace(url, safe_url(url))
        first = _mask_passwords(text.splitlines()[0]) if text else type(exc).__name__
        msg = f"PostGIS publish failed, previous tables unchanged: {first}"
        raise PublishError(msg) from exc
    return counts


def safe_url(url: str) -> str:
    """Return ``url`` with every password replaced by ``***`` (for messages).

    Covers the password of a URL's user part (``user:pw@host``) and libpq's other
    spellings, ``password=pw`` in a query string or a key/value connection string.
    """
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not parsable as a URL (e.g. a bad port): mask what can be seen
        return _mask_passwords(url)
    if password is not None:
        user, _, host = parts.netloc.rpartition("@")
        name = user.split(":", 1)[0]
        parts = parts._replace(netloc=f"{name}:***@{host}")  # host kept as written ([::1])
    return _mask_passwords(urlunsplit(parts))


_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&']+)", re.IGNORECASE)
_USER_PASSWORD = re.compile(r"(://[^/:@\s]*:)[^@/\s]+@")


def _mask_passwords(text: str) -> str:
    """Replace ``password=...`` values and ``://user:pw@`` passwords in free text."""
    return _USER_PASSWORD.sub(r"\1***@", _PASSWORD_PARAM.sub(r"\1***", text))


def _geo(frame: pd.DataFrame) -> set[str]:
    """``{"geom"}`` when ``frame`` is a GeoDataFrame, else empty."""
    return {GEOMETRY_COLUMN} if hasattr(frame, "geometry") else set()


def sql_type(values: pd.Series) -> str:
    """PostgreSQL column type for a pandas column."""
    kind = values.dtype
    if pd.api.types.is_bool_dtype(kind):
        return "boolean"
    if pd.api.types.is_integer_dtype(kind):
        return "bigint"
    if pd.api.types.is_float_dtype(kind):
        return "double precision"
    return "text"


def geometry_type(geoms: Any) -> str:
    """Return the PostGIS geometry type of a layer: its one type, ``Multi...`` when mixed.

    A layer mixing Polygon and MultiPolygon is published as MultiPolygon (QGIS and most
    tools expect one geometry type per table); any other mix as ``Geometry``.
    """
    kinds = {str(k) for k in geoms.geom_type.dropna().unique()}
    if len(kinds) == 1:
        return kinds.pop()
    singles = {k.removeprefix("Multi") for k in kinds}
    return f"Multi{singles.pop()}" if len(singles) == 1 else "Geometry"


def _attribute_columns(frame: pd.DataFrame) -> list[str]:
    geometry = frame.geometry.name if hasattr(frame, "geometry") else None
    return [str(c) for c in frame.columns if c != geometry]


def _load_table(cur: psycopg.Cursor[Any], schema: str, name: str, frame: pd.DataFrame) -> int:
    """Create ``name__publishing`` and fill it with ``COPY``; return the row count."""
    table = sql.Identifier(schema, name + _NEW)
    columns = _attribute_columns(frame)
    defs = [
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(sql_type(frame[c]))) for c in columns
    ]
    names = [sql.Identifier(c) for c in columns]
    if _geo(frame):
        kind = geometry_type(frame.geometry)
        defs.append(
            sql.SQL("{} geometry({}, {})").format(
                sql.Identifier(GEOMETRY_COLUMN), sql.SQL(kind), sql.Literal(SRID)
            )
        )
        names.append(sql.Identifier(GEOMETRY_COLUMN))
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs)))
    copy = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(names))
    rows = 0
    with cur.copy(copy) as out:
        for row in _rows(frame, columns):
            out.write_row(row)
            rows += 1
    return rows


def _rows(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """Rows as plain Python values (``None`` for missing), geometry as hex EWKB last."""
    lists = [_python_values(frame[c]) for c in columns]
    if _geo(frame):
        geoms = np.asarray(frame.geometry.values, dtype=object)
        if geometry_type(frame.geometry).startswith("Multi"):
            single = shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON
            geoms[single] = [shapely.multipolygons([g]) for g in geoms[single]]
            single = shapely.get_type_id(geoms) == shapely.GeometryType.LINESTRING
            geoms[single] = [shapely.multilinestrings([g]) for g in geoms[single]]
            single = shapely.get_type_id(geoms) == shapely.GeometryType.POINT
            geoms[single] = [shapely.multipoints([g]) for g in geoms[single]]
        with_srid = shapely.set_srid(geoms, SRID)
        lists.append(
            [
                None if g is None else shapely.to_wkb(g, hex=True, include_srid=True)
                for g in with_srid
            ]
        )
    yield from zip(*lists, strict=True)


def _python_values(values: pd.Series) -> list[Any]:
    """Return a column as Python scalars; NA/NaN become ``None`` (SQL NULL)."""
    out = values.astype(object).where(values.notna(), None).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def _swap_in(
    cur: psycopg.Cursor[Any], schema: str, name: str, comment: str, *, spatial: bool
) -> None:
    """Index the new table, drop the old one and give the new one its name."""
    new = sql.Identifier(schema, name + _NEW)
    if spatial:
        cur.execute(
            sql.SQL("CREATE INDEX {} ON {} USING GIST ({})").format(
                sql.Identifier(f"{name}{_NEW}_geom_idx"), new, sql.Identifier(GEOMETRY_COLUMN)
            )
        )
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, name)))
    cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(new, sql.Identifier(name)))
    if spatial:
        cur.execute(
            sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                sql.Identifier(schema, f"{name}{_NEW}_geom_idx"),
                sql.Identifier(f"{name}_geom_idx"),
            )
        )
    cur.execute(
        sql.SQL("COMMENT ON TABLE {} IS {}").format(
            sql.Identifier(schema, name), sql.Literal(comment)
        )
    )
    cur.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, name)))
