"""Lists: one pagination rule for every list page (page from ?page=, size from config)."""

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination

from webapp.extensions import db

MAX_PAGE = 100_000  # beyond this the OFFSET would overflow a database integer; such a page is empty anyway


def paginate(query):
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= MAX_PAGE else (MAX_PAGE if page > MAX_PAGE else 1)
    return db.paginate(query, page=page, per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False)


def args_without(*names: str) -> dict:
    """The current query arguments minus some (for export and page links that keep the filters)."""
    return {k: v for k, v in request.args.items() if k not in names}


class _ListPagination(Pagination):
    """Flask-SQLAlchemy's page object over a list already in memory (rows computed in Python,
    such as a compliance table), so templates use the same pagination macro."""

    def _query_items(self) -> list:
        items = self._query_args["items"]
        return items[self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def paginate_list(items: list):
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= MAX_PAGE else (MAX_PAGE if page > MAX_PAGE else 1)
    return _ListPagination(page=page, per_page=current_app.config["PAGE_SIZE"], max_per_page=100, error_out=False,
                           items=list(items))
