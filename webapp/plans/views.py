"""(being written) The plan registry, section editor, versions and status."""

from flask import abort

from webapp.auth.permissions import require
from webapp.plans import bp


@bp.get("/")
@require("plans.view")
def index():
    abort(404)


@bp.get("/<int:plan_id>")
@require("plans.view")
def detail(plan_id: int):
    abort(404)


@bp.get("/<int:plan_id>/sections/<key>")
@require("plans.view")
def section(plan_id: int, key: str):
    abort(404)
