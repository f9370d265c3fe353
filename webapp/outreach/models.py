"""Safety publicity "five-into" (安全宣传"五进"): venue types, campaigns with their targets, and
the events held, with their materials and photos.

Venue types are data (DOMAIN.md §6: the five of 2020, the 七进 of 2017 add 机关 and 公共场所, regions
add their own); each says which kinds of registry organization are its places, and whether it is
counted in households (进家庭: households visited in a village or community). Coverage counts
distinct places reached, so an event points at the registry place itself; its town is copied from
the place when saved, so coverage and figures by town are one GROUP BY.
"""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.common.time import utcnow
from webapp.extensions import db


class VenueType(db.Model):
    __tablename__ = "outreach_venue_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(24), unique=True)  # enterprise, village, community, …
    label: Mapped[str] = mapped_column(String(16))  # 进企业
    place_label: Mapped[str] = mapped_column(String(16))  # 企业: what a place of this type is called
    # Registry organization kinds that are places of this type ([] = places are named, not registered).
    org_kinds: Mapped[list] = mapped_column(JSON, default=list)
    households: Mapped[bool] = mapped_column(default=False)  # counted in households visited
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Campaign(db.Model):
    __tablename__ = "outreach_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    theme: Mapped[str] = mapped_column(String(200), default="")  # e.g. 人人讲安全、个个会应急
    moment: Mapped[str] = mapped_column(String(32), default="")  # 安全生产月 / 防灾减灾日 / … / 常态化
    starts_on: Mapped[date] = mapped_column(index=True)
    ends_on: Mapped[date] = mapped_column(index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    targets: Mapped[list["CampaignTarget"]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                                           order_by="CampaignTarget.id")


class CampaignTarget(db.Model):
    """How many distinct places of a venue type (households for 进家庭) the campaign should reach,
    county-wide (town_id None) or in one town."""

    __tablename__ = "outreach_campaign_targets"
    __table_args__ = (UniqueConstraint("campaign_id", "venue_type_id", "town_id", name="uq_outreach_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("outreach_campaigns.id", ondelete="CASCADE"), index=True)
    venue_type_id: Mapped[int] = mapped_column(ForeignKey("outreach_venue_types.id"))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    target: Mapped[int]

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
    venue_type = relationship("VenueType")
    town = relationship("Organization")


# Activity forms (DOMAIN.md §6). A 知识竞赛 may link a competition of the quiz module.
ACTIVITY_FORMS = ("讲座", "展板", "发放资料", "现场演示/演练", "咨询台", "线上推送", "知识竞赛")
# Kinds of materials handed out; a region may add its own (config OUTREACH_MATERIAL_KINDS).
MATERIAL_KINDS = ("宣传册", "宣传单", "海报", "宣传品（扇子、环保袋等）", "应急包", "其他")


class Event(db.Model):
    __tablename__ = "outreach_events"
    # Figures read the events of a period: this index holds every column they count or group by
    # (the dashboard, the figures page, coverage), so they never read the event rows themselves.
    __table_args__ = (Index("ix_outreach_events_held_figures", "held_on", "venue_type_id", "town_id", "place_id",
                            "audience", "households", "materials_total", "place_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_campaigns.id"), index=True)
    venue_type_id: Mapped[int] = mapped_column(ForeignKey("outreach_venue_types.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)  # the registry place
    place_name: Mapped[str] = mapped_column(String(200), default="")  # for types without registry places
    town_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    organizer_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    partners: Mapped[str] = mapped_column(Text, default="")  # partner units, one per line
    forms: Mapped[list] = mapped_column(JSON, default=list)  # activity forms (ACTIVITY_FORMS)
    quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quizzes.id"))
    audience: Mapped[int] = mapped_column(default=0)  # people reached
    households: Mapped[int] = mapped_column(default=0)  # households visited (进家庭)
    materials_total: Mapped[int] = mapped_column(default=0)  # sum of the materials rows, kept with them
    note: Mapped[str] = mapped_column(Text, default="")
    # A phone's retry of the same submission carries the same token: it finds the saved event
    # instead of recording it twice.
    client_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    campaign = relationship("Campaign")
    venue_type = relationship("VenueType")
    place = relationship("Organization", foreign_keys=[place_id])
    town = relationship("Organization", foreign_keys=[town_id])
    organizer = relationship("Organization", foreign_keys=[organizer_id])
    quiz = relationship("Quiz")
    materials: Mapped[list["EventMaterial"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                            order_by="EventMaterial.id")
    photos: Mapped[list["EventPhoto"]] = relationship(back_populates="event", cascade="all, delete-orphan",
                                                      order_by="EventPhoto.id")

    @property
    def place_title(self) -> str:
        return self.place.name if self.place is not None else self.place_name


class EventMaterial(db.Model):
    __tablename__ = "outreach_event_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[int]

    event: Mapped[Event] = relationship(back_populates="materials")


class EventPhoto(db.Model):
    __tablename__ = "outreach_event_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_events.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    thumb_key: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    caption: Mapped[str] = mapped_column(String(100), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="photos")
