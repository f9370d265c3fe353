"""Editing a 60-page plan among 1,000 plans of 30 versions each: opening a section for editing and
saving it ≤ 200 ms server time, the plan's page too; the full .docx of that plan ≤ 3 s.

Setup (not timed; a fresh database: SQLite in a temp dir, or --db postgresql): the migrations, an
enterprise registry, a plan reviewer (预案审核员), then 1,000 plans written directly with
SQLAlchemy Core, as the services would have left them after 30 saves each: the plans (with their
search text), their sections (15–35 each, most plans a few thousand characters, some over ten
thousand) and 30 versions each, every version the whole plan's sections as JSON with one section
changed from the version before. Plus one 60-page plan (60 A4 pages of 仿宋 三号: 60 × 22 × 28 ≈
37,000 characters, here about 38,000 across 40 chapters and sub-chapters, with tables of duties,
contacts, equipment and risks), also with 30 versions, and a few open comments on the section
that is edited.

Timed in-process (the Flask test client, logged in as the reviewer, requests outside any app
context of ours, as under a real server; the time is the request's, from call to response):
1. GET plans.section: the section editor of the 60-page plan (its contacts section: a table);
2. POST plans.section: saving that section (the content plus a sentence; the base_revision and
   csrf_token read from the page just opened): the optimistic-lock check, the save, a new version
   (a snapshot of the whole 60-page plan) and the commit; the response is the redirect;
3. GET plans.detail: the plan's page;
4. wordio.render_plan: the whole plan to .docx through the plan template (cover, contents,
   chapters, tables), opened afterwards with python-docx to check it holds every chapter.
Each runs a number of times; p50 / p95 / max are printed and the p95 is held to the target.

Run: .venv/bin/python benchmarks/bench_plans.py
     .venv/bin/python benchmarks/bench_plans.py --db postgresql
     … --plans 1000 --versions 30 --runs 40 --keep
"""

import argparse
import html as html_lib
import io
import logging
import os
import random
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_quiz import in_temp_database  # noqa: E402

REQUEST_TARGET_MS = 200
RENDER_TARGET_S = 3
PASSWORD = "Bench-plans-2026"
BIG_TITLE = "云溪县恒泰化工有限公司生产安全事故综合应急预案（2026年修订版）"

SENTENCES = [
    "本预案适用于本公司厂区范围内发生的危险化学品泄漏、火灾、爆炸、中毒窒息等生产安全事故的应急处置",
    "依据事故危害程度、影响范围和本公司控制事态的能力，应急响应分为Ⅰ级、Ⅱ级和Ⅲ级",
    "事故发生后，现场人员立即向班组长和值班人员报告，值班人员接报后立即报告总指挥",
    "总指挥确认后1小时内向属地乡镇人民政府和云溪县应急管理局报告，不得迟报、谎报、瞒报和漏报",
    "通过可燃有毒气体检测报警、视频监控、巡回检查和气象预警信息获取预警信息",
    "确定响应级别后，总指挥宣布启动响应，召开应急会议，调集应急队伍和物资",
    "立即停止作业，关闭泄漏点上下游阀门，启动喷淋和事故排风系统",
    "佩戴正压式空气呼吸器和防化服，在水枪掩护下进行堵漏作业",
    "用围堰和沙袋收容泄漏物，关闭雨水总排口，防止泄漏物进入外环境",
    "对着火储罐及相邻储罐进行冷却，防止储罐超压爆炸",
    "警戒疏散组根据现场风向设置警戒区，组织下风向人员向上风向疏散",
    "医疗救护组对伤员进行现场急救，配合120急救人员转运伤员",
    "当事态超出本公司处置能力时，总指挥立即请求外部救援力量支援",
    "事故现场得到控制，环境符合有关标准，次生衍生事故隐患消除后，由总指挥宣布应急响应结束",
    "做好污染物收集处理、现场洗消和伤亡人员善后工作，配合事故调查",
    "公司组建兼职应急救援队伍，每半年开展一次培训和演练",
    "应急物资实行专人管理、定期检查，使用后及时补充，过期物资按期更换",
    "公司每年安排应急专项经费，保障应急车辆、医疗和后勤供应",
]
TITLES = ["总则", "适用范围", "响应分级", "应急组织机构及职责", "应急响应", "信息报告", "预警", "响应启动", "应急处置",
          "应急支援", "响应终止", "后期处置", "应急保障", "通信与信息保障", "应急队伍保障", "物资装备保障", "其他保障",
          "风险描述", "处置措施", "注意事项", "附则", "预案管理", "培训与演练", "评估与修订"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文辉鹏飞燕玲红志宏斌波俊丹萍云海峰亮晨浩宇欣怡子涵梓轩"


def paragraphs(rng: random.Random, chars: int) -> str:
    out, size = [], 0
    while size < chars:
        text = "；".join(rng.sample(SENTENCES, rng.randint(2, 5))) + "。"
        out.append(f"<p>{text}</p>")
        size += len(text)
    return "".join(out)


def table(head: tuple, rows: list[tuple]) -> str:
    return ("<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")


def name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def outline(rng: random.Random, count: int, chars: int) -> list[dict]:
    """count sections (chapters with sub-chapters) holding about `chars` characters of text."""
    sections, chapter, sub = [], 0, 0
    per = max(60, chars // count)
    for position in range(1, count + 1):
        if position == 1 or sub >= rng.randint(2, 5):
            chapter, sub = chapter + 1, 0
            number, level = str(chapter), 1
        else:
            sub += 1
            number, level = f"{chapter}.{sub}", 2
        sections.append({"key": f"s{position}", "number": number, "title": rng.choice(TITLES), "level": level,
                         "content": paragraphs(rng, int(per * rng.uniform(0.5, 1.5)))})
    return sections


def big_outline(rng: random.Random) -> tuple[list[dict], str]:
    """The 60-page plan: 40 sections, ~37,000 characters with four tables; returns (sections, the key
    of its contacts section)."""
    sections = outline(rng, 40, 33_000)
    duties = table(("机构", "负责人", "成员", "职责"), [
        (group, name(rng), "、".join(name(rng) for _ in range(4)), "；".join(rng.sample(SENTENCES, 2)))
        for group in ("应急指挥部", "抢险救援组", "警戒疏散组", "医疗救护组", "后勤保障组", "通讯联络组", "环境监测组", "善后处理组")])
    contacts = table(("姓名（单位）", "应急职务", "办公电话", "手机"), [
        (name(rng), rng.choice(("总指挥", "副总指挥", "组长", "副组长", "成员")), f"0578-6{rng.randint(100000, 999999)}",
         f"13{rng.randint(100000000, 999999999)}") for _ in range(24)])
    equipment = table(("名称", "型号规格", "数量", "存放位置", "责任人"), [
        (rng.choice(("正压式空气呼吸器", "防化服", "干粉灭火器", "消防水带", "堵漏工具", "急救药箱", "应急照明灯", "警戒带")),
         f"型号 {rng.randint(1, 99)}", f"{rng.randint(2, 60)}", rng.choice(("应急物资库", "门卫室", "罐区", "装卸区")),
         name(rng)) for _ in range(30)])
    risks = table(("风险点", "危险物质", "可能的事故类型", "影响范围", "管控措施"), [
        (f"{rng.choice(('储罐区', '装卸区', '反应车间', '仓库'))} {i}", rng.choice(("液氨", "甲醇", "液化石油气", "硫酸")),
         rng.choice(("泄漏", "火灾", "爆炸", "中毒")), f"半径 {rng.randint(50, 500)} 米", "；".join(rng.sample(SENTENCES, 1)))
        for i in range(1, 13)])
    titled = {3: ("应急组织机构及职责", duties), 14: ("通信与信息保障", contacts), 16: ("物资装备保障", equipment),
              1: ("事故风险描述", risks)}
    for index, (title, extra) in titled.items():
        sections[index]["title"] = title
        sections[index]["content"] = paragraphs(rng, 300) + extra
    return sections, sections[14]["key"]


def text_of(sections: list[dict]) -> str:
    return "\n".join(f"{s['number']} {s['title']} {re.sub(r'<[^>]+>', '', s['content'])}" for s in sections)


def setup(args, rng: random.Random):
    """The registry, the reviewer and the plans (written directly: not timed). Returns the big
    plan's id and the key of the section that is edited."""
    from sqlalchemy import insert

    from webapp.auth import services as auth
    from webapp.auth.permissions import Role
    from webapp.common.time import utcnow
    from webapp.extensions import db
    from webapp.plans.models import Plan, PlanComment, PlanKind, PlanSection, PlanStatus, PlanVersion
    from webapp.registry.models import Organization, OrgKind

    county = Organization(name="云溪县", kind=OrgKind.COUNTY.value)
    db.session.add(county)
    db.session.flush()
    reviewer = auth.create_user("yuan", "预案审核员 陈静", PASSWORD, [Role.PLAN_REVIEWER], county.id)
    orgs = db.session.scalars(insert(Organization).returning(Organization.id, sort_by_parameter_order=True), [
        {"name": f"云溪县{i:03d}化工有限公司", "kind": OrgKind.ENTERPRISE.value, "parent_id": county.id,
         "industry": "危险化学品"} for i in range(60)]).all()
    db.session.commit()

    kinds = [PlanKind.ENT_COMPREHENSIVE, PlanKind.ENT_SPECIAL, PlanKind.ENT_ONSITE]
    statuses = [s.value for s in PlanStatus]
    now = utcnow()
    big_id, edited_key = None, None
    for start in range(0, args.plans + 1, 50):
        batch = range(start, min(start + 50, args.plans + 1))
        plans, contents = [], []
        for i in batch:
            if i == args.plans:  # the last one: the 60-page plan
                sections, edited_key = big_outline(rng)
                title = BIG_TITLE
            else:
                # most plans a few thousand characters, some over ten thousand
                chars = int(min(16_000, max(1_200, rng.lognormvariate(8.0, 0.6))))
                sections = outline(rng, rng.randint(15, 35), chars)
                title = f"云溪县{i % 60:03d}化工有限公司第{i}号应急预案"
            contents.append(sections)
            plans.append({"title": title, "organization_id": orgs[i % len(orgs)], "kind": kinds[i % 3].value,
                          "hazard": "accident", "hazard_subtype": "危险化学品事故", "response_levels": "Ⅰ级、Ⅱ级、Ⅲ级",
                          "responsible_person": name(rng), "status": statuses[i % len(statuses)] if i < args.plans
                          else PlanStatus.IN_REVIEW.value, "version_number": args.versions,
                          "search_text": text_of(sections), "created_by_id": reviewer.id, "created_at": now,
                          "updated_at": now})
        ids = db.session.scalars(insert(Plan).returning(Plan.id, sort_by_parameter_order=True), plans).all()
        section_rows, version_rows = [], []
        for plan_id, sections in zip(ids, contents, strict=True):
            history = [dict(s) for s in sections]
            snapshots = []
            revisions = {s["key"]: 1 for s in sections}
            for number in range(1, args.versions + 1):
                if number > 1:  # one section changed per save
                    changed = rng.randrange(len(history))
                    history[changed] = dict(history[changed], content=history[changed]["content"]
                                            + f"<p>第{number}次修改：{rng.choice(SENTENCES)}。</p>")
                    revisions[history[changed]["key"]] += 1
                snapshots.append(list(history))
            for number, snap in enumerate(snapshots, 1):
                version_rows.append({"plan_id": plan_id, "number": number, "sections": snap, "note": "编辑",
                                     "user_id": reviewer.id, "created_at": now})
            for position, s in enumerate(history, 1):
                section_rows.append({"plan_id": plan_id, "key": s["key"], "position": position, "number": s["number"],
                                     "title": s["title"], "level": s["level"], "content": s["content"],
                                     "revision": revisions[s["key"]], "updated_by_id": reviewer.id, "updated_at": now})
        db.session.execute(insert(PlanSection), section_rows)
        db.session.execute(insert(PlanVersion), version_rows)
        db.session.commit()
        if args.plans in batch:
            big_id = ids[-1]
    db.session.execute(insert(PlanComment), [
        {"plan_id": big_id, "section_key": edited_key, "body": f"请核对第 {n} 行联系人电话。", "user_id": reviewer.id,
         "created_at": now} for n in range(1, 6)])
    db.session.commit()
    return big_id, edited_key


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--versions", type=int, default=30)
    parser.add_argument("--runs", type=int, default=40, help="runs of each request (the .docx: a quarter of it)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, the .docx)")
    args = parser.parse_args()

    return in_temp_database("bench_plans", args.db, args.keep, lambda tmp, url: run(args, tmp, url))

def run(args, tmp: Path, database_url: str) -> int:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db
    from webapp.plans.services import html_text

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-plans",
                      "STORAGE_DIR": str(tmp / "files"), "REDIS_URL": None})
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"bench_plans: {args.plans:,} plans × {args.versions} versions + one 60-page plan, {dialect}, "
          f"{os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    with app.app_context():
        logging.disable(logging.INFO)
        upgrade()
        logging.disable(logging.NOTSET)
        big_id, key = setup(args, random.Random(2026))
        contents = db.session.scalars(db.text("select content from plan_sections where plan_id = :id"),
                                      {"id": big_id}).all()
        sizes = (len(contents), sum(len(html_text(c)) for c in contents))
        versions = db.session.execute(db.text("select count(*) from plan_versions")).scalar_one()
        db.session.remove()
    print(f"setup (not timed): {versions:,} versions written in {time.perf_counter() - started:.1f} s; the 60-page plan: "
          f"{sizes[0]} sections, {sizes[1]:,} characters of text (tables included)", flush=True)
    try:
        return measure(args, app, big_id, key, tmp, dialect)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(args, app, plan_id: int, key: str, tmp: Path, dialect: str) -> int:
    from docx import Document
    from docx.oxml.ns import qn

    from webapp import storage
    from webapp.extensions import db
    from webapp.plans import wordio
    from webapp.plans.models import Plan
    from webapp.plans.services import html_text

    client = app.test_client()
    form = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True))
    login = client.post("/login", data={"username": "yuan", "password": PASSWORD,
                                        "csrf_token": form.group(1) if form else ""})
    if login.status_code != 302:
        print(f"FAIL  login as the plan reviewer: HTTP {login.status_code}")
        return 1
    section_url, detail_url = f"/plans/{plan_id}/sections/{key}", f"/plans/{plan_id}"

    def timed(call):
        began = time.perf_counter()
        response = call()
        return response, (time.perf_counter() - began) * 1000

    opened, saved, detail, problems = [], [], [], []
    for run in range(args.runs + 2):  # two warm-up runs, not counted
        page, ms_open = timed(lambda: client.get(section_url))
        html = page.get_data(as_text=True)
        revision = re.search(r'name="base_revision" value="(\d+)"', html)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        content = re.search(r'<textarea[^>]*name="content"[^>]*>(.*?)</textarea>', html, re.S)
        title = re.search(r'name="title"[^>]*value="([^"]*)"', html)
        if page.status_code != 200 or not (revision and csrf and content and title):
            problems.append(f"GET section: HTTP {page.status_code}, base_revision/csrf_token/content/title "
                            f"{'found' if revision and csrf and content and title else 'missing'}")
            break
        data = {"csrf_token": csrf.group(1), "base_revision": revision.group(1),
                "title": html_lib.unescape(title.group(1)),
                "content": html_lib.unescape(content.group(1)) + f"<p>第 {run} 次保存：联系电话已核对。</p>"}
        response, ms_save = timed(partial(client.post, section_url, data=data))
        if response.status_code != 302:
            problems.append(f"POST section: HTTP {response.status_code} (expected the redirect after saving)")
            break
        page, ms_detail = timed(lambda: client.get(detail_url))
        if page.status_code != 200:
            problems.append(f"GET detail: HTTP {page.status_code}")
            break
        if run >= 2:
            opened.append(ms_open)
            saved.append(ms_save)
            detail.append(ms_detail)

    renders, chapters, opened_docx = [], 0, False
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        wanted = [s.title for s in plan.sections if s.level == 1]
        plan_chars = sum(len(html_text(s.content).replace(" ", "")) for s in plan.sections)
        saved_versions = plan.version_number
        for _ in range(max(3, args.runs // 4)):
            began = time.perf_counter()
            document = wordio.render_plan(plan)
            db.session.commit()
            renders.append(time.perf_counter() - began)
        with storage.open_file(document.storage_key) as f:
            data = f.read()
        (tmp / "plan.docx").write_bytes(data)
        docx = Document(io.BytesIO(data))
        opened_docx = True
        text = "\n".join(p.text for p in docx.paragraphs)
        chapters = sum(1 for t in wanted if t in text)
        docx_chars = sum(len((t.text or "").replace(" ", "")) for t in docx.element.body.iter(qn("w:t")))
        size = len(data)
        db.session.remove()

    print(f"\n{len(opened)} runs each (after 2 warm-up runs); the plan now has {saved_versions} versions")
    rows = []
    for label, samples in (("GET plans.section (open the editor)", opened), ("POST plans.section (save)", saved),
                           ("GET plans.detail", detail)):
        if samples:
            p50, p95, top = percentiles(samples)
            print(f"  {label:38s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {top:7.1f} ms")
            rows.append((label, p95))
    if renders:
        p50, p95, top = percentiles(renders)
        print(f"  {'wordio.render_plan (.docx)':38s} p50 {p50:7.2f} s    p95 {p95:7.2f} s    max {top:7.2f} s"
              f"   ({size / 1024:.0f} KB; {docx_chars:,} characters of text for the plan's {plan_chars:,}; "
              f"{chapters}/{len(wanted)} chapter titles found)")
    for problem in problems:
        print(f"  problem: {problem}")

    targets = [(f"{label} p95 ≤ {REQUEST_TARGET_MS} ms", p95 <= REQUEST_TARGET_MS, f"{p95:.1f} ms")
               for label, p95 in rows]
    if renders:
        targets.append((f"render_plan .docx p95 ≤ {RENDER_TARGET_S} s", percentiles(renders)[1] <= RENDER_TARGET_S,
                        f"{percentiles(renders)[1]:.2f} s"))
        targets.append(("the .docx opens and holds every chapter and the text",
                        opened_docx and chapters == len(wanted) and docx_chars >= plan_chars,
                        f"{chapters}/{len(wanted)} chapters, {docx_chars:,} ≥ {plan_chars:,} characters"))
    targets.append(("every request answered as expected", not problems and len(rows) == 3,
                    "yes" if not problems else problems[0]))
    print(f"\n{dialect}, "
          f"{args.plans:,} plans × {args.versions} versions:")
    for label, ok, figure in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:52s} {figure}")
    return 0 if all(ok for _, ok, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
