from flask import Blueprint

from webapp.nav import NavItem

# Two blueprints: the officers' pages under /outreach, and the light field-entry pages for a phone
# under /o (short, quick to type; login required like the rest).
bp = Blueprint("outreach", __name__, url_prefix="/outreach")
phone_bp = Blueprint("outreach_phone", __name__, url_prefix="/o")
NAV = [NavItem("安全宣传", "outreach.index", "outreach.view", icon="outreach")]

from webapp.outreach import (  # noqa: E402,F401  (models register; routes attach)
    campaign_views,
    models,
    phone_views,
    report_views,
    views,
)
