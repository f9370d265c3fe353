from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("registry", __name__, url_prefix="/registry")
NAV = [
    NavItem("组织机构", "registry.index", "registry.view", icon="tree"),
    NavItem("人员", "registry.people", "registry.view", icon="people"),
]

from webapp.registry import views  # noqa: E402,F401  (routes attach to bp)
