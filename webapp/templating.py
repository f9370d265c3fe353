"""What every template can use: the navigation a user may see, can(), masks, dates."""

from flask import Flask, request, url_for
from flask_login import current_user

from webapp.auth.permissions import can
from webapp.common.identifiers import mask_id_number, mask_phone
from webapp.common.time import format_local
from webapp.documents import pdf
from webapp.documents.services import bureau_name


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(mask_id=mask_id_number, mask_phone=mask_phone, local_time=format_local)
    # Whether PDF can be offered (LibreOffice installed): the pages that generate documents ask.
    app.jinja_env.globals["pdf_available"] = pdf.available
    app.jinja_env.globals["bureau_name"] = bureau_name

    @app.context_processor
    def inject():
        return {"can": can, "nav_items": _visible_nav(app), "site_name": app.config["SITE_NAME"]}


def _visible_nav(app: Flask) -> list[tuple]:
    """(item, url, is_current); the current item is the one whose URL is the longest prefix of the path."""
    if not current_user.is_authenticated:
        return []
    items = [(item, url_for(item.endpoint)) for item in app.extensions["nav"] if can(item.permission)]
    matches = [url for _, url in items if request.path.startswith(url.rstrip("/"))]
    current = max(matches, key=len, default=None)
    return [(item, url, url == current) for item, url in items]
