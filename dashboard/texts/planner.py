"""Interface text: Planner page: service gaps and indicators (issue 11)."""

from __future__ import annotations

from typing import Final

#: key -> (English, Dutch, French)
TEXT: Final[dict[str, tuple[str, str, str]]] = {}
