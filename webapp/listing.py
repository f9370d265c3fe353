"""Lists: one pagination rule for every list page (page from ?page=, size from config)."""

from flask import current_app, request

from webapp.extensions import db


def paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False)


def args_without(*names: str) -> dict:
    """The current query arguments minus some (for export and page links that keep the filters)."""
    return {k: v for k, v in request.args.items() if k not in names}
