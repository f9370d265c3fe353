"""Placeholder: routes attach here."""

from webapp.auth.permissions import require
from webapp.outreach import bp


@bp.route("/")
@require("outreach.view")
def index():
    return "安全宣传"
