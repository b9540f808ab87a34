"""Surviving mutants classified by hand as equivalent (no input can tell them apart).

Keys are :attr:`tests.mutation.Mutant.key` (``qualname: before -> after``); values say why
the change cannot alter behaviour. Used by ``python -m tests.mutation`` to report the score
over non-equivalent mutants.
"""

from __future__ import annotations

EQUIVALENT: dict[str, dict[str, str]] = {}
