"""The build stages, in dependency order.

Each module defines ``STAGES``, a list of :class:`etl.pipeline.Stage`.
"""

from __future__ import annotations

import importlib

from etl.pipeline import Stage

#: Stage modules in build order (a stage only depends on stages listed before it).
STAGE_MODULES: tuple[str, ...] = (
    "boundaries",
    "demography",
    "housing",
    "schools",
    "adult_education",
    "international_schools",
    "childcare",
    "transit",
    "bus_routes",
    "addresses",
    "neighbourhoods",
    "graphs",
    "accessibility",
)


def all_stages() -> list[Stage]:
    """Import the stage modules and return their stages in build order."""
    stages: list[Stage] = []
    for name in STAGE_MODULES:
        module = importlib.import_module(f"etl.stages.{name}")
        stages.extend(module.STAGES)
    return stages
