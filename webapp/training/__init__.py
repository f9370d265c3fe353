from flask import Blueprint

from webapp.nav import NavItem

# Three blueprints: the officers' pages under /training; the trainees' sign-in pages under /t
# (short, for a QR code; no login); the public certificate check under /verify (no login).
bp = Blueprint("training", __name__, url_prefix="/training")
phone_bp = Blueprint("training_phone", __name__, url_prefix="/t")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")
NAV = [NavItem("三项岗位培训", "training.index", "training.view", icon="training")]

from webapp.training import (  # noqa: E402,F401  (models register; routes attach)
    attendance_views,
    certificate_views,
    exam_views,
    models,
    phone_views,
    renewal_views,
    verify_views,
    views,
)
