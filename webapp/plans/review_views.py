"""(being written) Comments, suggestions, expert reviews, approval, publishing and filing."""

from flask import abort

from webapp.auth.permissions import require
from webapp.plans import bp


@bp.get("/<int:plan_id>/review")
@require("plans.view")
def review(plan_id: int):
    abort(404)
