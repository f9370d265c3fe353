"""Error pages in Chinese, and the exception services raise for a user's mistake."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError

from webapp.extensions import db


class UserError(Exception):
    """A mistake the user can fix; the message is shown as it is (Chinese)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class FieldErrors(UserError):
    """Several fields are wrong at once: field name → message."""

    def __init__(self, errors: dict[str, str], duplicate_of=None):
        super().__init__("；".join(errors.values()))
        self.errors = errors
        self.duplicate_of = duplicate_of  # the existing record a duplicate points at, if any


def show_on_form(form, exc: UserError, aliases: dict[str, str] | None = None) -> None:
    """Undo what the failed service call may have flushed and show its messages on the form:
    under the fields they name (aliases map a service's field name to the form's), or above it."""
    db.session.rollback()
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field or "": exc.message}
    for name, message in errors.items():
        field = (aliases or {}).get(name, name)
        if field and field in form:
            form[field].errors = [*form[field].errors, message]
        else:
            form.form_errors.append(message)


_PAGES = {
    400: ("请求有误", "请求的内容不完整或格式不正确，请返回上一页重试。"),
    403: ("没有权限", "您的账号没有执行此操作的权限。如需开通，请联系系统管理员。"),
    404: ("页面不存在", "您要找的页面不存在或已被移除，请检查地址是否正确。"),
    405: ("请求方式不正确", "此页面不接受这种请求方式。"),
    413: ("文件过大", "上传的文件超过了大小上限，请压缩或拆分后重试。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍候几分钟再试。"),
    500: ("系统出错", "系统处理时出现问题，已记录。请稍后再试，若问题持续请联系系统管理员。"),
}


def render_error(code: int, message: str | None = None):
    title, default = _PAGES.get(code, _PAGES[500])
    db.session.rollback()
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def init_app(app: Flask) -> None:
    for code in _PAGES:
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        app.logger.info("CSRF refused on %s: %s", request.path, error.description)
        return render_error(400, "表单安全令牌缺失或已过期（页面打开太久或从别处提交）。请刷新页面后重新提交。")
