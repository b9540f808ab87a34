"""Input contracts shared by the source parsers: text encoding, whole rows, unique ids.

Every check raises :class:`etl.errors.SourceError` naming the file (for a zip member,
``archive.zip!member.txt``) and the offending line or id, so the pipeline keeps the
previous layer and the operator knows where to look.

* :func:`decode_text` - the bytes are text in the declared encoding (UTF-8 unless a
  publisher documents another); a Latin-1 file or random bytes are refused by name.
* :func:`check_row_lengths` - every record has as many fields as the header: a file cut
  mid-row (download or copy interrupted) leaves a short last record, which pandas would
  silently pad with empty values.
* :func:`require_unique` - an id column (or key of several columns) has no repeats; the
  error quotes the id and the file lines of its rows.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from etl.errors import SourceError

#: Number of lines of a duplicated id quoted in an error.
_MAX_LINES_QUOTED = 5


def decode_text(data: bytes, where: Path, encoding: str = "utf-8-sig") -> str:
    """Decode a file's bytes, refusing bytes that are not text in ``encoding``.

    Raises
    ------
    SourceError
        When the bytes are not valid ``encoding`` (e.g. a Latin-1 CSV read as UTF-8),
        naming the file, the byte offset and the line.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        msg = (
            f"is not {encoding.removesuffix('-sig').upper()} text: byte "
            f"0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
            "save the file as UTF-8 or check that it is the right file"
        )
        raise SourceError(where, msg) from exc


def read_text(path: Path, encoding: str = "utf-8-sig") -> str:
    """Read a whole text file with :func:`decode_text` (missing file -> SourceError)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"unreadable ({exc})") from exc
    return decode_text(data, path, encoding)


def check_row_lengths(text: str, where: Path, sep: str = ",") -> None:
    """Refuse a delimited text whose records have fewer fields than its header.

    Parameters
    ----------
    text : str
        The decoded file.
    where : Path
        The file, named in the error.
    sep : str, default ","
        Field delimiter.

    Raises
    ------
    SourceError
        For the first short record, naming its line (a truncated file's last line).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header = next(reader, None)
    if header is None:
        return
    width = len(header)
    for row in reader:
        if row and len(row) < width:
            msg = f"line {reader.line_num} has {len(row)} of {width} fields (file cut mid-row?)"
            raise SourceError(where, msg)


def require_unique(
    keys: pd.Series | pd.DataFrame,
    where: Path,
    what: str,
    *,
    first_line: int = 2,
    unit: str = "lines",
) -> None:
    """Refuse repeated ids, quoting the id and the lines it appears on.

    Parameters
    ----------
    keys : Series or DataFrame
        The id column, or several columns forming the key, in file order, indexed by
        the row's position in the file (as read; filtering keeps it).
    where : Path
        The file, named in the error.
    what : str
        Name of the id ("school number", "stop_id", "NIS code").
    first_line : int, default 2
        Number of the first row (2: the line after a CSV header; 1 with ``unit`` set
        to ``"features"`` for the features of a GeoJSON).
    unit : str, default "lines"
        What the numbers count.
    """
    frame = keys.to_frame() if isinstance(keys, pd.Series) else keys
    repeated = frame.duplicated(keep=False)
    if not repeated.any():
        return
    first = frame[repeated].iloc[0]
    same = (frame == first).all(axis=1)
    # The index holds each row's position in the file (callers filter, never renumber).
    lines = [str(int(i) + first_line) for i in frame.index[same.to_numpy()]]
    shown = ", ".join(lines[:_MAX_LINES_QUOTED]) + (
        " ..." if len(lines) > _MAX_LINES_QUOTED else ""
    )
    value = "/".join(str(v) for v in first.tolist())
    count = int(frame.duplicated().sum())
    msg = f"{what} {value!r} appears {len(lines)} times ({unit} {shown}); {count} repeat(s) in all"
    raise SourceError(where, msg)


def zip_text_members(data: bytes, path: Path) -> list[str]:
    """Return the names of the ``.txt`` members of a zip archive held in ``data``.

    Raises
    ------
    SourceError
        Naming ``path`` when ``data`` is not a readable zip archive.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [m for m in archive.namelist() if m.lower().endswith(".txt")]
    except zipfile.BadZipFile as exc:
        raise SourceError(path, f"not a readable zip archive: corrupt zip ({exc})") from exc


def read_zip_member(data: bytes, member: str, path: Path) -> bytes:
    """Read a whole zip member; reading to its end makes zipfile check the CRC-32.

    Raises
    ------
    SourceError
        Naming ``<path>!<member>`` when the member is truncated or corrupt (a CRC, zlib or
        end-of-file error).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        where = Path(f"{path}!{member}")
        raise SourceError(where, f"zip member is truncated or corrupt ({exc})") from exc
