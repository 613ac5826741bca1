"""a fresh install holds the shipped makers, calibers and their aliases

The lists in tracer/firearms/data/*.json are written into the database here, so
that a database fresh from `db upgrade` recognises a Glock or a 9mm without any
further step. Only what is missing is added, exactly as `flask reference load`
would add it (that command stays, to bring the lists up to date later): a
maker or caliber already there under its name or one of its aliases is left
as it is, and an alias key already naming a row stays with that row.

The tables are described here as they stand at this revision (no ORM models),
and the data and the name folding come from tracer.firearms.reference_keys,
which holds no models either.

Downgrade keeps the rows: they are data that administrators extend and that
recorded firearms refer to, and upgrading again adds only what is missing.

Revision ID: 5d2e8f1a9b63
Revises: 3c4e5d6f7a81
Create Date: 2026-12-05 01:45:00

"""
from alembic import op
import sqlalchemy as sa

from tracer.firearms.reference_keys import fold_key, shipped


revision = '5d2e8f1a9b63'
down_revision = '3c4e5d6f7a81'
branch_labels = None
depends_on = None

manufacturers = sa.table('manufacturers', sa.column('id', sa.Integer), sa.column('name', sa.String),
                         sa.column('country_code', sa.String), sa.column('serial_patterns', sa.JSON),
                         sa.column('active', sa.Boolean))
manufacturer_aliases = sa.table('manufacturer_aliases', sa.column('manufacturer_id', sa.Integer),
                                sa.column('alias', sa.String), sa.column('key', sa.String))
calibers = sa.table('calibers', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('firearm_types', sa.JSON), sa.column('active', sa.Boolean))
caliber_aliases = sa.table('caliber_aliases', sa.column('caliber_id', sa.Integer),
                           sa.column('alias', sa.String), sa.column('key', sa.String))


def _maker(entry):
    return {'name': entry['name'], 'country_code': entry.get('country'),
            'serial_patterns': entry.get('serial_patterns'), 'active': True}


def _caliber(entry):
    return {'name': entry['name'], 'firearm_types': list(entry['firearm_types']), 'active': True}


def _add_missing(connection, owners, aliases, owner_column, entries, values):
    """Insert the entries (and then their aliases) the database does not hold yet."""
    by_name = {name.casefold(): id_ for id_, name in connection.execute(sa.select(owners.c.id, owners.c.name))}
    keys = dict(connection.execute(sa.select(aliases.c.key, aliases.c[owner_column])).all())
    owned = []
    for entry in entries:
        owner = by_name.get(entry['name'].casefold())
        if owner is None:
            owner = keys.get(fold_key(entry['name']))
        if owner is None:
            owner = connection.execute(sa.insert(owners).values(values(entry)).returning(owners.c.id)).scalar_one()
            by_name[entry['name'].casefold()] = owner
        owned.append((owner, entry))
    rows = []
    for owner, entry in owned:
        for text in (entry['name'], *entry.get('aliases', ())):
            key = fold_key(text)
            if key and key not in keys:
                keys[key] = owner
                rows.append({owner_column: owner, 'alias': text, 'key': key})
    if rows:
        connection.execute(sa.insert(aliases), rows)


def upgrade():
    connection = op.get_bind()
    _add_missing(connection, manufacturers, manufacturer_aliases, 'manufacturer_id',
                 shipped('manufacturers'), _maker)
    _add_missing(connection, calibers, caliber_aliases, 'caliber_id', shipped('calibers'), _caliber)


def downgrade():
    # Irreversible for data, on purpose: see the note at the top.
    pass
