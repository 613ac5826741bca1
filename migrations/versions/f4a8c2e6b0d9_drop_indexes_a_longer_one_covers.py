"""drop the seizure-date and firearm-seizure indexes that a longer index already covers

``ix_seizures_seized_on`` (seized_on) and ``ix_firearms_seizure_id`` (seizure_id) lead
``ix_seizures_seized_on_id`` (seized_on, id) and ``ix_firearms_seizure_id_id``
(seizure_id, id): every lookup either answers is answered by the longer one. Each was
one more index to write for every seizure and firearm recorded, thousands a second in
an import.

Revision ID: f4a8c2e6b0d9
Revises: e3b7c1d9f5a2
Create Date: 2026-12-06 05:20:00

"""
from alembic import op


revision = 'f4a8c2e6b0d9'
down_revision = 'e3b7c1d9f5a2'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_seizures_seized_on", table_name="seizures")
    op.drop_index("ix_firearms_seizure_id", table_name="firearms")


def downgrade():
    op.create_index("ix_firearms_seizure_id", "firearms", ["seizure_id"])
    op.create_index("ix_seizures_seized_on", "seizures", ["seized_on"])
