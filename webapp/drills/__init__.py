from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("drills", __name__, url_prefix="/drills")
NAV = [NavItem("应急演练", "drills.index", "drills.view", icon="drills")]

from webapp.drills import (  # noqa: E402,F401  (models register; routes attach)
    evaluation_views,
    models,
    problem_views,
    report_views,
    views,
)
