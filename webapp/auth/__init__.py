from flask import Blueprint

from webapp.nav import NavItem

bp = Blueprint("auth", __name__)
NAV = [NavItem("用户管理", "auth.users", "users.manage", icon="users")]


def init_app(app) -> None:
    from webapp.auth.services import load_user
    from webapp.extensions import login_manager

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"


from webapp.auth import views  # noqa: E402,F401  (routes attach to bp)
