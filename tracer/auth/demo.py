"""Demo agencies and accounts for ``flask seed-demo``.

The agencies are real Mexican and US institutions that take part in firearm
tracing; the people are invented. Running it twice changes nothing.
"""
from __future__ import annotations

from tracer.auth import services
from tracer.auth.models import User
from tracer.extensions import db

DEMO_PASSWORD = "Demo-Tracer-2026!"

AGENCIES = [
    {"acronym": "FGR", "ori_number": "MX0090100", "name": "Fiscalía General de la República", "level": "federal",
     "contact_name": "Unidad de Análisis de Armas", "contact_phone": "+52 55 5346 0000",
     "contact_email": "armas@fgr.example.gob.mx"},
    {"acronym": "SEDENA", "ori_number": "MX0090200", "name": "Secretaría de la Defensa Nacional", "level": "federal",
     "contact_name": "Registro Federal de Armas de Fuego", "contact_phone": "+52 55 2122 8800",
     "contact_email": "rfafce@sedena.example.gob.mx"},
    {"acronym": "GN", "ori_number": "MX0090300", "name": "Guardia Nacional", "level": "federal",
     "contact_name": "Coordinación de Inteligencia", "contact_phone": "+52 55 1103 6000",
     "contact_email": "inteligencia@gn.example.gob.mx"},
    {"acronym": "FGE-SON", "ori_number": "MX0260100", "name": "Fiscalía General de Justicia del Estado de Sonora", "level": "state",
     "state_code": "26", "contact_name": "Servicios Periciales", "contact_phone": "+52 662 259 4800",
     "contact_email": "periciales@fge-son.example.gob.mx"},
    {"acronym": "FGE-JAL", "ori_number": "MX0140100", "name": "Fiscalía del Estado de Jalisco", "level": "state",
     "state_code": "14", "contact_name": "Unidad de Balística", "contact_phone": "+52 33 3837 6000",
     "contact_email": "balistica@fge-jal.example.gob.mx"},
    {"acronym": "FGE-CHIH", "ori_number": "MX0080100", "name": "Fiscalía General del Estado de Chihuahua", "level": "state",
     "state_code": "08", "contact_name": "Unidad de Armas", "contact_phone": "+52 614 429 3300",
     "contact_email": "armas@fge-chih.example.gob.mx"},
    {"acronym": "ATF-MX", "ori_number": "DCATF1400", "name": "ATF Mexico City Country Office", "level": "us",
     "contact_name": "Firearms Trace Liaison", "contact_phone": "+52 55 5080 2000",
     "contact_email": "mexico.liaison@atf.example.gov"},
]

USERS = [
    ("admin", "Administración del Sistema", "admin", "FGR"),
    ("agente.fgr", "Laura Méndez Ortega", "officer", "FGR"),
    ("analista.fgr", "Jorge Ramírez Salas", "analyst", "FGR"),
    ("supervisora.fgr", "Patricia Núñez Valdez", "supervisor", "FGR"),
    ("agente.sedena", "Cap. Ernesto Ibarra Ruiz", "officer", "SEDENA"),
    ("agente.gn", "Sofía Cárdenas Lugo", "officer", "GN"),
    ("agente.son", "Ramón Esquer Valenzuela", "officer", "FGE-SON"),
    ("analista.son", "Mariana Duarte Félix", "analyst", "FGE-SON"),
    ("supervisor.son", "Héctor Moreno Ochoa", "supervisor", "FGE-SON"),
    ("agente.jal", "Daniela Orozco Gutiérrez", "officer", "FGE-JAL"),
    ("analista.jal", "Luis Arturo Pérez Robles", "analyst", "FGE-JAL"),
    ("supervisora.jal", "Gabriela Sánchez Íñiguez", "supervisor", "FGE-JAL"),
    ("agente.chih", "Alejandro Holguín Terrazas", "officer", "FGE-CHIH"),
    ("analista.chih", "Verónica Chávez Loya", "analyst", "FGE-CHIH"),
    ("enlace.atf", "Michael Torres", "liaison", "ATF-MX"),
    ("auditora.fgr", "Claudia Bermúdez Aranda", "auditor", "FGR"),
    ("auditor.son", "Francisco Leyva Quiroz", "auditor", "FGE-SON"),
]


def seed_accounts() -> list[User]:
    """Create what is missing of the demo agencies and users; return the demo users."""
    agencies = {}
    for values in AGENCIES:
        agency = services.agency_by_acronym(values["acronym"])
        agencies[values["acronym"]] = agency or services.save_agency(values)
    users = []
    for username, full_name, role, acronym in USERS:
        user = services.user_by_username(username)
        if user is None:
            user, _ = services.create_user(
                {"username": username, "full_name": full_name, "role": role, "agency": agencies[acronym],
                 "locale": "es", "must_change_password": False},
                DEMO_PASSWORD,
            )
        users.append(user)
    db.session.flush()
    return users
