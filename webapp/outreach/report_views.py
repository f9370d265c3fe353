"""Placeholder: routes attach here."""

from webapp.outreach import bp  # noqa: F401
