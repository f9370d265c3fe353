"""outreach places named: the events' figures index holds place_name

Places reached now count named places (公共场所 by name) beside registry places, so the figures
of a period still read the index alone.

Revision ID: 2b27d14f69b7
Revises: 4fd57f652bf7
Create Date: 2026-12-01 11:15:29.827103

"""
from alembic import op

revision = "2b27d14f69b7"
down_revision = "4fd57f652bf7"
branch_labels = None
depends_on = None

COLUMNS = ["held_on", "venue_type_id", "town_id", "place_id", "audience", "households", "materials_total"]


def upgrade():
    with op.batch_alter_table("outreach_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outreach_events_held_figures")
        batch_op.create_index("ix_outreach_events_held_figures", [*COLUMNS, "place_name"], unique=False)


def downgrade():
    with op.batch_alter_table("outreach_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outreach_events_held_figures")
        batch_op.create_index("ix_outreach_events_held_figures", COLUMNS, unique=False)
