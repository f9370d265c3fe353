from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import or_

from webapp.auth import bp, services
from webapp.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, UserForm
from webapp.auth.models import User, UserRole
from webapp.auth.permissions import ROLE_LABELS, Role, require
from webapp.common.choices import choices
from webapp.common.spreadsheets import workbook_bytes, xlsx_response
from webapp.common.time import format_local
from webapp.errors import UserError, show_on_form
from webapp.extensions import db, limiter
from webapp.listing import args_without, paginate
from webapp.registry import services as registry


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except UserError as exc:
            error = exc.message
        else:
            session.clear()
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, error=error)


def _safe_next(target: str | None) -> str:
    # Only a path on this site: an absolute URL here would make the login page an open redirect.
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("dashboard.index")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("您已安全退出", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            login_user(current_user._get_current_object())  # keep this session valid under the new version
            flash("密码已修改，其他设备上的登录已失效", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("auth/change_password.html", form=form)


def _user_query(args):
    query = db.select(User).order_by(User.username)
    q = args.get("q", "").strip()
    if q:
        query = query.where(or_(User.username.contains(q), User.display_name.contains(q)))
    role = args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.roles.any(UserRole.role == role))
    return query


@bp.get("/users")
@require("users.manage")
def users():
    query = _user_query(request.args)
    if request.args.get("export") == "xlsx":
        rows = (
            (u.username, u.display_name, u.role_labels, u.organization.name if u.organization else "",
             "启用" if u.active else "停用", format_local(u.last_login_at))
            for u in db.session.execute(query).scalars()
        )
        data = workbook_bytes(["用户名", "姓名", "角色", "所属单位", "状态", "最近登录"], rows)
        return xlsx_response("用户列表.xlsx", data)
    page = paginate(query)
    return render_template("auth/users.html", page=page, roles=ROLE_LABELS, filters=args_without("page"))


def _org_choices():
    return choices([(0, "（不指定）")] + [(o.id, o.name) for o in registry.government_units()])


@bp.route("/users/new", methods=["GET", "POST"])
@require("users.manage")
def new_user():
    form = UserForm()
    form.organization_id.choices = _org_choices()
    if form.validate_on_submit():
        try:
            if not form.password.data:
                raise UserError("请设置初始密码", field="password")
            user = services.create_user(
                form.username.data, form.display_name.data, form.password.data, form.roles.data,
                form.organization_id.data or None,
            )
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已创建用户 {user.username}", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    del form.password
    form.username.render_kw = {"readonly": True}
    form.organization_id.choices = _org_choices()
    if request.method == "GET":
        form.roles.data = sorted(user.role_set)
        form.organization_id.data = user.organization_id or 0
    form.username.data = user.username
    if form.validate_on_submit():
        try:
            services.update_user(
                user, form.display_name.data, form.roles.data, form.active.data,
                form.organization_id.data or None, acting=current_user,
            )
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已保存用户 {user.username}", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user, reset_form=ResetPasswordForm())


@bp.post("/users/<int:user_id>/reset-password")
@require("users.manage")
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(user, form.password.data)
        except UserError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash(f"已重置 {user.username} 的密码并解除锁定", "success")
    else:
        flash("请输入新密码", "danger")
    return redirect(url_for("auth.edit_user", user_id=user.id))


@bp.post("/users/<int:user_id>/unlock")
@require("users.manage")
def unlock(user_id: int):
    user = db.get_or_404(User, user_id)
    services.unlock(user)
    flash(f"已解除 {user.username} 的锁定", "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))
