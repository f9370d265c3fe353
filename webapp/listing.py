"""Lists: one pagination rule for every list page (page from ?page=, size from config)."""

from flask import current_app, request

from webapp.extensions import db

MAX_PAGE = 100_000  # beyond this the OFFSET would overflow a database integer; such a page is empty anyway


def paginate(query):
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= MAX_PAGE else (MAX_PAGE if page > MAX_PAGE else 1)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False)


def args_without(*names: str) -> dict:
    """The current query arguments minus some (for export and page links that keep the filters)."""
    return {k: v for k, v in request.args.items() if k not in names}
