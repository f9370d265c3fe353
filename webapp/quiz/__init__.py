from flask import Blueprint

from webapp.nav import NavItem

# Two blueprints: the officers' pages under /quiz, and the participants' phone pages under /q
# (short, for a QR code; no login).
bp = Blueprint("quiz", __name__, url_prefix="/quiz")
phone_bp = Blueprint("quiz_phone", __name__, url_prefix="/q")
NAV = [NavItem("知识竞赛", "quiz.index", "quiz.view", icon="quiz")]

from webapp.quiz import bank_views, contest_models, contest_views, models, phone_views, views  # noqa: E402,F401  (models register; routes attach)
