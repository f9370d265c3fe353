"""Award certificates for a competition: the top places by tier (一等奖 3 名, 二等奖 5 名 …)
and, if the organizer wants, everyone else above a score; batch-printed by the document engine."""

import re

from webapp.common.time import local_today
from webapp.documents import printing
from webapp.documents import services as documents
from webapp.errors import UserError
from webapp.quiz import rankings
from webapp.quiz.models import Quiz

MAX_CERTIFICATES = 10_000


def parse_tiers(text: str) -> list[tuple[str, int]]:
    """'一等奖 3，二等奖 5；三等奖 10' → [("一等奖", 3), …]; a Chinese message for anything else."""
    tiers = []
    for part in re.split(r"[，,；;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(.+?)[\s:：×x*]*(\d+)\s*名?", part)
        if not match or not match.group(1).strip():
            raise UserError(f"“{part}”看不懂：请写成“一等奖 3”这样的奖项和人数", field="tiers")
        tiers.append((match.group(1).strip(), int(match.group(2))))
    return tiers


def winners(quiz: Quiz, tiers: list[tuple[str, int]], min_score: float | None = None,
            min_award: str = "优秀奖") -> list[dict]:
    """One record per certificate, in ranking order. Places tied on score and time share a rank
    and so the same award."""
    if not tiers and min_score is None:
        raise UserError("请填写奖项和人数，或填写获奖分数线", field="tiers")
    rows = rankings.leaderboard(quiz, limit=None)
    bounds, total = [], 0
    for award, count in tiers:
        total += count
        bounds.append((total, award))
    records = []
    for row in rows:
        award = next((name for bound, name in bounds if row.rank <= bound), None)
        if award is None and min_score is not None and row.score >= min_score:
            award = min_award or "优秀奖"
        if award is None:
            continue
        records.append({"winner": row.name, "organization": row.organization or None, "competition": quiz.title,
                        "award": award, "score": f"{row.score:g}", "rank": row.rank,
                        "certificate_no": f"{quiz.code.upper()}-{len(records) + 1:04d}",
                        "issuer": documents.bureau_name(), "date": local_today().isoformat()})
    if not records:
        raise UserError("没有符合条件的获奖者（还没有人交卷，或分数线过高）")
    if len(records) > MAX_CERTIFICATES:
        raise UserError(f"一次最多打印 {MAX_CERTIFICATES} 份证书")
    return records


def team_winners(contest, tiers: list[tuple[str, int]]) -> list[dict]:
    """An on-site contest's teams by final rank, awarded by the same tiers (并列 share an award)."""
    from webapp.quiz import contest as contests

    if not tiers:
        raise UserError("请填写奖项和队伍数，如“一等奖 1，二等奖 2”", field="tiers")
    bounds, total = [], 0
    for award, count in tiers:
        total += count
        bounds.append((total, award))
    records = []
    for standing in contests.standings(contest):
        award = next((name for bound, name in bounds if standing.rank <= bound), None)
        if award is None:
            continue
        team = standing.team
        records.append({"winner": team.name, "organization": team.organization.name if team.organization else None,
                        "competition": contest.title, "award": award, "score": str(standing.total),
                        "rank": standing.rank, "certificate_no": f"XC{contest.id:03d}-{len(records) + 1:02d}",
                        "issuer": documents.bureau_name(), "date": local_today().isoformat()})
    return records


def print_certificates(title: str, source: str, records: list[dict], output: str, user):
    """Start the batch job; returns it (its page shows the progress and the download)."""
    template = documents.template_for("award_certificate")
    return printing.submit(template, records, output, f"{title}-获奖证书", user, source=source)
