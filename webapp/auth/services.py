"""Accounts: password hashing (Argon2id, memory-hard), login with lockout, user management."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from webapp.auth.models import User, UserRole
from webapp.auth.permissions import Role
from webapp.common.time import format_local, utcnow
from webapp.errors import UserError
from webapp.extensions import db


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg.get("ARGON2_TIME_COST", 3),
        memory_cost=cfg.get("ARGON2_MEMORY_KIB", 65536),
        parallelism=cfg.get("ARGON2_PARALLELISM", 4),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(password: str, username: str = "", field: str = "new") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise UserError(f"密码至少 {minimum} 位", field=field)
    if password.isdigit() or password.isalpha():
        raise UserError("密码须同时包含字母和数字", field=field)
    if username and username.lower() in password.lower():
        raise UserError("密码不能包含用户名", field=field)


def find_user(username: str) -> User | None:
    return db.session.execute(db.select(User).where(User.username == username.strip())).scalar_one_or_none()


def authenticate(username: str, password: str, now: datetime | None = None) -> User:
    """Return the user or raise UserError with the message to show.

    Failures are counted per account; after LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW the
    account is locked for LOGIN_LOCK_SECONDS. The failure count is written even though login fails.
    """
    now = now or utcnow()
    cfg = current_app.config
    user = find_user(username)
    if user is None:
        _verify(_dummy_hash(), password)  # same work as a real check, so timing tells nothing
        raise UserError("用户名或密码错误")
    if user.locked_until and user.locked_until > now:
        raise UserError(_locked_message(user))
    if not _verify(user.password_hash, password):
        window = timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW"])
        if not user.last_failed_at or now - user.last_failed_at > window:
            user.failed_logins = 0
        user.failed_logins += 1
        user.last_failed_at = now
        left = cfg["LOGIN_MAX_FAILURES"] - user.failed_logins
        if left <= 0:
            user.locked_until = now + timedelta(seconds=cfg["LOGIN_LOCK_SECONDS"])
            user.failed_logins = 0
            db.session.flush()
            raise UserError(_locked_message(user))
        db.session.flush()
        raise UserError(f"用户名或密码错误（再错 {left} 次账号将被暂时锁定）")
    if not user.active:
        raise UserError("该账号已停用，请联系系统管理员")
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.flush()
    return user


def _locked_message(user: User) -> str:
    return (
        f"该账号因多次密码错误已被暂时锁定，请于 {format_local(user.locked_until, '%H:%M')} 后再试，"
        "或请系统管理员解锁"
    )


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = repr(_hasher())
    if key not in _DUMMY:
        _DUMMY[key] = hash_password("not-a-real-password-1")
    return _DUMMY[key]


def change_password(user: User, current: str, new: str) -> None:
    if not _verify(user.password_hash, current):
        raise UserError("当前密码不正确", field="current")
    if current == new:
        raise UserError("新密码不能与当前密码相同", field="new")
    check_password_rules(new, user.username)
    user.password_hash = hash_password(new)
    user.session_version += 1
    db.session.flush()


def create_user(
    username: str,
    display_name: str,
    password: str,
    roles: Iterable[Role | str],
    organization_id: int | None = None,
) -> User:
    username = username.strip()
    if find_user(username):
        raise UserError(f"用户名“{username}”已被使用", field="username")
    role_values = _clean_roles(roles)
    check_password_rules(password, username, field="password")
    user = User(
        username=username,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        organization_id=organization_id,
    )
    user.roles = [UserRole(role=r) for r in role_values]
    db.session.add(user)
    db.session.flush()
    return user


def update_user(
    user: User,
    display_name: str,
    roles: Iterable[Role | str],
    active: bool,
    organization_id: int | None,
    acting: User,
) -> None:
    role_values = _clean_roles(roles)
    if user.id == acting.id and (not active or Role.ADMIN.value not in role_values):
        raise UserError("不能停用自己的账号或取消自己的系统管理员角色")
    user.display_name = display_name.strip()
    user.active = active
    user.organization_id = organization_id
    current = {r.role for r in user.roles}
    if current != set(role_values):
        user.roles = [r for r in user.roles if r.role in role_values] + [
            UserRole(role=r) for r in role_values if r not in current
        ]
        user.session_version += 1
    if not active:
        user.session_version += 1
    db.session.flush()


def reset_password(user: User, new: str) -> None:
    check_password_rules(new, user.username, field="password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    unlock(user)


def unlock(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    db.session.flush()


def _clean_roles(roles: Iterable[Role | str]) -> list[str]:
    values = sorted({Role(r).value for r in roles})
    if not values:
        raise UserError("请至少选择一个角色", field="roles")
    return values


def load_user(user_id: str) -> User | None:
    """Flask-Login loader; the id carries the session version so old cookies stop working."""
    try:
        pk, version = (int(p) for p in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, pk)
    if user is None or user.session_version != version:
        return None
    return user
