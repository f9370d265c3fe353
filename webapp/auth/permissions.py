"""Who may do what: the one place that decides.

A permission names an action ("people.edit"); each role grants a set of them. Views use
@require("people.edit"); templates use can("people.edit"). Leaders read everything and change nothing.
"""

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


class Role(StrEnum):
    ADMIN = "admin"
    TRAINING = "training_officer"
    PLAN_REVIEWER = "plan_reviewer"
    DRILL = "drill_officer"
    OUTREACH = "outreach_officer"
    LEADER = "leader"


ROLE_LABELS = {
    Role.ADMIN: "系统管理员",
    Role.TRAINING: "培训管理员",
    Role.PLAN_REVIEWER: "预案审核员",
    Role.DRILL: "演练管理员",
    Role.OUTREACH: "宣传专员",
    Role.LEADER: "领导",
}

_EVERYONE = frozenset(Role)

# Later modules add their permissions here (plans.edit, drills.edit, training.manage, quiz.manage …).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "dashboard.view": _EVERYONE,
    "registry.view": _EVERYONE,
    "registry.edit": frozenset({Role.ADMIN}),
    "people.edit": frozenset({Role.ADMIN, Role.TRAINING}),
    # Full ID numbers are needed to issue certificates and to check rosters; everyone else sees masks.
    "people.view_id": frozenset({Role.ADMIN, Role.TRAINING}),
    "users.manage": frozenset({Role.ADMIN}),
    # Document templates: everyone who produces documents may see and render them; only admins
    # upload new templates or versions (an uploaded template is code that runs at render time).
    "documents.view": frozenset({Role.ADMIN, Role.TRAINING, Role.PLAN_REVIEWER, Role.DRILL, Role.OUTREACH}),
    "documents.render": frozenset({Role.ADMIN, Role.TRAINING, Role.PLAN_REVIEWER, Role.DRILL, Role.OUTREACH}),
    "documents.manage": frozenset({Role.ADMIN}),
    # Quizzes: training officers run exams and competitions and keep the question banks; outreach
    # officers run public competitions; everyone may look at the results.
    "quiz.view": _EVERYONE,
    "quiz.manage": frozenset({Role.ADMIN, Role.TRAINING, Role.OUTREACH}),
    # Three-post training: training officers run it; everyone may look (leaders want the figures).
    "training.view": _EVERYONE,
    "training.manage": frozenset({Role.ADMIN, Role.TRAINING}),
    # Emergency plans: plan reviewers keep the registry, edit, comment, review, publish and file;
    # everyone may read (drill officers link drills to plans; leaders want the figures).
    "plans.view": _EVERYONE,
    "plans.edit": frozenset({Role.ADMIN, Role.PLAN_REVIEWER}),
    "plans.review": frozenset({Role.ADMIN, Role.PLAN_REVIEWER}),
    # Drills: drill officers record, evaluate and track problems to closure; everyone may look.
    # A problem that needs a plan revised flags the plan through the plans module's rules.
    "drills.view": _EVERYONE,
    "drills.edit": frozenset({Role.ADMIN, Role.DRILL}),
    # Five-into outreach: outreach officers keep campaigns and record events (also from a phone);
    # everyone may look at the events and the coverage.
    "outreach.view": _EVERYONE,
    "outreach.edit": frozenset({Role.ADMIN, Role.OUTREACH}),
}


def role_allows(roles, permission: str) -> bool:
    allowed = PERMISSIONS.get(permission)
    if allowed is None:
        raise KeyError(f"unknown permission {permission!r}")
    return any(role in allowed for role in roles)


def can(permission: str, user=None) -> bool:
    user = user or current_user
    return bool(user and user.is_authenticated and role_allows(user.role_set, permission))


def require(permission: str):
    """Log in first (redirect), then 403 with a Chinese page if the roles do not allow it."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
