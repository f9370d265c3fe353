"""Template registry pages: list, upload, versions, placeholder check, sample previews, and
rendering a document from a form."""

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from webapp.auth.permissions import can, require
from webapp.common.spreadsheets import SheetError, xlsx_response
from webapp.documents import bp, pdf, printing, services
from webapp.documents.forms import (
    BatchForm,
    EmptyForm,
    SealForm,
    TemplateUploadForm,
    VersionUploadForm,
    render_form_class,
)
from webapp.documents.kinds import KINDS
from webapp.documents.models import DocumentTemplate, GeneratedDocument, TemplateVersion
from webapp.errors import UserError, show_on_form
from webapp.extensions import db
from webapp.listing import paginate

PDF_MIME = "application/pdf"


def _template(template_id: int) -> DocumentTemplate:
    return db.get_or_404(DocumentTemplate, template_id)


def _version(template: DocumentTemplate, version_id: int) -> TemplateVersion:
    version = db.get_or_404(TemplateVersion, version_id)
    if version.template_id != template.id:
        abort(404)
    return version


def _fillable(template_id: int):
    """(template, kind, None), or a redirect back when documents of this kind come from a module
    (plans, drills …): their tables and rich text cannot be typed into a form or a sheet."""
    template = _template(template_id)
    kind = services.kind_of(template)
    if services.form_renderable(kind):
        return template, kind, None
    flash(f"“{kind.label}”由相应业务模块生成，这里只能查看样例", "info")
    return template, kind, redirect(url_for("documents.detail", template_id=template.id))


def _docx(data: bytes, filename: str):
    return send_file(io.BytesIO(data), mimetype=services.DOCX_MIME, as_attachment=True, download_name=filename)


def _pdf(data: bytes, filename: str, inline: bool = False):
    return send_file(io.BytesIO(data), mimetype=PDF_MIME, as_attachment=not inline, download_name=filename)


@bp.get("/")
@require("documents.view")
def index():
    services.sync_shipped()
    items = services.templates(request.args.get("kind") or None, include_inactive=True)
    checks = {t.id: services.check_version(t) for t in items if t.current_version}
    return render_template("documents/index.html", items=items, checks=checks, kinds=KINDS,
                           pdf_available=pdf.available(), seal=services.seal_asset(), seal_form=SealForm())


@bp.post("/seal")
@require("documents.manage")
def upload_seal():
    form = SealForm()
    if form.validate_on_submit():
        try:
            services.set_seal(form.file.data.read(), current_user)
        except UserError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            flash("已更新本单位印章，之后生成的文档都使用它", "success")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("documents.index"))


@bp.get("/seal.png")
@require("documents.view")
def seal_image():
    return send_file(io.BytesIO(services.bureau_seal().data), mimetype="image/png", max_age=0)


@bp.route("/new", methods=["GET", "POST"])
@require("documents.manage")
def new_template():
    form = TemplateUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            template = services.create_template(form.kind.data, form.name.data, upload.read(), upload.filename,
                                                current_user, form.note.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已上传模板“{template.name}”", "success")
            return redirect(url_for("documents.detail", template_id=template.id))
    return render_template("documents/new.html", form=form)


@bp.get("/<int:template_id>")
@require("documents.view")
def detail(template_id: int):
    template = _template(template_id)
    return _detail_page(template, VersionUploadForm())


def _detail_page(template: DocumentTemplate, version_form: VersionUploadForm):
    kind = services.kind_of(template)
    check = services.check_version(template) if template.current_version else None
    used = template.current_version.placeholder_set if template.current_version else set()
    return render_template(
        "documents/detail.html", template=template, kind=kind, check=check, used=used,
        version_form=version_form, action_form=EmptyForm(), pdf_available=pdf.available(),
        preview_available=pdf.preview_available(), renderable=services.form_renderable(kind),
    )


@bp.post("/<int:template_id>/versions")
@require("documents.manage")
def upload_version(template_id: int):
    template = _template(template_id)
    form = VersionUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            version = services.add_version(template, upload.read(), upload.filename, current_user, form.note.data)
        except UserError as exc:
            show_on_form(form, exc)
        else:
            flash(f"已上传第 {version.number} 版，并设为当前版本", "success")
            return redirect(url_for("documents.detail", template_id=template.id))
    return _detail_page(template, form), 400


@bp.post("/<int:template_id>/versions/<int:version_id>/restore")
@require("documents.manage")
def restore_version(template_id: int, version_id: int):
    template = _template(template_id)
    version = _version(template, version_id)
    if EmptyForm().validate_on_submit():
        services.restore(template, version)
        flash(f"已恢复第 {version.number} 版为当前版本", "success")
    return redirect(url_for("documents.detail", template_id=template.id))


@bp.get("/<int:template_id>/versions/<int:version_id>/file")
@require("documents.view")
def version_file(template_id: int, version_id: int):
    template = _template(template_id)
    version = _version(template, version_id)
    return _docx(services.version_data(version), version.filename)


@bp.get("/<int:template_id>/sample.<any(docx, pdf, png):fmt>")
@require("documents.view")
def sample(template_id: int, fmt: str):
    """The template filled with sample data; an undefined name or a bad template shows its message."""
    template = _template(template_id)
    version = _version(template, int(request.args["version"])) if request.args.get("version", "").isdigit() \
        else template.current_version
    try:
        data = services.sample_docx(template, version)
        if fmt == "docx":
            return _docx(data, f"{template.name}（样例）.docx")
        if fmt == "pdf":
            return _pdf(pdf.to_pdf(data), f"{template.name}（样例）.pdf", inline=True)
        picture = send_file(io.BytesIO(pdf.first_page_png(data)), mimetype="image/png")
        # The address names the version, so the browser may keep the picture: the next visit shows
        # it at once instead of waiting for LibreOffice again.
        picture.cache_control.private = True
        picture.cache_control.max_age = 24 * 3600
        return picture
    except UserError as exc:
        if fmt == "png":
            abort(404)
        flash(f"样例生成失败：{exc.message}", "danger")
        return redirect(url_for("documents.detail", template_id=template.id))


@bp.route("/<int:template_id>/render", methods=["GET", "POST"])
@require("documents.render")
def render_document(template_id: int):
    template, kind, refused = _fillable(template_id)
    if refused:
        return refused
    form = render_form_class(kind)(data=None if request.method == "POST" else kind.sample)
    if request.method == "GET":
        for f in kind.fields:
            if f.type == "list" and f.name in form:
                form[f.name].data = "\n".join(kind.sample.get(f.name) or [])
    if form.validate_on_submit():
        context = services.context_from_form(kind, form.data)
        try:
            document = services.render_for(kind.key, context, title=services.title_for(kind, context),
                                           user=current_user, template_id=template.id)
            if form.output.data == "pdf":
                data = pdf.to_pdf(services.document_data(document))
                return _pdf(data, document.filename.removesuffix(".docx") + ".pdf")
        except (pdf.PdfUnavailable, pdf.PdfFailed) as exc:
            flash(f"{exc.message}。Word 版本已生成，可在“已生成文档”中下载。", "warning")
            return redirect(url_for("documents.generated"))
        except UserError as exc:
            show_on_form(form, exc)
        else:
            return _docx(services.document_data(document), document.filename)
    return render_template("documents/render.html", template=template, kind=kind, form=form,
                           has_seal=services.seal_asset() is not None)


@bp.get("/generated")
@require("documents.render")
def generated():
    query = db.select(GeneratedDocument).order_by(GeneratedDocument.id.desc())
    if not can("documents.manage"):
        query = query.where(GeneratedDocument.created_by_id == current_user.id)
    return render_template("documents/generated.html", page=paginate(query))


@bp.get("/generated/<int:document_id>.<any(docx, pdf):fmt>")
@require("documents.render")
def generated_file(document_id: int, fmt: str):
    document = db.get_or_404(GeneratedDocument, document_id)
    if document.created_by_id != current_user.id and not can("documents.manage"):
        abort(403)
    data = services.document_data(document)
    if fmt == "docx":
        return _docx(data, document.filename)
    try:
        return _pdf(pdf.to_pdf(data), document.filename.removesuffix(".docx") + ".pdf")
    except UserError as exc:
        flash(f"{exc.message}", "warning")
        return redirect(url_for("documents.generated"))


@bp.get("/<int:template_id>/batch/data-template")
@require("documents.render")
def batch_data_template(template_id: int):
    template = _template(template_id)
    kind = services.kind_of(template)
    return xlsx_response(f"{kind.label}批量数据模板.xlsx", printing.data_template(kind))


@bp.route("/<int:template_id>/batch", methods=["GET", "POST"])
@require("documents.render")
def batch_print(template_id: int):
    """Many documents from one spreadsheet: checked here, rendered by a background job."""
    template, kind, refused = _fillable(template_id)
    if refused:
        return refused
    form = BatchForm()
    errors, problem = [], None
    if form.validate_on_submit():
        try:
            records = printing.records_from_sheet(kind, form.file.data.stream)
            job = printing.submit(template, records, form.output.data, form.title.data.strip() or kind.label,
                                  current_user)
        except printing.RowsRefused as exc:
            errors = exc.errors
        except (SheetError, UserError) as exc:
            problem = getattr(exc, "message", str(exc))
        else:
            return redirect(url_for("jobs.detail", job_id=job.id))
    return render_template("documents/batch.html", template=template, kind=kind, form=form, errors=errors,
                           problem=problem)
