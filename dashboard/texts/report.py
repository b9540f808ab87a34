"""Interface text: Printable intake report, PDF and HTML (issue 10)."""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {}
