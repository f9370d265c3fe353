"""Document templates, their versions, and the documents made from them.

A template keeps every version it ever had: uploading a new one or restoring an old one only
moves `current_version`. A generated document records the exact version that made it, so a
certificate printed last year can be traced to the template of last year.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class DocumentTemplate(db.Model):
    __tablename__ = "document_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    # Shipped templates come from doc_templates/ (this project); the file name ties them together.
    shipped_file: Mapped[str | None] = mapped_column(String(100), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("template_versions.id", use_alter=True), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template", foreign_keys="TemplateVersion.template_id",
        order_by="TemplateVersion.number.desc()",
    )
    current_version: Mapped["TemplateVersion | None"] = relationship(foreign_keys=[current_version_id],
                                                                     post_update=True)

    @property
    def kind_label(self) -> str:
        from webapp.documents.kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind


class TemplateVersion(db.Model):
    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("document_templates.id"), index=True)
    number: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    placeholders: Mapped[str] = mapped_column(Text, default="")  # space-separated, sorted
    note: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[DocumentTemplate] = relationship(back_populates="versions", foreign_keys=[template_id])
    uploaded_by = relationship("User")

    @property
    def placeholder_set(self) -> set[str]:
        return set(self.placeholders.split())


class GeneratedDocument(db.Model):
    __tablename__ = "generated_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # What the document is about, e.g. "training_certificate:123", so a module can find its documents.
    source: Mapped[str | None] = mapped_column(String(100), index=True)
    storage_key: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200))
    record_count: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[TemplateVersion] = relationship()
    created_by = relationship("User")


class DocumentAsset(db.Model):
    """Pictures every document of the bureau uses, by name: "seal" is the bureau's seal (公章)."""

    __tablename__ = "document_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    storage_key: Mapped[str] = mapped_column(String(120))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
