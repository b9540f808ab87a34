"""Errors of the commute engine; one base class so callers show one clear line."""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine reports to the user."""


class BadInputError(EngineError, ValueError):
    """An argument is malformed (coordinates, mode, minutes, time of day)."""


class OutsideCoverageError(EngineError):
    """A point is too far from any network the engine knows to give a time."""


class NoRouteError(EngineError):
    """Both ends are covered but no journey answers the question (e.g. no train in time)."""
