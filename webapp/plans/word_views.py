"""(being written) Import from .docx and the Word/PDF output."""

from flask import abort

from webapp.auth.permissions import require
from webapp.plans import bp


@bp.get("/import")
@require("plans.edit")
def import_docx():
    abort(404)


@bp.get("/<int:plan_id>/render")
@require("plans.view")
def render(plan_id: int):
    abort(404)
