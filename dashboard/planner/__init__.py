"""Planner tools: accessibility indicators over neighbourhoods (issue 11)."""
