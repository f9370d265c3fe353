"""The annual summary as a download: GET /dashboard/summary?year=2025&town=<id>&format=docx|pdf.

Leaders download it (dashboard.view), so the file is sent straight back rather than through
documents.generated_file, which is for those who render documents. The render is still kept among
the generated documents (documents.services.render_for). A wrong year, town or format is flashed on
the dashboard in Chinese, as other document routes do.
"""

import io

from flask import flash, redirect, request, send_file, url_for
from flask_login import current_user

from webapp.auth.permissions import require
from webapp.dashboard import bp, summary
from webapp.documents import pdf
from webapp.documents import services as documents
from webapp.errors import UserError
from webapp.extensions import db

PDF_MIME = "application/pdf"


def _back(message: str, category: str = "danger"):
    flash(message, category)
    return redirect(url_for("dashboard.index"))


@bp.get("/dashboard/summary", endpoint="summary")
@require("dashboard.view")
def summary_download():
    try:
        chosen = summary.choice(request.args)
        if chosen.fmt == "pdf" and not pdf.available():
            raise pdf.PdfUnavailable("本机未安装 PDF 转换组件（LibreOffice），请下载 Word 版本")
        document = summary.render(chosen, current_user)
    except UserError as exc:
        db.session.rollback()
        return _back(exc.message)
    data = documents.document_data(document)
    if chosen.fmt == "docx":
        return send_file(io.BytesIO(data), mimetype=documents.DOCX_MIME, as_attachment=True,
                         download_name=document.filename)
    try:
        converted = pdf.to_pdf(data)
    except UserError as exc:  # the Word file is kept; the message says to take it instead
        return _back(exc.message, "warning")
    return send_file(io.BytesIO(converted), mimetype=PDF_MIME, as_attachment=True,
                     download_name=document.filename.removesuffix(".docx") + ".pdf")
