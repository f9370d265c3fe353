"""Demo accounts, one per role; the password is printed by seed-demo and must be changed in real use."""

from webapp.auth import services
from webapp.auth.permissions import Role
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind

DEMO_PASSWORD = "Yingji2026"
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN),
    ("peixun", "培训管理员 李敏", Role.TRAINING),
    ("yuan", "预案审核员 陈静", Role.PLAN_REVIEWER),
    ("yanlian", "演练管理员 王磊", Role.DRILL),
    ("xuanchuan", "宣传专员 赵芳", Role.OUTREACH),
    ("lingdao", "局长 张建国", Role.LEADER),
]


def seed() -> list[tuple[str, str, str]]:
    """Create the demo users that are missing; returns (username, role label, password) for all."""
    bureau = db.session.scalar(
        db.select(Organization).where(Organization.kind == OrgKind.DEPARTMENT.value, Organization.name.endswith("应急管理局"))
    )
    out = []
    for username, name, role in DEMO_USERS:
        if services.find_user(username) is None:
            services.create_user(username, name, DEMO_PASSWORD, [role], bureau.id if bureau else None)
        out.append((username, name, DEMO_PASSWORD))
    return out
