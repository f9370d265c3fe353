"""The public certificate check /verify/<token>, opened by the QR code printed on a certificate.

No login. It shows only certificates.public_view (masked name and ID number, post, course, number,
dates, status, issuer): nothing else about the holder leaves the server. An unknown or altered
token gets one plain 404 that says nothing about why; the rate limit per address slows anyone
trying tokens (they are random, 22 characters, so serial numbers cannot be walked).
"""

from flask import current_app, make_response, render_template

from webapp.common.time import local_today, utcnow
from webapp.extensions import limiter
from webapp.training import certificates, verify_bp

STATUS_STYLES = {"有效": "valid", "已过期": "expired", "已注销": "revoked"}


def _verify_limit() -> str:
    return current_app.config["VERIFY_RATE_LIMIT_PER_ADDRESS"]


@verify_bp.get("/<token>")
@limiter.limit(_verify_limit)
def show(token: str):
    certificate = certificates.by_token(token)
    view = certificates.public_view(certificate, local_today()) if certificate is not None else None
    response = make_response(render_template("training/verify.html", view=view, checked_at=utcnow(),
                                             style=STATUS_STYLES.get(view.status) if view else None),
                             200 if view else 404)
    # A status can change (expiry, revocation): never serve a cached answer; keep it out of search engines.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
