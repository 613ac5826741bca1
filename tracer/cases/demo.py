"""Demo cases in every status of the workflow (``flask seed-demo``), moved there by the workflow
itself: a supervisor's first look holds a review queue, a case returned with comments by
section and submitted again, approved and closed cases, a shared case, an assigned analyst
and notes. Found again by their carpeta numbers, so a second run changes nothing."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from sqlalchemy import func, select, update

from tracer.auth.services import user_by_username
from tracer.cases import assignments, notes, sharing, workflow
from tracer.cases.models import Case
from tracer.cases.services import create_case
from tracer.core.demo import add_demo_step
from tracer.core.models import utcnow
from tracer.extensions import db

PREFIX = "CI-REV"

# (key, title, the steps that bring it to its status, days it has waited for review)
STORIES = [
    ("01", "Denuncia anónima de armas en Agua Prieta", [], None),
    ("02", "Aseguramiento carretero en Santa Ana", ["start"], None),
    ("03", "Cateo en bodega de Cajeme", ["start", "submit"], 9),
    ("04", "Rifles AR-15 en doble fondo, garita Mariposa", ["start", "submit", "return", "resubmit"], 3),
    ("05", "Pistolas con matrícula limada en Guaymas", ["start", "submit", "return"], None),
    ("06", "Arsenal en rancho de Caborca", ["start", "submit", "approve"], None),
    ("07", "Tráfico hormiga por San Luis Río Colorado", ["start", "submit", "approve", "close"], None),
]

FINDINGS = ("Se aseguraron las armas descritas; los rastreos están solicitados y la cadena de custodia "
            "está completa.")
RETURN = ("Faltan datos para aprobar.", {
    "firearms": "El fusil AK-47 no tiene importador registrado: sin él no procede el rastreo.",
    "summary": "Precise la fecha y el lugar exactos del aseguramiento.",
})
RESUBMIT = "Se agregó el importador del fusil y se precisaron fecha y lugar en el resumen."


def _step(case: Case, step: str, officer, supervisor) -> None:
    if step == "start":
        workflow.transition(officer, case, "start")
    elif step == "submit":
        workflow.transition(officer, case, "submit", FINDINGS)
    elif step == "return":
        workflow.transition(supervisor, case, "return", RETURN[0], RETURN[1])
    elif step == "resubmit":
        workflow.transition(officer, case, "submit", RESUBMIT)
    elif step == "approve":
        workflow.transition(supervisor, case, "approve", "Expediente completo.")
    elif step == "close":
        workflow.transition(supervisor, case, "close", "Carpeta judicializada; armas puestas a disposición del juez.")


def seed_review_cases(_firearms: int, _seed: int) -> None:
    """Create what is missing of the demo review cases of FGE-SON."""
    officer, supervisor = user_by_username("agente.son"), user_by_username("supervisor.son")
    analyst, partner = user_by_username("analista.son"), user_by_username("supervisora.jal")
    if officer is None or supervisor is None:
        return
    for key, title, steps, waited in STORIES:
        carpeta = f"{PREFIX}/FGE-SON/{key}"
        if db.session.scalar(select(Case.id).where(Case.carpeta_number == carpeta)) is not None:
            continue
        case = create_case(officer, {"title": title, "carpeta_number": carpeta, "lead_officer_id": officer.id,
                                     "summary": "Aseguramiento registrado por la Fiscalía de Sonora."})
        for step in steps:
            _step(case, step, officer, supervisor)
        if waited:
            db.session.execute(update(Case).where(Case.id == case.id)
                               .values(submitted_at=utcnow() - timedelta(days=waited))
                               .execution_options(synchronize_session=False))
        if key == "04":
            notes.add_note(officer, case, "Se solicitó al importador su registro de ventas.")
            if analyst is not None:
                assignments.assign(officer, case, analyst.id)
            if partner is not None:
                sharing.share_case(officer, case, partner.agency_id)
    db.session.commit()
    statuses = db.session.execute(select(Case.status, func.count()).where(Case.carpeta_number.like(f"{PREFIX}/%"))
                                  .group_by(Case.status).order_by(Case.status)).all()
    click.echo("Review demo: " + ", ".join(f"{count} {status}" for status, count in statuses))


def register(app: Flask) -> None:
    add_demo_step(app, seed_review_cases, order=47)
