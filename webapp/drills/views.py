"""Placeholder: routes attach here."""

from webapp.auth.permissions import require
from webapp.drills import bp


@bp.route("/")
@require("drills.view")
def index():
    return "应急演练"
