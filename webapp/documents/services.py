"""The document engine's services: the template registry (shipped and uploaded, with versions),
checking a template's placeholders against its kind, and rendering documents for other modules.

Other modules call `render_for(kind, context, …)`; nothing else renders .docx.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g
from sqlalchemy import func, select

from webapp import storage
from webapp.documents import engine
from webapp.documents.images import Seal, check_picture
from webapp.documents.kinds import KINDS, DocumentKind
from webapp.documents.models import DocumentAsset, DocumentTemplate, GeneratedDocument, TemplateVersion
from webapp.errors import FieldErrors, UserError
from webapp.extensions import db
from webapp.registry.models import Organization, OrgKind

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def shipped_dir() -> Path:
    return Path(current_app.config["DOC_TEMPLATES_DIR"])


def kind_of(template: DocumentTemplate) -> DocumentKind:
    return KINDS[template.kind]


# ---------------------------------------------------------------- registry


def sync_shipped() -> int:
    """Register the project's templates (doc_templates/) and any that changed since; returns how
    many versions were added. A changed shipped file becomes current only if nobody replaced
    the shipped version with an upload of their own."""
    added = 0
    for kind in KINDS.values():
        path = shipped_dir() / kind.shipped
        if not path.is_file():
            continue
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        template = db.session.scalar(select(DocumentTemplate).where(DocumentTemplate.shipped_file == kind.shipped))
        if template is None:
            template = DocumentTemplate(kind=kind.key, name=kind.label, shipped_file=kind.shipped,
                                        description="随系统提供的模板")
            db.session.add(template)
            db.session.flush()
        elif any(v.sha256 == digest for v in template.versions):
            continue
        current = template.current_version
        version = _add_version(template, data, kind.shipped, user=None, note="随系统提供")
        if current is None or current.uploaded_by_id is None:
            template.current_version = version
        added += 1
    db.session.flush()
    return added


def templates(kind: str | None = None, include_inactive: bool = False) -> list[DocumentTemplate]:
    query = select(DocumentTemplate).order_by(DocumentTemplate.kind, DocumentTemplate.id)
    if kind:
        query = query.where(DocumentTemplate.kind == kind)
    if not include_inactive:
        query = query.where(DocumentTemplate.active.is_(True))
    return list(db.session.scalars(query))


def create_template(kind: str, name: str, data: bytes, filename: str, user, note: str = "") -> DocumentTemplate:
    if kind not in KINDS:
        raise UserError("请选择文书类型", field="kind")
    name = (name or "").strip()
    if not name:
        raise UserError("请填写模板名称", field="name")
    check_upload(KINDS[kind], data)
    template = DocumentTemplate(kind=kind, name=name)
    db.session.add(template)
    db.session.flush()
    template.current_version = _add_version(template, data, filename, user, note)
    db.session.flush()
    return template


def add_version(template: DocumentTemplate, data: bytes, filename: str, user, note: str = "") -> TemplateVersion:
    check_upload(kind_of(template), data)
    version = _add_version(template, data, filename, user, note)
    template.current_version = version
    db.session.flush()
    return version


def restore(template: DocumentTemplate, version: TemplateVersion) -> None:
    if version.template_id != template.id:
        raise UserError("该版本不属于此模板")
    template.current_version = version
    db.session.flush()


def check_upload(kind: DocumentKind, data: bytes) -> set[str]:
    """Refuse a template that cannot work: not a .docx, macros, a Jinja syntax error, or names
    its kind never provides (it would fail at every render). Missing required fields are only
    shown as warnings: a bureau may leave out, say, the photo on purpose."""
    used = engine.placeholders(data)
    unknown, _missing = engine.check_names(used, kind.names, kind.required)
    if unknown:
        raise FieldErrors({"file": f"模板使用了“{kind.label}”不提供的占位符：{'、'.join(unknown)}。"
                                   f"可用的字段：{'、'.join(sorted(kind.names))}"})
    return used


def _add_version(template: DocumentTemplate, data: bytes, filename: str, user, note: str) -> TemplateVersion:
    used = engine.placeholders(data)
    number = (db.session.scalar(select(func.max(TemplateVersion.number))
                                .where(TemplateVersion.template_id == template.id)) or 0) + 1
    version = TemplateVersion(
        template=template, number=number, storage_key=storage.save(data, "doc-templates", "docx"),
        filename=_clean_filename(filename), size=len(data), sha256=hashlib.sha256(data).hexdigest(),
        placeholders=" ".join(sorted(used)), note=(note or "").strip()[:200] or None,
        uploaded_by_id=user.id if user is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def _clean_filename(filename: str) -> str:
    name = Path(filename or "template.docx").name.strip() or "template.docx"
    return name[:200]


def version_data(version: TemplateVersion) -> bytes:
    with storage.open_file(version.storage_key) as f:
        return f.read()


@dataclass(frozen=True)
class NameCheck:
    unknown: list[str]
    missing: list[str]

    @property
    def ok(self) -> bool:
        return not self.unknown and not self.missing


def check_version(template: DocumentTemplate, version: TemplateVersion | None = None) -> NameCheck:
    version = version or template.current_version
    kind = kind_of(template)
    return NameCheck(*engine.check_names(version.placeholder_set, kind.names, kind.required))


# ---------------------------------------------------------------- rendering


def template_for(kind: str, template_id: int | None = None) -> DocumentTemplate:
    """The template a module renders with: the one asked for, else the shipped one of the kind,
    else the first active template of the kind."""
    if template_id:
        template = db.session.get(DocumentTemplate, template_id)
        if template is None or template.kind != kind or not template.active:
            raise UserError("所选模板不存在或不属于该类文书")
        return template
    sync_shipped()
    candidates = templates(kind)
    if not candidates:
        raise UserError(f"还没有“{KINDS[kind].label}”的模板，请先上传")
    shipped = [t for t in candidates if t.shipped_file]
    return (shipped or candidates)[0]


def bureau_name() -> str:
    """BUREAU_NAME when the region set it; otherwise the registry's county + 应急管理局, so a county
    set up in the registry signs its documents without further settings."""
    configured = current_app.config.get("BUREAU_NAME")
    if configured:
        return configured
    if "bureau_name" not in g:  # once per request: the login page, the dashboard and documents ask
        county = db.session.scalar(select(Organization.name).where(Organization.kind == OrgKind.COUNTY.value)
                                   .order_by(Organization.id).limit(1))
        g.bureau_name = f"{county}应急管理局" if county else "应急管理局"
    return g.bureau_name


def render_version(version: TemplateVersion, context: dict) -> bytes:
    return engine.render(version_data(version), context, bureau=bureau_name())


def render_for(kind: str, context: dict, *, title: str, user=None, source: str | None = None,
               template_id: int | None = None) -> GeneratedDocument:
    """Render one document of `kind` and keep it: the file goes to storage, the row records
    which template version made it. Raises TemplateProblem (a UserError) with a Chinese message."""
    template = template_for(kind, template_id)
    version = template.current_version
    data = render_version(version, KINDS[kind].complete(context))
    document = GeneratedDocument(
        version=version, title=title, source=source, storage_key=storage.save(data, "documents", "docx"),
        filename=f"{_safe_title(title)}.docx", created_by_id=user.id if user is not None else None,
    )
    db.session.add(document)
    db.session.flush()
    return document


def sample_docx(template: DocumentTemplate, version: TemplateVersion | None = None) -> bytes:
    """The template filled with its kind's sample data: the preview every template has."""
    kind = kind_of(template)
    return render_version(version or template.current_version, kind.complete(kind.sample))


def document_data(document: GeneratedDocument) -> bytes:
    with storage.open_file(document.storage_key) as f:
        return f.read()


def _safe_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in '\\/:*?"<>|\r\n\t').strip()
    return cleaned[:80] or "文档"


# ---------------------------------------------------------------- the render form


def form_renderable(kind: DocumentKind) -> bool:
    """Kinds whose every required field a person can type in; tables and rich text come from modules."""
    return all(f.type in ("text", "date", "number", "list", "image") for f in kind.fields if f.required)


def context_from_form(kind: DocumentKind, data: dict) -> dict:
    """The form's values as a render context: lists split into lines; the bureau's seal; a QR code
    of the verify URL; no photo."""
    from webapp.documents.images import QRCode

    context = {}
    for f in kind.fields:
        value = data.get(f.name)
        if f.type == "list":
            value = [line.strip() for line in (value or "").splitlines() if line.strip()]
        elif f.type == "image":
            value = bureau_seal() if f.name == "seal" else None
        elif f.type in ("rows", "rich"):
            value = kind.sample.get(f.name)
        elif isinstance(value, str):
            value = value.strip()
        context[f.name] = value if value is not None else ""
    if "qr" in context and context.get("verify_url"):
        context["qr"] = QRCode(context["verify_url"], size_mm=28)
    return context


def title_for(kind: DocumentKind, context: dict) -> str:
    for name in ("title", "holder_name", "winner", "session_title"):
        if context.get(name):
            return f"{kind.label}－{context[name]}" if name != "title" else str(context[name])
    return kind.label


# ---------------------------------------------------------------- the bureau's seal


def seal_asset() -> DocumentAsset | None:
    return db.session.scalar(select(DocumentAsset).where(DocumentAsset.name == "seal"))


def bureau_seal() -> Seal:
    """The seal documents carry: the one an admin uploaded, else the specimen stamp 样章."""
    asset = seal_asset()
    if asset is None:
        return Seal.sample()
    with storage.open_file(asset.storage_key) as f:
        return Seal(f.read())


def set_seal(data: bytes, user) -> None:
    """Replace the bureau's seal. A PNG with a transparent background prints cleanly over text."""
    check_picture(data, "印章图片")
    if not data.startswith(b"\x89PNG"):
        raise UserError("印章图片请使用背景透明的 PNG 文件", field="file")
    asset = seal_asset()
    old = asset.storage_key if asset else None
    if asset is None:
        asset = DocumentAsset(name="seal", storage_key="")
        db.session.add(asset)
    asset.storage_key = storage.save(data, "assets", "png")
    asset.uploaded_by_id = user.id if user is not None else None
    db.session.flush()
    if old:
        storage.delete(old)
