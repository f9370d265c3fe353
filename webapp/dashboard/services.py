"""Figures for the first page. The modules that come later add their own (drills, training …)."""

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.registry.models import INDUSTRIES, Organization, OrgKind


def enterprises_by_industry() -> list[dict]:
    rows = dict(
        db.session.execute(
            select(Organization.industry, func.count())
            .where(Organization.kind == OrgKind.ENTERPRISE.value, Organization.active.is_(True))
            .group_by(Organization.industry)
        ).all()
    )
    high = dict(
        db.session.execute(
            select(Organization.industry, func.count())
            .where(Organization.kind == OrgKind.ENTERPRISE.value, Organization.active.is_(True), Organization.high_risk)
            .group_by(Organization.industry)
        ).all()
    )
    return [
        {"industry": name, "count": rows[name], "high_risk": high.get(name, 0)} for name in INDUSTRIES if rows.get(name)
    ]
