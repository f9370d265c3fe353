"""Drills at scale: 10,000 drills over five years, and the drill officer's pages on top of them.

Setup (not timed; a fresh database: SQLite in a temp dir, or --db postgresql): the migrations, the
demo county's registry (registry.demo: 12 towns, ~900 enterprises of 17 industries, schools,
villages, communities), a drill officer (演练管理员), ~2,500 plans of those units (in force for the
most part, written directly: the drills link them and the compliance page lists them), then the
drills, built by the drills demo's writer (drills.demo.Writer: realistic titles, scenarios,
timelines of 4–8 steps, participants per kind of unit) on days spread over five years, about 3 %
of them still ahead (计划 / 准备), and written as its bulk inserts: the drills, their plans and
steps, an evaluation on the shipped score sheet for most held ones, their problems in every state
(some overdue; the closed ones' evidence rows share one stored file). One recent drill is then
recorded through the services like the demo's showcase ones: timeline, three photos, evaluation,
problems (one closed with a photo). That drill is the one opened, saved and printed.

Timed in-process (the Flask test client, CSRF on, logged in as the drill officer; the time is the
request's, from call to response; SQL statements counted per request):
 1. GET drills.index — the list, first page, no filter
 2. GET drills.index — filtered (year, industry, status)
 3. GET drills.index — a text search (q)
 4. GET drills.detail — the recorded drill (photos, timeline, evaluation, problems, documents)
 5. GET drills.compliance — every plan in force with its last drill
 6. GET drills.figures — this year's figures
 7. GET drills.figures?format=xlsx — the same as Excel
 8. GET drills.problems?status=overdue — the overdue rectifications
 9. POST drills.edit — saving the drill's form (its own values, a changed line of observers, its
    plans and timeline; CSRF token from the form page); the response is the redirect
10. POST drills.record_doc — the drill record (演练记录表) rendered to .docx by the document engine,
    with its photos; checked afterwards with python-docx
Each runs a number of times after two warm-up runs; p50 / p95 / max and the statements per request
are printed. No targets are enforced here: the figures are for the report.

Run: .venv/bin/python benchmarks/bench_drills.py
     .venv/bin/python benchmarks/bench_drills.py --db postgresql
     … --drills 10000 --years 5 --runs 30 --keep
"""

import argparse
import io
import logging
import os
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_quiz import in_temp_database  # noqa: E402

PASSWORD = "Bench-drills-2026"
OFFICER = "yanlian"
FIELDS = ("title", "organization_id", "industry", "hazard", "hazard_subtype", "form_org", "form_content",
          "form_purpose", "status", "planned_on", "held_on", "start_time", "duration_minutes", "location", "purpose",
          "scenario", "safety_measures", "commander", "recorder", "participants", "participant_units", "units",
          "observers", "resources")


# ------------------------------------------------------------------------------------------ setup


def write_plans(rng: random.Random, orgs: list, user_id: int, today) -> dict[int, list]:
    """Plans of the units, written directly (no sections: the drill pages show titles, kinds and
    dates). Returns organization id → its plans (id, kind, status, title)."""
    from sqlalchemy import insert

    from webapp.drills import demo
    from webapp.extensions import db
    from webapp.plans.models import Plan, PlanKind, PlanStatus
    from webapp.registry.models import OrgKind

    rows = []
    for org in orgs:
        kind = OrgKind(org.kind)
        if kind == OrgKind.ENTERPRISE:
            catalogue = demo.catalogue_of(org)
            high = org.industry in demo.HIGH_RISK
            titles = [(f"{org.name}生产安全事故综合应急预案", PlanKind.ENT_COMPREHENSIVE, catalogue[0])]
            for scenario in catalogue[1: 3 if high else 2]:
                titles.append((f"{org.name}{scenario.name.removesuffix('事故')}专项应急预案", PlanKind.ENT_SPECIAL, scenario))
            for scenario in catalogue[:2 if high else 1]:
                titles.append((f"{org.name}{scenario.name.removesuffix('事故')}现场处置方案", PlanKind.ENT_ONSITE, scenario))
        elif kind in (OrgKind.TOWN, OrgKind.STREET):
            titles = [(f"{org.name}{t.label}应急预案", PlanKind.GOV_SPECIAL, t.scenario)
                      for t in (demo.TOPIC["防汛防台"], demo.TOPIC["地质灾害"], demo.TOPIC["森林火灾"])]
            titles.append((f"{org.name}突发事件总体应急预案", PlanKind.GOV_OVERALL, demo.TOPIC["总体"].scenario))
        elif kind == OrgKind.DEPARTMENT:
            topic = demo.TOPICS[len(rows) % len(demo.TOPICS)]
            titles = [(f"{org.name}{topic.label}应急预案", PlanKind.GOV_DEPARTMENT, topic.scenario)]
        elif kind in (OrgKind.VILLAGE, OrgKind.COMMUNITY, OrgKind.SCHOOL):
            scenario = {OrgKind.VILLAGE: demo.VILLAGE_FLOOD, OrgKind.COMMUNITY: demo.COMMUNITY_FIRE,
                        OrgKind.SCHOOL: demo.SCHOOL_QUAKE}[kind].scenario
            titles = [(f"{org.name}{scenario.name}应急预案", PlanKind.GOV_GRASSROOTS, scenario)]
        else:
            continue
        for title, plan_kind, scenario in titles:
            status = rng.choices((PlanStatus.FILED, PlanStatus.PUBLISHED, PlanStatus.NEEDS_REVISION,
                                  PlanStatus.WITHDRAWN, PlanStatus.DRAFT), (80, 8, 4, 4, 4))[0]
            issued = today - timedelta(days=rng.randint(30, 5 * 365)) if status != PlanStatus.DRAFT else None
            rows.append({"title": title, "organization_id": org.id, "kind": plan_kind.value,
                         "hazard": scenario.hazard_value, "hazard_subtype": scenario.subtype, "status": status.value,
                         "issued_on": issued, "filed_on": issued + timedelta(days=10) if status == PlanStatus.FILED
                         else None, "filing_number": f"云应急备〔{issued.year}〕{len(rows) + 1}号"
                         if status == PlanStatus.FILED else None,
                         "next_evaluation_on": issued + timedelta(days=3 * 365) if issued else None,
                         "version_number": 1, "created_by_id": user_id})
    ids = []
    for start in range(0, len(rows), 500):
        ids += db.session.scalars(insert(Plan).returning(Plan.id, sort_by_parameter_order=True),
                                  rows[start:start + 500]).all()
    by_org: dict[int, list] = {}
    for plan_id, row in zip(ids, rows, strict=True):
        by_org.setdefault(row["organization_id"], []).append((plan_id, row))
    return by_org


def drill_items(writer, rng: random.Random, orgs: list, plans_of: dict[int, list], count: int, years: int) -> list:
    """`count` drills of the units (mostly enterprises, then schools, villages …) on days spread
    over `years` years before today, about 3 % still ahead, each linked to one of its unit's plans
    in force for the most part; built by the drills demo's writer, in date order, for writer.bulk()."""
    from sqlalchemy import select

    from webapp.drills import demo
    from webapp.extensions import db
    from webapp.plans.models import Plan, PlanStatus
    from webapp.registry.models import OrgKind

    today = writer.today
    plans = {p.id: p for p in db.session.scalars(select(Plan))}

    weights = {OrgKind.ENTERPRISE: 70, OrgKind.SCHOOL: 12, OrgKind.VILLAGE: 7, OrgKind.COMMUNITY: 4, OrgKind.TOWN: 4,
               OrgKind.STREET: 1, OrgKind.DEPARTMENT: 2}
    pools = {kind: [o for o in orgs if o.kind == kind] for kind in weights}
    kinds = list(weights)
    hill = set(demo.HILL_TOWNS)
    span = years * 365
    items = []
    for n in range(count):
        kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
        org = rng.choice(pools[kind])
        day = today + timedelta(days=rng.randint(1, 120)) if rng.random() < 0.03 else today - timedelta(
            days=rng.randint(1, span))
        own = [plans[i] for i, row in plans_of.get(org.id, []) if row["status"] != PlanStatus.WITHDRAWN.value
               and row["issued_on"] is not None and row["issued_on"] <= day]
        plan = rng.choice(own) if own and rng.random() < 0.75 else None
        if kind == OrgKind.ENTERPRISE:
            catalogue = demo.catalogue_of(org)
            series = demo.Series(org, None, catalogue, plan, 6, None)
            scenario = demo.scenarios_for(catalogue, plan)[0] if plan else catalogue[n % len(catalogue)]
        else:
            if kind == OrgKind.SCHOOL:
                topic = demo.SCHOOL_QUAKE if day.month < 8 else demo.SCHOOL_FIRE
            elif kind == OrgKind.VILLAGE:
                topic = demo.TOPIC["地质灾害"] if org.town and org.town.name in hill and n % 2 else demo.VILLAGE_FLOOD
            elif kind == OrgKind.COMMUNITY:
                topic = demo.COMMUNITY_FIRE if n % 3 else demo.COMMUNITY_GAS
            elif kind == OrgKind.DEPARTMENT:
                topic = demo.TOPICS[n % len(demo.TOPICS)]
            else:
                topic = demo.TOPIC[("防汛防台", "总体", "地质灾害", "森林火灾")[n % 4]]
            series = demo.Series(org, topic, (), plan, 12, None)
            scenario = topic.scenario
        items.append(writer.item(series, scenario, day))
    items.sort(key=lambda i: (i.day, i.org.id))
    return items


def setup(args, rng: random.Random) -> tuple[int, dict]:
    """The registry, the officer, the plans and the drills (not timed). Returns the recorded
    drill's id and counts."""
    from sqlalchemy import func, select

    from webapp.auth import services as auth
    from webapp.auth.permissions import Role
    from webapp.common.time import local_today
    from webapp.drills import demo
    from webapp.drills.models import Drill, DrillEvaluation, DrillProblem, DrillStep
    from webapp.extensions import db
    from webapp.plans.models import Plan, PlanStatus
    from webapp.registry import demo as registry_demo
    from webapp.registry.models import Organization

    today = local_today()
    registry_demo.seed(rng)
    bureau = db.session.scalar(select(Organization).where(Organization.name == "云溪县应急管理局"))
    officer = auth.create_user(OFFICER, "演练管理员 王磊", PASSWORD, [Role.DRILL], bureau.id if bureau else None)
    db.session.commit()
    orgs = list(db.session.scalars(select(Organization).order_by(Organization.id)))
    plans_of = write_plans(rng, orgs, officer.id, today)
    db.session.commit()
    writer = demo.Writer(rng, today, officer, orgs, files=False)
    items = drill_items(writer, rng, orgs, plans_of, args.drills, args.years)
    recorded = next(i for i in reversed(items) if i.held and i.plans and i.form_org == "field"
                    and i.plans[0].status in (PlanStatus.FILED.value, PlanStatus.PUBLISHED.value)
                    and (today - i.day).days >= 2)
    rest = [i for i in items if i is not recorded]
    for start in range(0, len(rest), 2000):
        writer.bulk(rest[start:start + 2000])
        db.session.commit()
    writer.through_services(recorded, 0)
    db.session.commit()
    drill_id = db.session.scalar(select(func.max(Drill.id)))

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    counts = {"drills": count(Drill), "steps": count(DrillStep), "evaluations": count(DrillEvaluation),
              "problems": count(DrillProblem), "plans": count(Plan)}
    return drill_id, counts


# ------------------------------------------------------------------------------------------ timing


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def pad(text: str, width: int) -> str:
    """Left-justify counting a Chinese character as two columns, as a terminal shows it."""
    return text + " " * max(0, width - sum(2 if ord(c) > 0x2E80 else 1 for c in text))


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--drills", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30, help="runs of each request (the .docx: a third of it)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, the .docx)")
    args = parser.parse_args()
    return in_temp_database("bench_drills", args.db, args.keep, lambda tmp, url: run(args, tmp, url))


def run(args, tmp: Path, database_url: str) -> int:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-drills",
                      "STORAGE_DIR": str(tmp / "files"), "REDIS_URL": None})
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"bench_drills: {args.drills:,} drills over {args.years} years, {dialect}, {os.cpu_count()} CPUs", flush=True)
    started = time.perf_counter()
    with app.app_context():
        logging.disable(logging.INFO)
        upgrade()
        logging.disable(logging.NOTSET)
        drill_id, counts = setup(args, random.Random(2026))
        db.session.remove()
    print(f"setup (not timed) in {time.perf_counter() - started:.1f} s: " + ", ".join(
        f"{v:,} {k}" for k, v in counts.items()), flush=True)
    try:
        return measure(args, app, drill_id, tmp, dialect)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(args, app, drill_id: int, tmp: Path, dialect: str) -> int:
    from docx import Document
    from sqlalchemy import event

    from webapp.common.time import local_today
    from webapp.drills.models import Drill
    from webapp.extensions import db

    client = app.test_client()
    login = client.post("/login", data={"username": OFFICER, "password": PASSWORD,
                                        "csrf_token": csrf(client.get("/login").get_data(as_text=True))})
    if login.status_code != 302:
        print(f"FAIL  login as the drill officer: HTTP {login.status_code}")
        return 1
    statements = [0]

    def counter(*_args) -> None:
        statements[0] += 1

    with app.app_context():
        engine = db.engine
        drill = db.session.get(Drill, drill_id)
        year, industry = local_today().year, drill.industry or ""
        form = {name: getattr(drill, name) for name in FIELDS}
        form = {k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in form.items()}
        form["observers"] = "县应急管理局观摩人员"
        form["plan_ids"] = [str(p.id) for p in drill.plans]
        form["step_at"] = [s.at for s in drill.steps]
        form["step_event"] = [s.event for s in drill.steps]
        form["step_action"] = [s.action for s in drill.steps]
        title = drill.title
        db.session.remove()
    event.listen(engine, "before_cursor_execute", counter)
    token = csrf(client.get(f"/drills/{drill_id}/edit").get_data(as_text=True))
    form["csrf_token"] = token

    def get(url: str, expect=200, kind: str = "text/html"):
        def call():
            response = client.get(url)
            ok = response.status_code == expect and response.mimetype.startswith(kind)
            return response, ok
        return call

    def post(url: str, data: dict, expect=302):
        def call():
            response = client.post(url, data=data)
            return response, response.status_code == expect
        return call

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    actions = [
        ("GET drills.index (first page)", get("/drills/")),
        (f"GET drills.index (year={year}, industry, status)",
         get(f"/drills/?year={year}&industry={industry}&status=summarized")),
        ("GET drills.index (q=泄漏)", get("/drills/?q=泄漏")),
        ("GET drills.detail", get(f"/drills/{drill_id}")),
        ("GET drills.compliance", get("/drills/compliance")),
        (f"GET drills.figures ({year})", get(f"/drills/figures?year={year}")),
        ("GET drills.figures (Excel)", get(f"/drills/figures?year={year}&format=xlsx", kind=xlsx)),
        ("GET drills.problems (overdue)", get("/drills/problems?status=overdue")),
        ("POST drills.edit (save the drill)", post(f"/drills/{drill_id}/edit", form)),
        ("POST drills.record_doc (.docx)", post(f"/drills/{drill_id}/record-doc", {"csrf_token": token, "fmt": "docx"})),
    ]
    results, problems, last = [], [], None
    for label, call in actions:
        runs = max(5, args.runs // 3) if "record_doc" in label else args.runs
        times, queries = [], []
        for run in range(runs + 2):
            statements[0] = 0
            began = time.perf_counter()
            response, ok = call()
            elapsed = (time.perf_counter() - began) * 1000
            if not ok:
                problems.append(f"{label}: HTTP {response.status_code} {response.mimetype}")
                break
            if run >= 2:
                times.append(elapsed)
                queries.append(statements[0])
            last = response
        if times:
            results.append((label, *percentiles(times), max(queries)))
    event.remove(engine, "before_cursor_execute", counter)

    document_ok = ""
    if last is not None and last.status_code == 302:
        data = client.get(last.headers["Location"]).get_data()
        (tmp / "drill_record.docx").write_bytes(data)
        try:
            docx = Document(io.BytesIO(data))
            text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
                c.text for t in docx.tables for r in t.rows for c in r.cells)
            pictures = len(docx.inline_shapes)
            document_ok = f"{len(data) / 1024:.0f} KB, title {'found' if title in text else 'MISSING'}, {pictures} pictures"
            if title not in text:
                problems.append("the drill record does not hold the drill's title")
        except Exception as exc:  # a broken file is a finding, not a crash
            problems.append(f"the drill record does not open: {exc}")

    print(f"\n{dialect}, {args.runs} runs each after 2 warm-up runs (the .docx: {max(5, args.runs // 3)}); "
          "time from call to response, SQL statements per request")
    for label, p50, p95, top, queries in results:
        print(f"  {pad(label, 50)} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {top:7.1f} ms   {queries:3d} queries")
    if document_ok:
        print(f"  drill record: {document_ok}")
    for problem in problems:
        print(f"  FAIL  {problem}")
    ok = not problems and len(results) == len(actions)
    print(f"\n  {'PASS' if ok else 'FAIL'}  every request answered as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
