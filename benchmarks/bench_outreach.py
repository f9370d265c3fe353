"""Outreach at scale: five years of five-into work (20,000 events with their materials) in the demo
county, and the outreach officer's pages on top of them.

Setup (not timed; a fresh database: SQLite in a temp dir, or --db postgresql): the migrations, the
demo county's registry (registry.demo: 12 towns, 76 villages, 36 communities, 64 schools, ~900
enterprises, 15 departments), the outreach officer (宣传专员, in 县应急管理局), then the events,
built by the outreach demo's writer (outreach.demo.Writer: venue types in the demo's shares, places
reached unevenly by town, more events in June and November, organizers, forms, audience,
materials by kind, notes) over five years, with each year's campaigns (the year-round one with
targets per town, 防灾减灾日, 安全生产月, 消防宣传月, every other year 安全生产法宣传周) through
services.save_campaign, and written as the demo's bulk inserts (no photos on those). One recent
event is then recorded through the services like the demo's phone ones (two photos): that is the
event page opened.

Timed in-process (the Flask test client, CSRF on, logged in as the outreach officer; the time is
the request's, from call to response; SQL statements counted per request):
 1. GET outreach.index — the events list, first page, no filter
 2. GET outreach.index — filtered (year, venue type, town)
 3. GET outreach.index — a text search (q)
 4. GET outreach.event — the recorded event (materials, photos)
 5. GET outreach.coverage?year= — this year's coverage by town and venue type
 6. GET outreach.coverage?campaign= — the year-round campaign's, with its targets
 7. GET outreach.not_reached — the villages not reached this year
 8. GET outreach.figures?year= — this year's figures
 9. GET outreach.figures?year=&format=xlsx — the same as Excel
10. POST outreach_phone.record — a phone's submission (/o/new, the JSON path: X-Requested-With),
    a village event with materials and one 960×720 photo, a new client token each run (so each
    run records an event); CSRF token from the form page
Each runs a number of times after two warm-up runs; p50 / p95 / max and the statements per request
are printed. No targets are enforced here: the figures are for the report.

Run: .venv/bin/python benchmarks/bench_outreach.py
     .venv/bin/python benchmarks/bench_outreach.py --db postgresql
     … --events 20000 --years 5 --runs 30 --keep
"""

import argparse
import logging
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_drills import csrf, pad, percentiles  # noqa: E402
from bench_quiz import in_temp_database  # noqa: E402

PASSWORD = "Bench-outreach-2026"
OFFICER = "xuanchuan"


# ------------------------------------------------------------------------------------------ setup


def setup(args, rng: random.Random) -> tuple[dict, dict]:
    """The registry, the officer, the campaigns and the events (not timed). Returns the ids the
    timed requests use, and counts."""
    from sqlalchemy import func, select

    from webapp.auth import services as auth
    from webapp.auth.permissions import Role
    from webapp.common.time import local_today
    from webapp.extensions import db
    from webapp.outreach import demo
    from webapp.outreach.models import Campaign, Event, EventMaterial, EventPhoto
    from webapp.registry import demo as registry_demo
    from webapp.registry.models import Organization, OrgKind

    today = local_today()
    registry_demo.seed(rng)
    bureau = db.session.scalar(select(Organization).where(Organization.name == "云溪县应急管理局"))
    officer = auth.create_user(OFFICER, "宣传专员 赵芳", PASSWORD, [Role.OUTREACH], bureau.id if bureau else None)
    db.session.commit()
    orgs = list(db.session.scalars(select(Organization).where(Organization.active.is_(True)).order_by(Organization.id)))
    writer = demo.Writer(rng, today, officer, orgs, files=False)
    years = list(range(today.year - args.years + 1, today.year + 1))
    items = writer.plan(years, args.events, args.events // args.years)
    specs = writer.specs(years)
    writer.assign(items, specs)
    campaigns = writer.campaigns(specs, items)
    recorded = next(i for i in reversed(items) if i.place is not None and i.venue.key == "village")
    rest = [i for i in items if i is not recorded]
    for start in range(0, len(rest), 2000):  # one transaction: the writer's places stay loaded
        writer.bulk(rest[start:start + 2000], campaigns)
    event = writer.through_services(recorded, campaigns, 0)
    db.session.commit()

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    year_round = next(c for s, c in campaigns.items() if s.moment == "常态化" and s.year == today.year)
    busiest = db.session.execute(select(Event.town_id, func.count()).where(Event.town_id.is_not(None))
                                 .group_by(Event.town_id).order_by(func.count().desc()).limit(1)).first()
    village = db.session.scalar(select(Organization).where(Organization.kind == OrgKind.VILLAGE.value)
                                .order_by(Organization.id).limit(1))
    ids = {"event": event.id, "campaign": year_round.id, "town": busiest[0], "year": today.year,
           "village": writer.venues["village"].id, "enterprise": writer.venues["enterprise"].id,
           "place": village.id, "place_town": village.town_id}
    counts = {"events": count(Event), "materials rows": count(EventMaterial), "campaigns": count(Campaign),
              "photos": count(EventPhoto)}
    return ids, counts


# ------------------------------------------------------------------------------------------ timing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30, help="runs of each request (the phone's post: a third of it)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, the Excel)")
    args = parser.parse_args()
    return in_temp_database("bench_outreach", args.db, args.keep, lambda tmp, url: run(args, tmp, url))


def run(args, tmp: Path, database_url: str) -> int:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db

    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-outreach",
                      "STORAGE_DIR": str(tmp / "files"), "REDIS_URL": None})
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"bench_outreach: {args.events:,} events over {args.years} years, {dialect}, {os.cpu_count()} CPUs",
          flush=True)
    started = time.perf_counter()
    with app.app_context():
        logging.disable(logging.INFO)
        upgrade()
        logging.disable(logging.NOTSET)
        ids, counts = setup(args, random.Random(2026))
        db.session.remove()
    print(f"setup (not timed) in {time.perf_counter() - started:.1f} s: " + ", ".join(
        f"{v:,} {k}" for k, v in counts.items()), flush=True)
    try:
        return measure(args, app, ids, tmp, dialect)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure(args, app, ids: dict, tmp: Path, dialect: str) -> int:
    from flask import url_for
    from openpyxl import load_workbook
    from sqlalchemy import event, func, select
    from werkzeug.routing import BuildError

    from webapp.common.time import local_today
    from webapp.extensions import db
    from webapp.outreach.demo_scenes import phone_photo
    from webapp.outreach.models import Event

    client = app.test_client()
    login = client.post("/login", data={"username": OFFICER, "password": PASSWORD,
                                        "csrf_token": csrf(client.get("/login").get_data(as_text=True))})
    if login.status_code != 302:
        print(f"FAIL  login as the outreach officer: HTTP {login.status_code}")
        return 1
    year = ids["year"]
    missing = []

    def url(endpoint: str, **values) -> str | None:
        with app.test_request_context():
            try:
                return url_for(endpoint, **values)
            except BuildError:
                missing.append(endpoint)
                return None

    with app.app_context():
        engine = db.engine
        before = db.session.scalar(select(func.count()).select_from(Event))
        db.session.remove()
    record_url = url("outreach_phone.record")
    token = ""
    if record_url:
        form_page = client.get(record_url)
        token = csrf(form_page.get_data(as_text=True)) if form_page.status_code == 200 else ""
        if not token:
            print(f"  note: the phone form gave no CSRF token (HTTP {form_page.status_code})")
    photo = phone_photo("leaflets", "安全宣传“五进”", random.Random(7))
    statements = [0]

    def counter(*_args) -> None:
        statements[0] += 1

    def get(target: str | None, expect=200, kind: str = "text/html"):
        def call():
            response = client.get(target)
            return response, response.status_code == expect and response.mimetype.startswith(kind)
        return call if target else None

    def phone_post():
        import io

        data = {"csrf_token": token, "type": str(ids["village"]), "town": str(ids["place_town"]),
                "place_id": str(ids["place"]), "held_on": local_today().isoformat(), "forms": ["讲座", "发放资料"],
                "audience": "86", "material_kind": ["宣传单", "宣传册"], "material_quantity": ["120", "30"],
                "note": "围绕森林防火开展宣传：开展安全知识专题讲座，发放宣传资料。",
                "client_token": secrets.token_urlsafe(18), "photos": (io.BytesIO(photo), "现场.jpg", "image/jpeg")}
        response = client.post(record_url, data=data, content_type="multipart/form-data",
                               headers={"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"})
        ok = response.status_code == 200 and response.is_json and response.get_json().get("ok") is True
        return response, ok

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    actions = [
        ("GET outreach.index (first page)", get(url("outreach.index"))),
        (f"GET outreach.index (year={year}, type, town)",
         get(url("outreach.index", year=year, venue=ids["enterprise"], town=ids["town"]))),
        ("GET outreach.index (q=广场)", get(url("outreach.index", q="广场"))),
        ("GET outreach.event", get(url("outreach.event", event_id=ids["event"]))),
        (f"GET outreach.coverage (year={year})", get(url("outreach.coverage", year=year))),
        ("GET outreach.coverage (year-round campaign)", get(url("outreach.coverage", campaign=ids["campaign"]))),
        ("GET outreach.not_reached (villages)", get(url("outreach.not_reached", type=ids["village"], year=year))),
        (f"GET outreach.figures ({year})", get(url("outreach.figures", year=year))),
        ("GET outreach.figures (Excel)", get(url("outreach.figures", year=year, format="xlsx"), kind=xlsx)),
        ("POST outreach_phone.record (JSON, 1 photo)", phone_post if record_url else None),
    ]
    event.listen(engine, "before_cursor_execute", counter)
    results, problems, workbook, posted = [], [], None, 0
    for label, call in actions:
        if call is None:
            problems.append(f"{label}: the page is not there ({', '.join(missing) or 'no route'})")
            continue
        runs = max(5, args.runs // 3) if label.startswith("POST") else args.runs
        times, queries = [], []
        for run in range(runs + 2):
            statements[0] = 0
            began = time.perf_counter()
            response, ok = call()
            elapsed = (time.perf_counter() - began) * 1000
            if not ok:
                detail = response.get_data(as_text=True)[:300] if response.status_code != 200 else ""
                problems.append(f"{label}: HTTP {response.status_code} {response.mimetype} {detail}".strip())
                break
            if label.startswith("POST"):
                posted += 1
            if run >= 2:
                times.append(elapsed)
                queries.append(statements[0])
            if response.mimetype == xlsx:
                workbook = response.get_data()
        if times:
            results.append((label, *percentiles(times), max(queries)))
    event.remove(engine, "before_cursor_execute", counter)

    excel_ok = ""
    if workbook is not None:
        (tmp / "outreach_figures.xlsx").write_bytes(workbook)
        try:
            import io

            book = load_workbook(io.BytesIO(workbook), read_only=True)
            excel_ok = f"{len(workbook) / 1024:.0f} KB, sheets {'、'.join(book.sheetnames)}"
        except Exception as exc:  # a broken file is a finding, not a crash
            problems.append(f"the figures workbook does not open: {exc}")
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Event))
        photos = db.session.scalar(select(func.count()).select_from(Event).where(Event.photos.any()))
        db.session.remove()
    if posted and after - before != posted:
        problems.append(f"the phone posted {posted} events, the database holds {after - before} more")

    print(f"\n{dialect}, {args.runs} runs each after 2 warm-up runs (the phone's post: {max(5, args.runs // 3)}); "
          "time from call to response, SQL statements per request")
    for label, p50, p95, top, queries in results:
        print(f"  {pad(label, 50)} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {top:7.1f} ms   {queries:3d} queries")
    if excel_ok:
        print(f"  figures workbook: {excel_ok}")
    if posted:
        print(f"  phone posts: {posted} events recorded ({after - before} new rows), events with photos now {photos}")
    for problem in problems:
        print(f"  FAIL  {problem}")
    ok = not problems and len(results) == len(actions)
    print(f"\n  {'PASS' if ok else 'FAIL'}  every request answered as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
