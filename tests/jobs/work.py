"""Work functions for the job tests: module-level, so both the thread runner and an RQ worker can
import them by their dotted path."""

import time

from webapp.errors import UserError
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind

RESULT_TEXT = "证书批量打印结果\n"


def write_file(ctx, steps: int, filename: str, delay: float = 0.0, org_name: str | None = None) -> None:
    """Report progress step by step, stream a file, keep it as the result; optionally add a row,
    which must be committed with the job's success and only then."""
    if org_name:
        db.session.add(Organization(name=org_name, kind=OrgKind.COUNTY.value))
        db.session.flush()
    path = ctx.result_path(".txt")
    with open(path, "w", encoding="utf-8") as out:
        for i in range(steps):
            out.write(f"{RESULT_TEXT.strip()} 第 {i + 1} 份\n")
            ctx.progress(i + 1, steps, f"正在生成第 {i + 1} 份")
            time.sleep(delay)
    ctx.save_result(path, filename)


def refuse(ctx, message: str, org_name: str | None = None) -> None:
    if org_name:
        db.session.add(Organization(name=org_name, kind=OrgKind.COUNTY.value))
        db.session.flush()
    ctx.progress(1, 3, "正在检查")
    raise UserError(message)


def crash(ctx, org_name: str | None = None) -> None:
    path = ctx.result_path(".txt")
    path.write_text("半成品", encoding="utf-8")
    ctx.save_result(path, "半成品.txt")
    if org_name:
        db.session.add(Organization(name=org_name, kind=OrgKind.COUNTY.value))
        db.session.flush()
    raise RuntimeError("secret internal detail")
