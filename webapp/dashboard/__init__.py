from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("dashboard", __name__)
NAV = [NavItem("工作台", "dashboard.index", "dashboard.view", icon="home")]

from webapp.dashboard import summary_views, views  # noqa: E402,F401  (routes attach to bp)
