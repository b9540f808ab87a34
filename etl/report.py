"""``python -m etl report``: one row per processed layer, from the manifests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from geodata.io import LayerManifest, load_manifests

COLUMNS = ("name", "rows", "bbox", "data_date", "source", "licence", "coverage")


def report_rows(data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return one dict per layer or graph with at least the keys of :data:`COLUMNS`."""
    rows = []
    for manifest in load_manifests(data_dir):
        row = _row(manifest)
        rows.append(row)
    return rows


def _row(manifest: LayerManifest) -> dict[str, Any]:
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
        "built_at": manifest.built_at,
        "extra": manifest.extra,
    }


def format_json(rows: list[dict[str, Any]]) -> str:
    """Render rows as a JSON list."""
    return json.dumps(rows, indent=2, ensure_ascii=False)


def format_table(rows: list[dict[str, Any]]) -> str:
    """Render rows as a plain-text table, with coverage and extra facts below each row."""
    lines = [f"{'layer':<22} {'rows':>7}  {'data date':<11} bbox (lon/lat)"]
    for row in rows:
        bbox = ", ".join(f"{v:.3f}" for v in row["bbox"]) if row["bbox"] else "-"
        lines.append(f"{row['name']:<22} {row['rows']:>7}  {row['data_date']:<11} {bbox}")
        lines.append(f"    source:   {row['source']}")
        lines.append(f"    licence:  {row['licence']}")
        lines.append(f"    coverage: {row['coverage']}")
        for key, value in sorted(row["extra"].items()):
            lines.append(f"    {key}: {value}")
    return "\n".join(lines)
