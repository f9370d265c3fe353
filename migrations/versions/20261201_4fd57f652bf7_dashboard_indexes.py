"""dashboard indexes: the figures of a period read indexes only

The dashboard (issue 9) counts five years of drills, events, trainees, quiz attempts and plans
in under 300 ms: each table's figures index holds the date it is filtered by and every column
counted or grouped, so no row is read. Three narrower indexes they replace were their prefixes.

Revision ID: 4fd57f652bf7
Revises: 5e25271cea90
Create Date: 2026-12-01 08:31:22.430745

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '4fd57f652bf7'
down_revision = '5e25271cea90'
branch_labels = None
depends_on = None

DRILLS = ['status', 'held_on', 'town_id', 'industry', 'organization_id', 'form_org', 'form_content', 'participants',
          'participant_units']
EVENTS = ['held_on', 'venue_type_id', 'town_id', 'place_id', 'audience', 'households', 'materials_total']


def upgrade():
    op.drop_index('ix_drills_status_held', table_name='drills')
    op.create_index('ix_drills_held_figures', 'drills', DRILLS)
    op.drop_index('ix_outreach_events_held_type', table_name='outreach_events')
    op.create_index('ix_outreach_events_held_figures', 'outreach_events', EVENTS)
    op.drop_index('ix_training_certificates_issued_on', table_name='training_certificates')
    op.create_index('ix_training_certificates_issued', 'training_certificates', ['issued_on', 'post', 'person_id'])
    op.create_index('ix_training_enrollments_figures', 'training_enrollments',
                    ['session_id', 'status', 'person_id', 'exam_score', 'exam_passed'])
    op.create_index('ix_quiz_attempts_submitted', 'quiz_attempts', ['status', 'quiz_id', 'submitted_at', 'town_id'])
    op.create_index('ix_plans_issued_on', 'plans', ['issued_on'])
    op.create_index('ix_plans_filed_on', 'plans', ['filed_on'])
    op.create_index('ix_plan_status_changes_to', 'plan_status_changes',
                    ['to_status', 'created_at', 'from_status', 'plan_id'])


def downgrade():
    op.drop_index('ix_plan_status_changes_to', table_name='plan_status_changes')
    op.drop_index('ix_plans_filed_on', table_name='plans')
    op.drop_index('ix_plans_issued_on', table_name='plans')
    op.drop_index('ix_quiz_attempts_submitted', table_name='quiz_attempts')
    op.drop_index('ix_training_enrollments_figures', table_name='training_enrollments')
    op.drop_index('ix_training_certificates_issued', table_name='training_certificates')
    op.create_index('ix_training_certificates_issued_on', 'training_certificates', ['issued_on'])
    op.drop_index('ix_outreach_events_held_figures', table_name='outreach_events')
    op.create_index('ix_outreach_events_held_type', 'outreach_events', ['held_on', 'venue_type_id'])
    op.drop_index('ix_drills_held_figures', table_name='drills')
    op.create_index('ix_drills_status_held', 'drills', ['status', 'held_on'])
