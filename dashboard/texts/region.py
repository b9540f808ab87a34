"""Interface text: Region coverage and network notes (issue 9)."""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {}
