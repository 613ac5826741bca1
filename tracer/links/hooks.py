"""What the links room adds to the rooms below it, at start-up: the links panel of a firearm
page, and a look for possible same firearms whenever a firearm's identity is saved, a seizure
is recorded or a batch of an import is written."""
from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import exists, or_

from tracer.core.panels import add_contents, add_panel
from tracer.firearms.signals import firearm_identity_saved
from tracer.links.bulk import detect_links_bulk
from tracer.links.detect import detect_links
from tracer.links.home import links_work
from tracer.links.models import FirearmLink
from tracer.links.notices import detect_and_notify, hidden_link_matches, import_notices
from tracer.links.views import link_panel
from tracer.seizures.signals import seizure_batch_written, seizure_import_written, seizure_recorded


def _identity_saved(firearm, actor=None) -> None:
    # A corrected identity may now match another record: look again, as for a new firearm.
    detect_links(firearm, actor=actor)


def _seizure_recorded(user, firearms) -> dict[str, list[str]]:
    # A firearm recorded before, perhaps in another agency's case: the officer is told now.
    return detect_and_notify(user, firearms)


def _batch_written(actor, firearm_ids: list[int], events: list) -> tuple[int, list[Any]]:
    # Recoveries of firearms recorded before, in any agency's case: one set-based pass per batch.
    links = detect_links_bulk(firearm_ids, events, near=True)
    return links, (hidden_link_matches(actor, firearm_ids) if actor is not None else [])


def _import_written(actor, hidden: list[Any]) -> tuple[list[str], str | None]:
    return import_notices(actor, hidden)


def init_app(app: Flask) -> None:
    add_panel(app, "home", links_work, order=30)
    add_panel(app, "firearm", link_panel, order=30)
    add_contents(app, "firearm", "links", lambda firearm_id: or_(
        exists().where(FirearmLink.firearm_id == firearm_id), exists().where(FirearmLink.other_firearm_id == firearm_id)))
    firearm_identity_saved.connect(_identity_saved)
    seizure_recorded.connect(_seizure_recorded)
    seizure_batch_written.connect(_batch_written)
    seizure_import_written.connect(_import_written)
