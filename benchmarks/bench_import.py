"""Excel import of 10,000 people through the real upload path (read, check every row, write).

Prints the seconds the upload request takes. Target (issue #2): a 10,000-row sheet imports in under 10 s.
Run: .venv/bin/python benchmarks/bench_import.py
     DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/workbench_bench …  (a scratch database: it is emptied)
"""

import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402
from webapp.auth import demo as auth_demo  # noqa: E402
from webapp.common.identifiers import id_check_char  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.registry import demo as registry_demo  # noqa: E402
from webapp.registry.models import Organization, OrgKind, Person  # noqa: E402

ROWS = int(os.environ.get("ROWS", 10_000))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def sheet(orgs: list[str]) -> bytes:
    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet()
    ws.append(["姓名", "身份证号", "手机号码", "所属单位", "岗位"])
    first = date(1966, 1, 1)
    for i in range(ROWS):
        # one birth date per ten rows, ten sequence numbers each: unique and valid
        body = f"110105{first + timedelta(days=i // 10):%Y%m%d}{i % 10:03d}"
        ws.append([SURNAMES[i % 20] + GIVEN[i // 20 % 20] + GIVEN[i // 400 % 20], body + id_check_char(body), f"139{i:08d}", rng.choice(orgs), "操作工"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def prepare(app) -> bytes:
    """A fresh demo county without people, and a sheet of ROWS people in its enterprises."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        registry_demo.seed(random.Random(2026))
        auth_demo.seed()
        # The ID numbers of the sheet must not clash with the seeded ones.
        db.session.execute(db.delete(Person))
        db.session.commit()
        names = list(db.session.scalars(
            db.select(Organization.name).where(Organization.kind == OrgKind.ENTERPRISE.value)))
        db.session.remove()
    unique = [n for n in names if names.count(n) == 1][:200]
    return sheet(unique)


def count_people(app) -> tuple[int, str]:
    with app.app_context():
        written = db.session.scalar(db.select(db.func.count(Person.id)))
        dialect = db.engine.dialect.name
        db.session.remove()
        return written, dialect


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{tmp}/bench.db",
                          "STORAGE_DIR": f"{tmp}/files", "WTF_CSRF_ENABLED": False, "ARGON2_MEMORY_KIB": 1024,
                          "ARGON2_TIME_COST": 1, "ARGON2_PARALLELISM": 1, "IMPORT_MAX_ROWS": 50_000})
        data = prepare(app)
        # The request runs outside any app context of ours, as it would under a real server.
        client = app.test_client()
        client.post("/login", data={"username": "peixun", "password": auth_demo.DEMO_PASSWORD})
        started = time.perf_counter()
        response = client.post("/registry/people/import", data={"file": (io.BytesIO(data), "people.xlsx")},
                               content_type="multipart/form-data")
        elapsed = time.perf_counter() - started
        written, dialect = count_people(app)
        if url:
            with app.app_context():
                db.drop_all()
                db.engine.dispose()
    ok = response.status_code == 302 and written == ROWS
    if not ok:
        print(response.get_data(as_text=True)[-3000:])
    print(f"import {ROWS} people on {dialect}: {elapsed:.2f} s, {written} rows written, "
          f"{len(data) / 1024:.0f} KB sheet — {'ok' if ok else f'FAILED (status {response.status_code})'}")
    if not ok:
        sys.exit(1)

if __name__ == "__main__":
    main()
