"""Factory functions: the smallest valid record of each model, with overrides."""
from __future__ import annotations

import itertools

from tracer.auth import services
from tracer.auth.models import Agency, User
from tracer.extensions import db

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

KNOWN_AGENCIES = {
    "FGR": {"name": "Fiscalía General de la República", "level": "federal"},
    "SEDENA": {"name": "Secretaría de la Defensa Nacional", "level": "federal"},
    "FGE-SON": {"name": "Fiscalía General de Justicia del Estado de Sonora", "level": "state", "state_code": "26"},
    "FGE-JAL": {"name": "Fiscalía del Estado de Jalisco", "level": "state", "state_code": "14"},
    "FGE-CHIH": {"name": "Fiscalía General del Estado de Chihuahua", "level": "state", "state_code": "08"},
    "ATF-MX": {"name": "ATF Mexico City Country Office", "level": "us"},
}


def agency(acronym: str = "FGR", **fields) -> Agency:
    """The agency with this acronym, created on first use."""
    existing = services.agency_by_acronym(acronym)
    if existing is not None:
        return existing
    values = {"acronym": acronym, "contact_name": f"Contacto {acronym}", "contact_phone": "+52 55 0000 0000",
              **KNOWN_AGENCIES.get(acronym, {"name": f"Agency {acronym}", "level": "federal"}), **fields}
    return services.save_agency(values)


def user(role: str = "officer", agency: Agency | None = None, username: str | None = None,
         password: str = PASSWORD, **fields) -> User:
    agency = agency or globals()["agency"]("ATF-MX" if role == "liaison" else "FGR")
    username = username or f"{role}{next(_counter)}"
    values = {"username": username, "full_name": fields.pop("full_name", f"Usuario {username}"),
              "role": role, "agency": agency, "locale": fields.pop("locale", "es"),
              "must_change_password": False}
    created, _ = services.create_user(values, password)
    for name, value in fields.items():
        setattr(created, name, value)
    db.session.flush()
    return created


def case(agency: Agency | str | None = None, user: User | None = None, **fields):
    """A case opened through the service by ``user`` (by default a new officer of
    ``agency``, FGR unless named); other model fields (``status`` …) are set afterwards."""
    from tracer.cases import services as case_services

    if isinstance(agency, str) or agency is None:
        agency = globals()["agency"](agency or "FGR")
    user = user or globals()["user"]("officer", agency)
    values = {name: fields.pop(name) for name in list(fields) if name in case_services.EDITABLE_FIELDS}
    values.setdefault("title", f"Caso {next(_counter)}")
    created = case_services.create_case(user, values)
    for name, value in fields.items():
        setattr(created, name, value)
    db.session.flush()
    return created


def seizure(case=None, user: User | None = None, firearms: list[dict] | None = None, **values):
    """A seizure recorded through the service by ``user`` (an officer of the case's agency by
    default) in ``case`` (a new FGR case by default), with one pistol unless ``firearms`` is given."""
    from tracer.seizures.services import create_seizure

    case = case or globals()["case"]("FGR")
    user = user or globals()["user"]("officer", case.owner_agency)
    values = {"seized_on": "2025-03-14", "seized_time": "10:30", "state": "26", "municipality": "030",
              "locality": "Hermosillo", "latitude": "29.0729", "longitude": "-110.9559", **values}
    if firearms is None:
        firearms = [firearm_values()]
    created, _warnings = create_seizure(user, case, values, firearms)
    db.session.flush()
    return created


def firearm_values(**fields) -> dict:
    """The raw values of one firearm as a form or the API sends them."""
    return {"firearm_type": "pistol", "manufacturer": "Glock", "model": "17", "caliber": "9mm",
            "serial_number": f"ABC{next(_counter):05d}", "serial_status": "intact",
            "country_of_manufacture": "AT", "importer": "Glock Inc.", **fields}


def firearm(seizure_=None, **fields):
    """A firearm recorded in a new seizure (or in ``seizure_``'s case, as a seizure of its own)."""
    case = seizure_.case if seizure_ is not None else None
    return seizure(case, firearms=[firearm_values(**fields)]).firearms[0]


def png_bytes(size: tuple[int, int] = (8, 6), color: str = "red") -> bytes:
    """A small valid PNG image."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def photo(firearm_=None, user: User | None = None, data: bytes | None = None, name: str = "photo.png"):
    """A photo attached to ``firearm_`` through the upload service (the file is really stored)."""
    from werkzeug.datastructures import FileStorage
    import io

    from tracer.firearms import files

    firearm_ = firearm_ or firearm()
    user = user or globals()["user"]("officer", firearm_.case.owner_agency)
    checked = files.check_file(FileStorage(io.BytesIO(data or png_bytes()), filename=name), "photo")
    return files.store(checked, user=user, firearm=firearm_)


def trace_request(firearm_=None, addressed_to: Agency | str = "ATF-MX", requested_by: User | None = None,
                  **fields):
    """A submitted trace request for ``firearm_`` (a new firearm by default), addressed to a US office,
    written directly (the request services have their own tests); other fields set as given."""
    from datetime import datetime, timezone

    from tracer.core.numbering import next_number
    from tracer.tracing.models import TraceNumberCounter, TraceRequest

    firearm_ = firearm_ or firearm()
    if isinstance(addressed_to, str):
        addressed_to = agency(addressed_to)
    requested_by = requested_by or user("analyst", firearm_.case.owner_agency)
    seizure_ = firearm_.seizure
    values = {
        "trace_number": f"RT-2099-{next_number(TraceNumberCounter, 2099):06d}",
        "firearm_id": firearm_.id, "case_id": firearm_.case_id, "agency_id": firearm_.agency_id,
        "requesting_agency_id": requested_by.agency_id, "addressed_to_id": addressed_to.id,
        "requested_by_id": requested_by.id, "status": "submitted", "priority": "routine",
        "submitted_at": datetime.now(timezone.utc),
        "identifiers": {"firearm_type": firearm_.firearm_type, "manufacturer": firearm_.manufacturer_name,
                        "model": firearm_.model, "caliber": firearm_.caliber_name,
                        "serial_number": firearm_.serial_number, "importer": firearm_.importer,
                        "country_of_manufacture": firearm_.country_code,
                        "seized_on": seizure_.seized_on.isoformat(), "state": seizure_.state_code},
        "recovery_date": seizure_.seized_on, "recovery_state": seizure_.state_code,
        **fields,
    }
    created = TraceRequest(**values)
    db.session.add(created)
    db.session.flush()
    return created


def firearm_link(firearm_, other, match: str = "lookalike", score: float = 0.9, **fields):
    """A possible-same-firearm link from ``firearm_`` (the newer record) to ``other``. Recording
    a firearm may have linked the two already (their serials look alike): that link is given
    the values asked for."""
    from sqlalchemy import select

    from tracer.links.models import FirearmLink

    created = db.session.scalar(select(FirearmLink).where(FirearmLink.firearm_id == firearm_.id,
                                                          FirearmLink.other_firearm_id == other.id))
    if created is None:
        created = FirearmLink(firearm_id=firearm_.id, other_firearm_id=other.id)
        db.session.add(created)
    for name, value in {"match": match, "score": score, **fields}.items():
        setattr(created, name, value)
    db.session.flush()
    return created


def scene(case_, **fields):
    """A scene of a shooting in ``case_``, written directly (the scene services have their own tests)."""
    from datetime import date

    from tracer.ballistics.models import Scene

    created = Scene(case_id=case_.id, agency_id=case_.owner_agency_id, occurred_on=date(2025, 5, 1),
                    state_code="26", **fields)
    db.session.add(created)
    db.session.flush()
    return created


def ballistic_item(scene_, **fields):
    """A cartridge case found at ``scene_``, written directly (the item services have their own tests)."""
    from tracer.ballistics.models import BallisticItem

    created = BallisticItem(kind="cartridge_case", case_id=scene_.case_id, scene_id=scene_.id,
                            agency_id=scene_.agency_id, state_code=scene_.state_code, **fields)
    db.session.add(created)
    db.session.flush()
    return created


def person(case_, role: str = "possessor", actor: User | None = None, **fields):
    """A person recorded in ``case_`` through the service (by an analyst of the case's agency by default)."""
    from tracer.people.services import record_person

    actor = actor or user("analyst", case_.owner_agency)
    values = {"last_names": f"Apellido{next(_counter)}", "first_names": "Persona", **fields}
    return record_person(case_, role, values, actor).person
