"""Placeholder: routes attach here."""

from webapp.drills import bp  # noqa: F401
