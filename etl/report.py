"""``python -m etl report``: one row per processed layer, from the manifests.

The default output is a table with one line per layer or graph: name, rows, data date,
a compact bbox, source, licence, the manifest's coverage sentence (shortened), and the
layer's coverage of arrondissement Leuven (its 30 municipalities).  ``--json`` prints
every manifest field in full, ``extra`` included.

Coverage of the arrondissement is taken from the manifest when a stage records it
(``extra["arr_leuven_coverage"]``, a short sentence); otherwise, for a layer with a
``nis`` column, it is counted from the layer itself: how many of the arrondissement's
municipalities have at least one row.  Graphs and layers without ``nis`` show ``-``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

import pandas as pd
import pyarrow.parquet as pq

from etl.settings import ARR_LEUVEN_NIS
from geodata.catalog import LAYERS, layer_path
from geodata.io import LayerManifest, SnapshotError, load_manifests

COLUMNS = ("name", "rows", "bbox", "data_date", "source", "licence", "coverage")

#: Manifest ``extra`` key a stage may set to state its arrondissement coverage itself.
ARR_COVERAGE_KEY: Final[str] = "arr_leuven_coverage"

#: Widest a text cell of the table may be; longer texts end in "...".
_WIDTHS: Final[dict[str, int]] = {
    "name": 21,
    "data_date": 20,
    "source": 30,
    "licence": 22,
    "coverage": 42,
    "arr_leuven": 24,
}


def report_rows(data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return one dict per layer or graph with at least the keys of :data:`COLUMNS`.

    Each dict also has ``arr_leuven``: the coverage of arrondissement Leuven (see the
    module docstring), or ``None`` where neither the manifest nor the layer tells it.

    Raises
    ------
    SnapshotError
        When a manifest, or a layer file read for its ``nis`` column, is damaged.
    """
    manifests = load_manifests(data_dir)
    # Without the municipalities layer the arrondissement is unknown: no counts, no error.
    has_munis = any(m.name == "municipalities" for m in manifests)
    arr_nis = _arr_municipalities(data_dir) if has_munis else None
    return [_row(m, _arr_coverage(m, arr_nis, data_dir)) for m in manifests]


def _row(manifest: LayerManifest, arr_leuven: str | None) -> dict[str, Any]:
    return {
        "name": manifest.name,
        "title": manifest.title,
        "rows": manifest.rows,
        "bbox": manifest.bbox,
        "data_date": manifest.data_date,
        "source": manifest.source,
        "source_url": manifest.source_url,
        "licence": manifest.licence,
        "coverage": manifest.coverage,
        "arr_leuven": arr_leuven,
        "built_at": manifest.built_at,
        "extra": manifest.extra,
    }


def _arr_municipalities(data_dir: Path | None) -> set[str] | None:
    """NIS codes of the arrondissement's municipalities, from the municipalities layer."""
    frame = _read_columns("municipalities", ["nis", "arr_nis"], data_dir)
    if frame is None:
        return None
    return set(frame.loc[frame["arr_nis"].astype(str) == ARR_LEUVEN_NIS, "nis"].astype(str))


def _arr_coverage(
    manifest: LayerManifest, arr_nis: set[str] | None, data_dir: Path | None
) -> str | None:
    """Return the manifest's own statement, else the arrondissement municipalities with rows."""
    stated = manifest.extra.get(ARR_COVERAGE_KEY)
    if stated is not None:
        return str(stated)
    if not arr_nis:
        return None
    if manifest.name.startswith("graph:"):
        return _graph_arr_coverage(manifest, arr_nis, data_dir)
    if manifest.name not in LAYERS:
        return None
    frame = _read_columns(manifest.name, ["nis"], data_dir)
    if frame is None:  # a table by neighbourhood code: its municipalities through them
        frame = _nis_by_code(manifest.name, data_dir)
    if frame is None:
        return None
    present = set(frame["nis"].dropna().astype(str)) & arr_nis
    return f"{len(present)}/{len(arr_nis)} with rows"


def _graph_arr_coverage(
    manifest: LayerManifest, arr_nis: set[str], data_dir: Path | None
) -> str | None:
    """Return how many arrondissement municipalities a graph covers, fully and partly.

    From the graph manifest's ``coverage_municipalities`` (names of the region's
    municipalities the area covers for >= 90 % / >= 1 %), matched by name to the
    arrondissement's municipalities.
    """
    facts = manifest.extra.get("coverage_municipalities")
    names = _read_columns("municipalities", ["nis", "name"], data_dir)
    if not isinstance(facts, dict) or names is None:
        return None
    arr_names = set(names.loc[names["nis"].astype(str).isin(arr_nis), "name"].astype(str))
    covered = len(arr_names & set(facts.get("covered", [])))
    partly = len(arr_names & set(facts.get("partly", [])))
    return f"{covered}/{len(arr_nis)} covered, {partly} partly"


def _nis_by_code(name: str, data_dir: Path | None) -> pd.DataFrame | None:
    """Return the ``nis`` of each row of a table keyed by neighbourhood ``code``, or None."""
    codes = _read_columns(name, ["code"], data_dir)
    places = _read_columns("neighbourhoods", ["code", "nis"], data_dir)
    if codes is None or places is None:
        return None
    return codes.merge(places, on="code", how="left")


def _read_columns(name: str, columns: list[str], data_dir: Path | None) -> pd.DataFrame | None:
    """Read a few columns of a layer; ``None`` when the layer has no such columns.

    Raises
    ------
    SnapshotError
        When the file is missing or unreadable (named, one line).
    """
    path = layer_path(name, data_dir)
    if not path.exists():
        raise SnapshotError(path, "data file is missing")
    try:
        if not set(columns) <= set(pq.read_schema(path).names):
            return None
        return pd.read_parquet(path, columns=columns)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        text = " ".join(str(exc).split())
        raise SnapshotError(
            path, f"data file is unreadable ({type(exc).__name__}: {text})"
        ) from exc


def format_json(rows: list[dict[str, Any]]) -> str:
    """Render rows as a JSON list (every field in full)."""
    return json.dumps(rows, indent=2, ensure_ascii=False)


def format_table(rows: list[dict[str, Any]]) -> str:
    """Render rows as a plain-text table, one line per layer (details: ``--json``)."""
    header = {
        "name": "layer",
        "rows": "rows",
        "data_date": "data date",
        "bbox": "bbox (lon/lat)",
        "source": "source",
        "licence": "licence",
        "coverage": "coverage",
        "arr_leuven": "arr. Leuven (munis)",
    }
    cells = [header] + [_cells(row) for row in rows]
    widths = {k: max(len(c[k]) for c in cells) for k in header}
    lines = [_line(c, widths) for c in cells]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def _cells(row: dict[str, Any]) -> dict[str, str]:
    """Return the text of each column of one layer's line."""
    bbox = ",".join(f"{v:.2f}" for v in row["bbox"]) if row["bbox"] else "-"
    return {
        "name": _shorten(row["name"], "name"),
        "rows": str(row["rows"]),
        "data_date": _shorten(row["data_date"], "data_date"),
        "bbox": bbox,
        "source": _shorten(row["source"], "source"),
        "licence": _shorten(row["licence"], "licence"),
        "coverage": _shorten(row["coverage"], "coverage"),
        "arr_leuven": _shorten(row.get("arr_leuven") or "-", "arr_leuven"),
    }


def _line(cells: dict[str, str], widths: dict[str, int]) -> str:
    parts = [cells[k].rjust(w) if k == "rows" else cells[k].ljust(w) for k, w in widths.items()]
    return "  ".join(parts).rstrip()


def _shorten(text: str, column: str) -> str:
    """One line of at most the column's width; a cut text ends in '...'."""
    flat = " ".join(str(text).split())
    width = _WIDTHS[column]
    return flat if len(flat) <= width else flat[: width - 3].rstrip() + "..."
