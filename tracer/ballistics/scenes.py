"""Scenes of shootings: where and when, within a case, placed like a seizure."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy.orm import lazyload

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.ballistics.models import Scene
from tracer.cases.models import Case
from tracer.core.errors import Conflict, Forbidden, NotFound
from tracer.auth.scope import case_scope
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.validation import Checker
from tracer.extensions import db
from tracer.seizures.services import check_place

# Officers and analysts record and correct scenes of the cases in their scope.
SCENE_WRITERS = frozenset({"officer", "analyst"})
SCENE_READERS = frozenset({"officer", "analyst", "supervisor"})
SCENE_FIELDS = ("occurred_on", "occurred_time", "state", "municipality", "locality", "address", "latitude",
                "longitude", "coordinate_source", "crime_category", "notes")


def scene_query(user: User) -> Select:
    """``SELECT`` of the scenes ``user`` may see: those of cases in scope."""
    if user.role not in SCENE_READERS:
        return select(Scene).where(false())
    return select(Scene).where(case_scope(user, Scene.agency_id, Scene.case_id))


def get_scene(user: User, scene_id: int) -> Scene:
    scene = db.session.scalar(scene_query(user).where(Scene.id == scene_id))
    if scene is None:
        raise NotFound(_("Scene not found."))
    return scene


SCENE_CASE_NOT_JOINED = lazyload(Scene.case)


def case_scenes(case: Case) -> list[Scene]:
    """The scenes of ``case`` (already fetched through the scope), in the order they happened.
    Their case is ``case``, already in the session: not joined again with its agency and lead."""
    return list(db.session.scalars(select(Scene).where(Scene.case_id == case.id)
                                   .options(SCENE_CASE_NOT_JOINED).order_by(Scene.occurred_on, Scene.id)))


def ensure_scene_writer(user: User) -> None:
    if user.role not in SCENE_WRITERS or not user.active:
        raise Forbidden(_("Only officers and analysts record scenes."))


def check_scene(values: dict[str, Any]) -> tuple[dict[str, Any], Checker]:
    """Validate a scene's raw values: the date, and the place as a seizure's is checked."""
    check = Checker()
    clean: dict[str, Any] = {}
    clean["occurred_on"] = check.day("occurred_on", values.get("occurred_on"), required=True,
                                     not_after=local_today())
    clean["occurred_time"] = check.clock("occurred_time", values.get("occurred_time"))
    clean.update(check_place(check, values))
    clean["crime_category"] = check.text("crime_category", values.get("crime_category"), 80)
    clean["notes"] = check.text("notes", values.get("notes"), 4000, multiline=True)
    return clean, check


def editable_values(scene: Scene) -> dict[str, Any]:
    return {"occurred_on": scene.occurred_on.isoformat(),
            "occurred_time": scene.occurred_time.strftime("%H:%M") if scene.occurred_time else "",
            "state": scene.state_code, "municipality": scene.municipality_code or "",
            "locality": scene.locality or "", "address": scene.address or "",
            "latitude": "" if scene.latitude is None else str(scene.latitude),
            "longitude": "" if scene.longitude is None else str(scene.longitude),
            "coordinate_source": scene.coordinate_source or "", "crime_category": scene.crime_category or "",
            "notes": scene.notes or ""}


def create_scene(user: User, case: Case, values: dict[str, Any]) -> tuple[Scene, dict[str, list[str]]]:
    """Record a scene in ``case`` (already fetched through the scope). Returns the scene and
    the warnings to show (coordinates outside the stated state)."""
    ensure_scene_writer(user)
    clean, check = check_scene(values)
    check.raise_if_errors()
    scene = Scene(case_id=case.id, agency_id=case.owner_agency_id, created_by_id=user.id, **clean)
    db.session.add(scene)
    db.session.flush()
    record("scene.create", actor=user, object_type="scene", object_id=scene.id, case_id=case.id,
           details=_auditable(clean))
    return scene, check.warnings


def update_scene(user: User, scene: Scene, values: dict[str, Any], version: Any
                 ) -> tuple[Scene, dict[str, list[str]]]:
    """Correct a scene ``user`` can see; a stale ``version`` raises ``Conflict``; old and new
    values are audited."""
    ensure_scene_writer(user)
    if isinstance(version, bool) or not isinstance(version, int) or version != scene.version:
        raise Conflict(_("Someone else changed this scene while you were editing it. Review the values saved "
                         "now, then save again."), {"version": scene.version})
    clean, check = check_scene(values)
    check.raise_if_errors()
    old, new = {}, {}
    for name, value in clean.items():
        if getattr(scene, name) != value:
            old[name], new[name] = getattr(scene, name), value
            setattr(scene, name, value)
    if new:
        db.session.flush()
        record("scene.update", actor=user, object_type="scene", object_id=scene.id, case_id=scene.case_id,
               details={"old": _auditable(old), "new": _auditable(new)})
    return scene, check.warnings


def _auditable(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in values.items() if value is not None}
