"""What the case and firearm pages show of ballistics, as panels: ``render(obj)`` gives the
panel's HTML for the signed-in user, or None when there is nothing for them to see."""
from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import lazyload

from tracer.ballistics import scenes as scene_services
from tracer.ballistics import services
from tracer.ballistics.disclosure import link_sides
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.core.i18n import format_local_date
from tracer.core.panels import holds
from tracer.extensions import db
from tracer.seizures.maps import map_point, seizure_points
from tracer.seizures.models import Seizure


def _links_of(item_ids: list[int]) -> list[BallisticLink]:
    if not item_ids:
        return []
    return list(db.session.scalars(
        select(BallisticLink).where(or_(BallisticLink.item_a_id.in_(item_ids), BallisticLink.item_b_id.in_(item_ids)))
        .order_by(BallisticLink.status != "confirmed", BallisticLink.created_at, BallisticLink.id)))


# Options built once: their cache key is then found again, not built anew for every statement.
ITEM_CASE_NOT_JOINED = lazyload(BallisticItem.case)


def case_panel(case) -> Markup | None:
    """The case's scenes, its ballistic items, and their leads and hits (restricted beyond the reader's scope)."""
    user = current_user
    if user.role not in services.READERS:
        return None
    scenes = scene_services.case_scenes(case) if holds("case", case, "scenes") else []
    # The items' case is ``case``, already in the session: not joined again with its agency and lead.
    items = list(db.session.scalars(select(BallisticItem).where(BallisticItem.case_id == case.id)
                                    .options(ITEM_CASE_NOT_JOINED).order_by(BallisticItem.id))) \
        if holds("case", case, "ballistic_items") else []
    sides = link_sides(user, _links_of([item.id for item in items]), "case_page", {item.id for item in items})
    if sides.disclosed:
        db.session.commit()  # what was disclosed is audited and noticed
    points = [map_point("scene", scene.latitude, scene.longitude, format_local_date(scene.occurred_on), scene.locality)
              for scene in scenes if scene.latitude is not None and scene.longitude is not None]
    if points:  # a map of the scenes, with the seizures beside them
        points = seizure_points(db.session.scalars(
            select(Seizure).where(Seizure.case_id == case.id, Seizure.latitude.is_not(None))
            .order_by(Seizure.seized_on, Seizure.id))) + points
    # Safe for B704: an autoescaped template, rendered.
    return Markup(render_template(  # nosec B704
        "ballistics/_case_panel.html", case=case, scenes=scenes, items=items, sides=sides, points=points,
        tile_url=current_app.config.get("MAP_TILE_URL") or "",
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "",
        may_record_scene=user.role in scene_services.SCENE_WRITERS, may_record_item=user.role in services.EXAMINERS))


def firearm_panel(firearm) -> Markup | None:
    """The firearm's test fires and the scenes and cases their confirmed hits tie it to: in full within
    the reader's scope, as restricted entries beyond."""
    user = current_user
    if user.role not in services.READERS:
        return None
    # The panel shows no test fire's case: not joined with its agency and lead.
    test_fires = list(db.session.scalars(select(BallisticItem).where(BallisticItem.firearm_id == firearm.id)
                                         .options(ITEM_CASE_NOT_JOINED).order_by(BallisticItem.id))) \
        if holds("firearm", firearm, "ballistic_items") else []
    hits = [link for link in _links_of([item.id for item in test_fires]) if link.status == "confirmed"]
    sides = link_sides(user, hits, "firearm_page", {item.id for item in test_fires})
    if sides.disclosed:
        db.session.commit()
    tied = [side.other for side in sides if not side.restricted]
    scenes = {item.scene_id: item.scene for item in tied if item.scene is not None}
    places = sorted(scenes.values(), key=lambda scene: (scene.occurred_on, scene.id))
    cases = {item.case_id for item in tied}
    # Safe for B704: an autoescaped template, rendered.
    return Markup(render_template(  # nosec B704
        "ballistics/_firearm_panel.html", firearm=firearm, test_fires=test_fires, places=places,
        case_count=len(cases), restricted=[side for side in sides if side.restricted],
        may_record_item=user.role in services.EXAMINERS and firearm.case is not None))


def seizure_panel(seizure) -> Markup | None:
    """The ballistic items recovered in the seizure, and for examiners the way to record one."""
    user = current_user
    if user.role not in services.READERS:
        return None
    items = list(db.session.scalars(select(BallisticItem).where(BallisticItem.seizure_id == seizure.id)
                                    .order_by(BallisticItem.id))) \
        if holds("seizure", seizure, "ballistic_items") else []
    # Safe for B704: an autoescaped template, rendered.
    return Markup(render_template(  # nosec B704
        "ballistics/_seizure_panel.html", seizure=seizure, items=items,
        may_record_item=user.role in services.EXAMINERS))
