"""case workflow: review rounds and comments, notes, assignments, shares, case documents

Cases move through the review workflow (``submitted_at`` orders the review queue);
each review round keeps the findings submitted and the supervisor's decision, with
comments on sections of the case; notes, analysts assigned, agencies the case is
shared with, documents attached to the case itself; and an index for a case's
timeline in the audit trail.

Revision ID: 9da8bb89f0a4
Revises: 7a289b1e90a5
Create Date: 2026-12-06 01:09:14.272605

"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa


revision = '9da8bb89f0a4'
down_revision = '7a289b1e90a5'
branch_labels = None
depends_on = None


@contextmanager
def _rebuilding_tables():
    """On SQLite: foreign keys unchecked while batch mode copies and replaces tables that other
    rows refer to (cases, attachments), then every reference checked. Elsewhere, nothing to do.

    SQLite only honours ``PRAGMA foreign_keys`` outside a transaction, so the transaction of
    this revision is ended and begun again around the change."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    raw = bind.connection.dbapi_connection

    def between_transactions(end: str, pragma: str) -> None:
        if raw.in_transaction:
            raw.execute(end)
        raw.execute(pragma)
        raw.execute("BEGIN")

    between_transactions("COMMIT", "PRAGMA foreign_keys=OFF")
    try:
        dangling = _dangling(bind)
        yield
        broken = _dangling(bind) - dangling
        if broken:
            raise RuntimeError(f"rows refer to missing ones after rebuilding the tables: {sorted(broken)[:5]}")
    except BaseException:
        between_transactions("ROLLBACK", "PRAGMA foreign_keys=ON")
        raise
    between_transactions("COMMIT", "PRAGMA foreign_keys=ON")


def _dangling(bind) -> set[tuple]:
    return {tuple(found[:3]) for found in bind.execute(sa.text("PRAGMA foreign_key_check"))}


def upgrade():
    op.create_table('case_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('analyst_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['analyst_id'], ['users.id'], name=op.f('fk_case_assignments_analyst_id_users')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_case_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_assignments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignments')),
    sa.UniqueConstraint('case_id', 'analyst_id', name='uq_case_assignments_case_analyst')
    )
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_case_assignments_analyst_id_id', ['analyst_id', 'id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index('ix_case_notes_case_id_id', ['case_id', 'id'], unique=False)

    op.create_table('case_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'returned', name='case_review_decision', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_reviews_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_reviews_decided_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_case_reviews_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reviews')),
    sa.UniqueConstraint('case_id', 'round', name='uq_case_reviews_case_round')
    )
    op.create_table('case_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_case_shares_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_shares_case_id_cases')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_case_shares_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['shared_by_id'], ['users.id'], name=op.f('fk_case_shares_shared_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_shares'))
    )
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.create_index('ix_case_shares_agency_id_case_id', ['agency_id', 'case_id'], unique=False)
        batch_op.create_index('ix_case_shares_case_id', ['case_id'], unique=False)

    op.create_table('case_review_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.Enum('summary', 'seizures', 'firearms', 'traces', 'ballistics', 'people', 'links', 'notes', name='case_review_section', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['case_reviews.id'], name=op.f('fk_case_review_comments_review_id_case_reviews')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_review_comments'))
    )
    with op.batch_alter_table('case_review_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_review_comments_review_id'), ['review_id'], unique=False)

    with _rebuilding_tables():
        with op.batch_alter_table('attachments', schema=None) as batch_op:
            batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f('ix_attachments_case_id'), ['case_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f('fk_attachments_case_id_cases'), 'cases', ['case_id'], ['id'])

        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.create_index('ix_cases_status_submitted_at_id', ['status', 'submitted_at', 'id'],
                                  unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_case_id_id', ['case_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_case_id_id')

    with _rebuilding_tables():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.drop_index('ix_cases_status_submitted_at_id')
            batch_op.drop_column('submitted_at')

        with op.batch_alter_table('attachments', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('fk_attachments_case_id_cases'), type_='foreignkey')
            batch_op.drop_index(batch_op.f('ix_attachments_case_id'))
            batch_op.drop_column('case_id')

    with op.batch_alter_table('case_review_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_review_comments_review_id'))

    op.drop_table('case_review_comments')
    with op.batch_alter_table('case_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_case_shares_case_id')
        batch_op.drop_index('ix_case_shares_agency_id_case_id')

    op.drop_table('case_shares')
    op.drop_table('case_reviews')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index('ix_case_notes_case_id_id')

    op.drop_table('case_notes')
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_case_assignments_analyst_id_id')

    op.drop_table('case_assignments')
