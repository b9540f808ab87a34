"""Errors of the ETL; one base class so the CLI can turn them into one clear line."""

from __future__ import annotations

from pathlib import Path


class EtlError(Exception):
    """Base class of every error the ETL reports to the user."""


class SourceError(EtlError):
    """A raw input file is missing, empty, truncated or malformed.

    Parameters
    ----------
    path : Path or str
        The offending file.
    problem : str
        What is wrong with it, in plain words.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class FetchError(EtlError):
    """A live download failed after all retries."""


def require_columns(columns: object, required: list[str] | tuple[str, ...], path: Path) -> None:
    """Raise :class:`SourceError` naming the columns of ``required`` missing in ``columns``."""
    present = set(columns)  # type: ignore[call-overload]
    missing = [c for c in required if c not in present]
    if missing:
        msg = f"missing column(s) {', '.join(repr(c) for c in missing)}"
        raise SourceError(path, msg)
