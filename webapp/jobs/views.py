"""Background jobs: see services.py."""

from webapp.jobs import bp
