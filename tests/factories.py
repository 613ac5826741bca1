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
