"""Read vector files (GeoJSON and friends) with validation shared by every publisher."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError, require_columns
from etl.sources.contracts import check_row_lengths, read_text


def read_vector(path: Path, required: list[str] | tuple[str, ...], crs: str) -> gpd.GeoDataFrame:
    """Read a vector file, check its columns and CRS, and return it unchanged otherwise.

    Parameters
    ----------
    path : Path
        The file.
    required : sequence of str
        Attribute columns that must be present.
    crs : str
        The CRS the publisher uses; a file declaring another one is refused.

    Raises
    ------
    SourceError
        When the file is unreadable (a GeoJSON that is not UTF-8 included), has no
        features, lacks a column or has another CRS.
    """
    if path.suffix.lower() in {".geojson", ".json"}:
        read_text(path)  # RFC 7946: GeoJSON is UTF-8; name the file and line otherwise
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError, ValueError, ... for bad files
        raise SourceError(path, f"not a readable vector file ({exc})") from exc
    if frame.empty:
        raise SourceError(path, "contains no features")
    require_columns(frame.columns, required, path)
    if frame.crs is None or not frame.crs.equals(gpd.GeoSeries(crs=crs).crs):
        raise SourceError(path, f"expected CRS {crs}, found {frame.crs}")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise SourceError(path, "has features without geometry")
    return frame


def read_csv(
    path: Path,
    required: list[str] | tuple[str, ...],
    *,
    sep: str = ",",
    encoding: str = "utf-8-sig",
) -> pd.DataFrame:
    """Read a CSV file as strings (callers convert), checking the input contracts.

    The file must be text in ``encoding``, every record must have the header's number
    of fields (a file cut mid-row is refused, naming the line), it must have rows and
    the ``required`` columns.  Empty cells are missing values.

    Raises
    ------
    SourceError
        Naming the file and what is wrong (line, column or encoding).
    """
    text = read_text(path, encoding)
    if not text.strip():
        raise SourceError(path, "file is empty")
    check_row_lengths(text, path, sep)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(path, f"not a readable CSV file ({exc})") from exc
    if frame.empty:
        raise SourceError(path, "has a header but no rows")
    require_columns(frame.columns, required, path)
    return frame
