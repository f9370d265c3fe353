"""Configuration: defaults here, then instance/config.py, then the environment.

Every rule number from ../shared/DOMAIN.md lives here as a default so a region can override it in
instance/config.py without touching code.
"""

import os
import secrets
from pathlib import Path


class Defaults:
    APP_ENV = "development"  # "production" refuses to start without SECRET_KEY
    SITE_NAME = "应急管理工作台"
    # The issuing bureau on documents, certificates and the login page. None: the county in the
    # organization registry + 应急管理局 (the demo's 云溪县应急管理局).
    BUREAU_NAME = None

    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app: instance/workbench.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = None

    # Sessions are signed cookies so any server behind the proxy can serve any request.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True in production (served over HTTPS by the proxy)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    # Login protection: an account locks after LOGIN_MAX_FAILURES wrong passwords within
    # LOGIN_FAILURE_WINDOW seconds, for LOGIN_LOCK_SECONDS; an address is limited by Flask-Limiter.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = 15 * 60
    LOGIN_LOCK_SECONDS = 15 * 60
    LOGIN_RATE_LIMIT_PER_ADDRESS = "30 per 5 minutes"
    # Joining a quiz, per address. A training room or a village hall often shares one public
    # address (NAT) for a hundred phones scanning at once, so this is a flood guard, not a
    # per-person limit (the one-attempt-per-phone rule is that).
    QUIZ_JOIN_RATE_LIMIT_PER_ADDRESS = "120 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    PASSWORD_MIN_LENGTH = 8

    PAGE_SIZE = 20

    # Uploads: whole request, and the spreadsheet bounds (zip-bomb guard for .xlsx).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
    IMPORT_MAX_ROWS = 20000

    # How many reverse proxies (nginx) stand in front of the app. With 1, the client address comes from
    # X-Forwarded-For, so the per-address login limit counts people, not the proxy. Never set it
    # higher than the real number of proxies: the header could then be forged.
    TRUSTED_PROXIES = 0

    # Background jobs: with REDIS_URL they go to this RQ queue and `flask worker` runs them; without,
    # JOB_THREADS daemon threads of the web process run them.
    JOBS_QUEUE = "workbench"
    JOB_TIMEOUT_SECONDS = 3600
    JOB_THREADS = 2
    JOB_TMP_DIR = None  # temp files for job output; point at the storage volume if /tmp is a small tmpfs

    # PDF through LibreOffice (webapp/documents/pdf.py). None = find it: soffice on PATH, else /usr/bin/soffice.
    SOFFICE_PATH = None
    PDFTOPPM_PATH = None  # poppler-utils, for the page-1 preview; None = pdftoppm on PATH
    # One conversion, including the wait for the one-at-a-time lock; then its process group is killed.
    PDF_TIMEOUT_SECONDS = 120
    PDF_LOCK_FILE = None  # the one-at-a-time lock; None = soffice.lock in the instance folder

    # Shipped .docx templates (doc_templates/ in the repository); registered on first use.
    DOC_TEMPLATES_DIR = None

    STORAGE_DIR = None  # defaults to instance/files; a shared volume in a multi-server setup

    # Industries whose units are "high-risk": plans must be reviewed, drills every half-year.
    # 《生产安全事故应急预案管理办法》(2019) art. 21; 《生产安全事故应急条例》 art. 8.
    HIGH_RISK_INDUSTRIES = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼", "建筑施工", "城市轨道交通")

    # ---- Three-post training (DOMAIN.md §5). Every number is a default a region may override.
    # Hours by post, course type and industry group: 《生产经营单位安全培训规定》 (原安监总局令第3号,
    # 2015 amendment) art. 9 — principal persons and safety managers 32 h initial / 12 h yearly
    # refresher, 48 / 16 in coal and non-coal mines, hazardous chemicals, fireworks and metal
    # smelting. Special operations: 《特种作业人员安全技术培训考核管理规定》 (令第30号, 2015) art. 23:
    # ≥ 8 h of training before each review; the initial hours are set per operation by the
    # syllabus (a course states its own), so TRAINING_HOURS only gives the form's suggestion.
    TRAINING_HOURS = {
        "principal": {"initial": (32, 48), "refresher": (12, 16)},
        "safety_manager": {"initial": (32, 48), "refresher": (12, 16)},
        "special": {"initial": (40, 40), "refresher": (8, 8)},
    }
    # The industries whose principal persons and safety managers get the longer hours (art. 9).
    TRAINING_HIGH_RISK_INDUSTRIES = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼")
    # Exams out of 100 with 80 to pass, one make-up: 令第30号 art. 13 (special operations, theory and
    # practical each); the same mark for principal persons and safety managers of high-risk units
    # (DOMAIN.md §5; provincial rules differ, check yours).
    TRAINING_PASS_MARK = 80
    TRAINING_MAKEUP_EXAMS = 1
    # Validity in years: 安全生产知识和管理能力考核合格证 3 years (provincial rules differ);
    # 特种作业操作证 6 years nationwide (令第30号 art. 19), reviewed every 3 years (art. 21).
    CERTIFICATE_VALIDITY_YEARS = {"principal": 3, "safety_manager": 3, "special": 6}
    SPECIAL_REVIEW_YEARS = 3
    # Principal persons and safety managers are retrained every year (令第3号 art. 9).
    REFRESHER_INTERVAL_MONTHS = 12
    # Certificate numbers: {year}, {seq} (per-year sequence, never reused) and {post} (ZY/AQ/TZ).
    CERTIFICATE_NUMBER_PATTERN = "YJPX{year}{post}{seq:05d}"
    # Attendance by QR: the screen's code changes every SIGNIN_CODE_SECONDS; a scanned code is
    # accepted while it is the current or the previous one, so a photo forwarded to a group chat
    # stops working within two periods. The form it opens stays valid SIGNIN_FORM_MINUTES.
    SIGNIN_CODE_SECONDS = 30
    SIGNIN_FORM_MINUTES = 10
    # A slot's sign-in window: from this long before it starts until it ends.
    SIGNIN_OPENS_MINUTES_BEFORE = 30
    SIGNIN_RATE_LIMIT_PER_ADDRESS = "600 per minute"  # a training room shares one address
    VERIFY_RATE_LIMIT_PER_ADDRESS = "60 per minute"  # certificate checks: slows enumeration

    # ---- Emergency plans (DOMAIN.md §1–3).
    # Periodic evaluation, in years: enterprise plans of high-risk units every 3 years
    # (《生产安全事故应急预案管理办法》 2019, art. 35); government plans are evaluated
    # periodically under 国办发〔2024〕5号 — 3 years here as the default (check your province).
    PLAN_EVALUATION_YEARS = {"enterprise": 3, "government": 3}
    # Filing within 20 working days of publication (2019 办法 art. 26; 国办发〔2024〕5号 art. 26).
    PLAN_FILING_WORKING_DAYS = 20
    # Drills, in months: comprehensive and special plans at least yearly, on-site disposal plans
    # every half-year (2019 办法 art. 33); government special and departmental plans at least
    # once every 3 years (国办发〔2013〕101号 art. 22; check the 2024 text).
    PLAN_DRILL_MONTHS = {"ent_comprehensive": 12, "ent_special": 12, "ent_onsite": 6,
                         "gov_overall": 36, "gov_special": 36, "gov_department": 36, "gov_grassroots": 12}
    # Experts at a review meeting (评审) or a self-evaluation (论证): DOMAIN.md §1 asks for safety and
    # emergency experts but sets no number; a region sets its own minimum here.
    PLAN_REVIEW_MIN_EXPERTS = {"评审": 1, "论证": 1}
    PLAN_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    PLAN_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

    # High-risk units (HIGH_RISK_INDUSTRIES) and crowded places drill every half-year whatever the
    # plan kind (2019 办法 art. 33; 《生产安全事故应急条例》 art. 8): their enterprise plans use these
    # months when shorter than PLAN_DRILL_MONTHS.
    PLAN_DRILL_MONTHS_HIGH_RISK = 6
    CROWDED_PLACE_INDUSTRIES = ("人员密集场所", "旅游景区")

    # ---- Drills (DOMAIN.md §4). The evaluation's grades by the share of the maximum score:
    # GB/T 46792-2025 annex D turns scores into a grade; the thresholds are a region's choice (check yours).
    DRILL_GRADES = ((90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格"))
    # Photos from phones: accepted up to this size and pixel count, stored resized to PHOTO_MAX_SIDE (outreach uses the same).
    PHOTO_MAX_BYTES = 15 * 1024 * 1024  # under MAX_CONTENT_LENGTH, so the photo rule speaks first
    PHOTO_MAX_PIXELS = 60_000_000  # a 48-megapixel phone camera; more is a decompression bomb
    PHOTO_MAX_SIDE = 1600
    PHOTO_THUMB_SIDE = 360
    DRILL_PHOTOS_PER_DRILL = 30
    EVIDENCE_MAX_BYTES = 15 * 1024 * 1024  # a photo or a PDF scan; under MAX_CONTENT_LENGTH like photos

    # ---- Five-into outreach (DOMAIN.md §6). Venue types and targets are data (pages), not config.
    OUTREACH_PHOTOS_PER_EVENT = 12


def load(app, overrides: dict | None) -> None:
    """Defaults → instance/config.py → environment → the caller's overrides (tests)."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "APP_ENV", "STORAGE_DIR", "TRUSTED_PROXIES"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env()
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if app.config.get("DATABASE_URL") and not (overrides or {}).get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'workbench.db'}"
    if not app.config["DOC_TEMPLATES_DIR"]:
        app.config["DOC_TEMPLATES_DIR"] = str(Path(app.root_path).parent / "doc_templates")
    if not app.config["STORAGE_DIR"]:
        app.config["STORAGE_DIR"] = str(instance / "files")
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == Defaults.RATELIMIT_STORAGE_URI:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]

    production = app.config["APP_ENV"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量（APP_ENV=production）。")
        app.config["SECRET_KEY"] = _development_secret(instance)


def _development_secret(instance: Path) -> str:
    """A per-installation key kept in instance/ so sessions survive restarts in development."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
