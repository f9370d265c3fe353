from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("documents", __name__, url_prefix="/documents")
NAV = [NavItem("公文模板", "documents.index", "documents.view", icon="file")]

from webapp.documents import views  # noqa: E402,F401  (routes attach to bp)
