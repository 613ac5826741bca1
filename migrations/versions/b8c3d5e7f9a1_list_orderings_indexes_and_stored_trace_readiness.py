"""indexes for the orderings lists walk, and stored trace readiness

Lists walk an index by keyset instead of counting and sorting their table (SPEC §7, §10):
the case list and the trace request lists (newest first, for everyone or an agency's
scope; a partner office's queue, oldest submitted first), the open links list (each kind
of match newest first) and the trace backlog (seizures by date, then each seizure's
firearms by id).

A firearm now stores whether it carries every identifier a trace needs
(``trace_ready``), written by the application whenever its identifiers are; the backlog
filters and counts by it. Rows already there are given the value of the readiness
rule's SQL form, copied below as it stands today.

Revision ID: b8c3d5e7f9a1
Revises: 9e4b7c2a5d13
Create Date: 2026-12-05 02:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b8c3d5e7f9a1'
down_revision = '9e4b7c2a5d13'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_cases_created_at_id", "cases", ["created_at", "id"]),
    ("ix_cases_owner_agency_created_at_id", "cases", ["owner_agency_id", "created_at", "id"]),
    ("ix_cases_owner_agency_status_created_at_id", "cases", ["owner_agency_id", "status", "created_at", "id"]),
    ("ix_trace_requests_created_at_id", "trace_requests", ["created_at", "id"]),
    ("ix_trace_requests_agency_created_at_id", "trace_requests", ["agency_id", "created_at", "id"]),
    ("ix_trace_requests_addressed_to_submitted_at_id", "trace_requests", ["addressed_to_id", "submitted_at", "id"]),
    ("ix_firearm_links_status_match_detected_at_id", "firearm_links", ["status", "match", "detected_at", "id"]),
    ("ix_seizures_seized_on_id", "seizures", ["seized_on", "id"]),
    ("ix_firearms_seizure_id_id", "firearms", ["seizure_id", "id"]),
    ("ix_firearms_trace_ready_agency_id", "firearms", ["trace_ready", "agency_id", "id"]),
)


def _blank(column: str) -> str:
    return f"coalesce(trim({column}), '') = ''"


# The readiness rule's SQL form (tracer.tracing.readiness.ready_clause) as this revision was written.
MISSING = " OR ".join((
    _blank("firearm_type"),
    f"(manufacturer_id IS NULL AND {_blank('manufacturer_text')})",
    _blank("model"),
    f"(caliber_id IS NULL AND {_blank('caliber_text')})",
    "(serial_status NOT IN ('intact', 'altered', 'restored', 'obliterated')"
    f" OR (serial_status IN ('intact', 'altered') AND {_blank('serial_normalized')})"
    f" OR (serial_status IN ('restored', 'obliterated') AND {_blank('restored_serial_normalized')}))",
    _blank("country_code"),
    f"(NOT {_blank('country_code')} AND country_code <> 'US' AND {_blank('importer')})",
))


def upgrade():
    op.add_column("firearms", sa.Column("trace_ready", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(f"UPDATE firearms SET trace_ready = NOT ({MISSING})")
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    # Not a batch rebuild: SQLite drops the column in place and firearms keeps its search triggers.
    op.drop_column("firearms", "trace_ready")
