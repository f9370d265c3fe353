# Copy to instance/config.py and edit. Environment variables (SECRET_KEY, DATABASE_URL, REDIS_URL,
# APP_ENV, STORAGE_DIR, or any FLASK_<NAME>) override what is written here.

# The bureau on documents and certificates; unset, the registry's county + 应急管理局.
# BUREAU_NAME = "某某县应急管理局"
SITE_NAME = "应急管理工作台"

# DATABASE_URL = "postgresql+psycopg://workbench@127.0.0.1:5432/workbench"
# REDIS_URL = "redis://127.0.0.1:6379/0"

# Rules are configuration: a region may add industries to the high-risk list.
# HIGH_RISK_INDUSTRIES = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "金属冶炼", "燃气")
# LOGIN_MAX_FAILURES = 5
# PAGE_SIZE = 20
