from flask import redirect, render_template, url_for
from flask_login import current_user

from webapp.auth.permissions import require
from webapp.dashboard import bp, services
from webapp.registry import services as registry


@bp.get("/")
def root():
    return redirect(url_for("dashboard.index" if current_user.is_authenticated else "auth.login"))


@bp.get("/dashboard")
@require("dashboard.view")
def index():
    return render_template(
        "dashboard/index.html",
        overview=registry.town_overview(),
        industries=services.enterprises_by_industry(),
    )
