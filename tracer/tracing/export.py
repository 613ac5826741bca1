"""Trace requests laid out like ATF Form 3312.1 (Solicitud de Rastreo): CSV rows and printable values.

Values come from the identifiers snapshot — what was sent — shown in the
reader's language, the readiness notes (suspect identifiers) too: the
readiness service wrote them, in each language, when the request was sent.
Cells that a spreadsheet would run as a formula are neutralised.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Iterable, Iterator

from flask_babel import get_locale
from sqlalchemy import select

from tracer.core.csv_files import BOM_TEXT, neutralise
from tracer.core.i18n import format_local_date, format_local_datetime
from tracer.core.translation import lazy_gettext as _l
from tracer.firearms.labels import FIREARM_TYPE_LABELS, SERIAL_STATUS_LABELS
from tracer.geo.catalog import municipality_name, state_name
from tracer.geo.countries import country_name
from tracer.tracing.crime_codes import CRIME_CATEGORY_LABELS, ncic_label
from tracer.tracing.labels import TRACE_PRIORITY_LABELS, TRACE_REASON_LABELS, TRACE_STATUS_LABELS
from tracer.tracing.models import TraceRequest
from tracer.audit.services import record
from tracer.extensions import db
from tracer.people.access import PERSONAL_DATA_ROLES, READ_ACTION, may_read_personal_data
from tracer.people.models import CasePerson
from tracer.people.labels import ID_KIND_LABELS, ROLE_LABELS, SEX_LABELS
from tracer.tracing.personal_data import liaison_rule, shown_purchaser
from tracer.tracing.purchaser import purchaser_row
from tracer.tracing.readiness import trace_readiness
from tracer.tracing.request_people import ROLES as REQUEST_ROLES, request_people

# (key, header) in the order of the form: the request, the firearm, the recovery.
COLUMNS = (
    ("trace_number", _l("Trace number")),
    ("status", _l("Status")),
    ("priority", _l("Priority")),
    ("submitted_on", _l("Submitted on")),
    ("urgent_justification", _l("Why it is urgent")),
    ("requesting_agency", _l("Requesting agency")),
    ("ori_number", _l("ORI")),
    ("agency_case_number", _l("Agency case number")),
    ("requested_by", _l("Requested by")),
    ("requester_badge", _l("Badge or employee number")),
    ("requester_phone", _l("Requester's telephone")),
    ("requester_email", _l("Requester's e-mail")),
    ("addressed_to", _l("Sent to")),
    ("crime_category", _l("Crime")),
    ("ncic_code", _l("NCIC crime code")),
    ("project_code", _l("Project code")),
    ("trace_reason", _l("Reason for the trace")),
    ("firearm_type", _l("Type")),
    ("manufacturer", _l("Manufacturer")),
    ("model", _l("Model")),
    ("caliber", _l("Caliber")),
    ("serial_number", _l("Serial number")),
    ("serial_status", _l("Serial number status")),
    ("restored_serial", _l("Restored serial number")),
    ("importer", _l("Importer")),
    ("country_of_manufacture", _l("Country of manufacture")),
    ("recovery_date", _l("Recovery date")),
    ("recovery_address", _l("Recovery address")),
    ("seized_on", _l("Seizure date")),
    ("seizure_state", _l("Seizure state")),
    ("seizure_municipality", _l("Municipality")),
    ("seizure_locality", _l("Locality")),
    ("case_reference", _l("Case")),
    ("readiness_notes", _l("Readiness notes")),
)
# Personal data, filled only for exporters who may see it (``ExportedPeople``).
PEOPLE_COLUMNS = (
    ("possessor_associates", _l("Possessor and associates")),
    ("purchaser", _l("First retail purchaser")),
)


def _readiness_notes(trace: TraceRequest, locale: str) -> str:
    """A draft's notes are those of the firearm now (what would be sent); a sent request's are
    those kept with its identifiers: the firearm may have changed since, and the US office that
    reads them may not see it."""
    if trace.status == "draft":
        return trace_readiness(trace.firearm).notes()
    kept = (trace.identifiers or {}).get("readiness_notes")
    if not isinstance(kept, dict):
        return ""
    return kept.get(locale) or next(iter(kept.values()), "")


def _reason(trace: TraceRequest) -> str:
    label = str(TRACE_REASON_LABELS.get(trace.trace_reason, trace.trace_reason or ""))
    return ": ".join(part for part in (label, trace.trace_reason_text or "") if part)


def request_values(trace: TraceRequest) -> dict[str, str]:
    """One request as shown on the printable page and in the CSV, in the reader's language."""
    sent = trace.identifiers or {}
    locale = str(get_locale() or "es")
    state = sent.get("state")
    requester = trace.requested_by
    return {
        "trace_number": trace.trace_number,
        "status": str(TRACE_STATUS_LABELS.get(trace.status, trace.status)),
        "priority": str(TRACE_PRIORITY_LABELS.get(trace.priority, trace.priority)),
        "submitted_on": format_local_datetime(trace.submitted_at),
        "urgent_justification": trace.urgent_justification or "",
        "requesting_agency": trace.requesting_agency.acronym,
        "ori_number": trace.requesting_agency.ori_number or "",
        "agency_case_number": trace.agency_case_number or "",
        "requested_by": trace.requester_name or (requester.full_name if requester else ""),
        "requester_badge": trace.requester_badge or "",
        "requester_phone": trace.requester_phone or "",
        "requester_email": trace.requester_email or "",
        "addressed_to": trace.addressed_to.acronym,
        "crime_category": str(CRIME_CATEGORY_LABELS.get(trace.crime_category, trace.crime_category or "")),
        "ncic_code": ncic_label(trace.ncic_code, locale),
        "project_code": trace.project_code or "",
        "trace_reason": _reason(trace),
        "recovery_date": format_local_date(trace.recovery_date),
        "recovery_address": trace.recovery_address or "",
        "firearm_type": str(FIREARM_TYPE_LABELS.get(sent.get("firearm_type"), sent.get("firearm_type") or "")),
        "manufacturer": sent.get("manufacturer") or "",
        "model": sent.get("model") or "",
        "caliber": sent.get("caliber") or "",
        "serial_number": sent.get("serial_number") or "",
        "serial_status": str(SERIAL_STATUS_LABELS.get(sent.get("serial_status"), sent.get("serial_status") or "")),
        "restored_serial": sent.get("restored_serial") or "",
        "importer": sent.get("importer") or "",
        "country_of_manufacture": country_name(sent.get("country_of_manufacture"), locale),
        "seized_on": format_local_date(sent.get("seized_on")),
        "seizure_state": state_name(state) or (state or ""),
        "seizure_municipality": municipality_name(state, sent.get("municipality")) or (sent.get("municipality") or ""),
        "seizure_locality": sent.get("locality") or "",
        "case_reference": sent.get("case_reference") or "",
        "readiness_notes": _readiness_notes(trace, locale),
    }


@dataclass
class PrintedPeople:
    """Section 6 of the printed form (possessor and associates) and the result's purchaser, as the
    reader may see them: rows of (role label, text), or how many are recorded when restricted."""

    rows: list[tuple[str, str]]
    count: int
    restricted: bool
    purchaser: str | None
    purchaser_restricted: bool


def person_text(person) -> str:
    """One person on the printed form and in the CSV: name, alias, date of birth, sex, identification, address."""
    parts = [person.full_name + (f" «{person.alias}»" if person.alias else "")]
    if person.birth_date:
        parts.append(f"{_l('Date of birth')} {format_local_date(person.birth_date)}")
    if person.sex and person.sex != "unknown":
        parts.append(str(SEX_LABELS[person.sex]))
    if person.curp:
        parts.append(f"CURP {person.curp}")
    if person.id_kind:
        issued = ", ".join(part for part in (person.id_region, person.id_country) if part)
        parts.append(f"{ID_KIND_LABELS[person.id_kind]} {person.id_number}" + (f" ({issued})" if issued else ""))
    address = ", ".join(part for part in (person.street, person.locality, person.region, person.postal_code,
                                          person.country) if part)
    if address:
        parts.append(address)
    return " · ".join(parts)


def people_on_request(user, trace: TraceRequest, where: str = "print") -> PrintedPeople:
    """The possessor and associates of ``trace`` and its purchaser, as ``user`` may see them; the
    reads are audited (ids only) in the current transaction, the caller commits."""
    shown = request_people(user, trace, where)
    rows = [(str(ROLE_LABELS[row.role]), person_text(row.person)) for row in shown.rows]
    purchaser = shown_purchaser(user, trace, where)
    purchaser_text = None
    if purchaser.person is not None:
        purchaser_text = person_text(purchaser.person)
    elif purchaser.name:
        purchaser_text = purchaser.name
    return PrintedPeople(rows, shown.count, shown.restricted, purchaser_text, purchaser.restricted)


class ExportedPeople:
    """The personal columns of a CSV export, for ``user``: filled only where the personal-data rule
    (and, for the purchaser, the liaison rule) admits the exporter; ``audit`` then records one
    ``personal_data.read`` naming the requests and people exported (ids only)."""

    def __init__(self, user) -> None:
        self.user = user
        self.person_ids: set[int] = set()
        self.request_ids: list[int] = []
        # Officers and administrators see no personal data: nothing is read for them.
        self.may_read = user.active and (user.role in PERSONAL_DATA_ROLES or user.role == "liaison")
        self.cases: dict[int, bool] = {}

    def _reads_case(self, case_id: int) -> bool:
        """The personal-data rule for one case, asked once per case of the export."""
        if case_id not in self.cases:
            self.cases[case_id] = may_read_personal_data(self.user, case_id)
        return self.cases[case_id]

    def cells(self, trace: TraceRequest) -> list[str]:
        if not self.may_read:
            return ["", ""]
        shown = []
        reads_case = self.user.role in PERSONAL_DATA_ROLES and self._reads_case(trace.case_id)
        if reads_case:
            rows = list(db.session.scalars(select(CasePerson).where(
                CasePerson.trace_request_id == trace.id, CasePerson.role.in_(REQUEST_ROLES)).order_by(CasePerson.id)))
            shown = [f"{ROLE_LABELS[row.role]}: {person_text(row.person)}" for row in rows]
            self.person_ids.update(row.person_id for row in rows)
        purchaser = ""
        if reads_case or liaison_rule(trace)(self.user):
            row = purchaser_row(trace)
            if row is not None:
                purchaser = person_text(row.person)
                self.person_ids.add(row.person_id)
            else:
                purchaser = trace.purchaser_name or ""
        if shown or purchaser:
            self.request_ids.append(trace.id)
        return ["; ".join(shown), purchaser]

    def audit(self) -> None:
        if self.request_ids:
            record(READ_ACTION, object_type="trace_request", actor=self.user,
                   details={"where": "csv_export", "trace_request_ids": self.request_ids,
                            "person_ids": sorted(self.person_ids)})


def csv_lines(requests: Iterable[TraceRequest], people: ExportedPeople | None = None) -> Iterator[str]:
    """The CSV file, a line at a time: a byte-order mark for spreadsheet programs, the header, the rows
    (with the personal columns when ``people`` is given)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise(cell) for cell in cells])
        return buffer.getvalue()

    columns = COLUMNS + (PEOPLE_COLUMNS if people is not None else ())
    yield BOM_TEXT + line(str(title) for _key, title in columns)
    for trace in requests:
        values = request_values(trace)
        cells = [values[key] for key, _title in COLUMNS]
        if people is not None:
            cells += people.cells(trace)
        yield line(cells)
