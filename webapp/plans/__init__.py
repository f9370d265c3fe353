from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("plans", __name__, url_prefix="/plans")
NAV = [NavItem("应急预案", "plans.index", "plans.view", icon="plans")]

from webapp.plans import models, review_views, views, word_views  # noqa: E402,F401  (models register; routes attach)
