"""Case pages: the list, a case and its seizures, opening and editing one (CSRF, errors, conflicts)."""
from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import func, select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.cases import services
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.seizures.models import Seizure


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'\bvalue="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def textarea(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea\b[^>]*\bname="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html.unescape(match.group(1)).lstrip("\r\n") if match else None


def selected(page: str, name: str) -> str | None:
    select_tag = re.search(rf'<select\b[^>]*\bname="{name}"[^>]*>(.*?)</select>', page, re.S)
    option = re.search(r'<option\b[^>]*\bselected[^>]*\bvalue="([^"]*)"|<option\b[^>]*\bvalue="([^"]*)"[^>]*\bselected',
                       select_tag.group(1)) if select_tag else None
    return (option.group(1) or option.group(2) or "") if option else None


def error_of(page: str, field_id: str) -> str | None:
    match = re.search(rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def case_count() -> int:
    return db.session.scalar(select(func.count(Case.id)))


# --- the list -------------------------------------------------------------------------------------


def test_list_shows_the_cases_in_scope_with_translated_labels(login_as, agencies):
    mine = factories.case(agencies["FGE-SON"], title="Armas en Nogales", priority="urgent")
    neighbour = factories.case(agencies["SSP-SON"], title="Caso vecino", status="investigating")
    elsewhere = factories.case(agencies["FGE-JAL"], title="Caso de Jalisco")
    db.session.commit()
    browser = login_as("analyst", "FGE-SON")
    page = browser.get("/cases")
    assert page.status_code == 200
    body = text(page)
    assert mine.reference in body and neighbour.reference in body
    assert elsewhere.reference not in body and "Caso de Jalisco" not in body
    assert f'href="/cases/{mine.id}"' in body
    assert "Abierto" in body and "En investigación" in body and "Urgente" in body
    assert mine.lead_officer.full_name in body
    assert 'href="/cases"' in body and ">Casos</a>" in body  # in the main navigation


def test_list_rows_escape_what_users_typed(login_as, agencies):
    case = factories.case(agencies["FGE-SON"], title="Armas")
    case.title = 'Rifles "largos" <b>&</b> O\'Neil'
    case.lead_officer.full_name = "Ana <i>Ruiz</i>"
    db.session.commit()
    page = login_as("analyst", "FGE-SON").get("/cases").get_data(as_text=True)
    title = "Rifles &#34;largos&#34; &lt;b&gt;&amp;&lt;/b&gt; O&#39;Neil"
    assert f'title="{title}">{title}</td>' in page
    assert "<td data-label=\"Agente responsable\">Ana &lt;i&gt;Ruiz&lt;/i&gt;</td>" in page
    assert "<b>" not in page and "<i>Ruiz" not in page


def test_list_filters_and_keeps_them_across_pages(login_as, agencies):
    for n in range(30):
        factories.case(agencies["FGE-SON"], title=f"Nogales {n}")
    factories.case(agencies["FGE-SON"], title="Hermosillo")
    db.session.commit()
    browser = login_as("officer", "FGE-SON")
    first = text(browser.get("/cases?q=nogales&status=open"))
    assert "Hermosillo" not in first
    assert "Nogales 29" in first and "Nogales 4" not in first
    following = html.unescape(re.search(r'<a [^>]*href="([^"]+)" rel="next">', first).group(1))
    assert "q=nogales" in following and "status=open" in following and "cursor=" in following
    second = text(browser.get(following))
    assert "Nogales 4" in second and "Nogales 0" in second and "Hermosillo" not in second
    assert "Nogales 29" not in second and "Nogales 5" not in second
    back = html.unescape(re.search(r'<a [^>]*href="([^"]+)" rel="prev">', browser.get(following)
                                   .get_data(as_text=True)).group(1))
    assert "q=nogales" in back and "status=open" in back
    again = text(browser.get(back))
    assert "Nogales 29" in again and "Nogales 5" in again and "Nogales 4" not in again


def test_list_reports_bad_filters_next_to_the_field(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    page = browser.get("/cases?created_from=2026-13-45&q=x")
    assert page.status_code == 400
    assert error_of(page.get_data(as_text=True), "created_from")
    assert input_value(page.get_data(as_text=True), "q") == "x"
    backwards = browser.get("/cases?created_from=2026-05-02&created_to=2026-05-01")
    assert backwards.status_code == 400
    assert error_of(backwards.get_data(as_text=True), "created_to")


def test_list_tolerates_odd_page_numbers(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    for page in ("-1", "0", "abc"):
        assert browser.get(f"/cases?page={page}").status_code == 200
    # Beyond the first pages the list goes on by cursor: a clear message, the filters kept.
    far = browser.get("/cases?page=99999999999999999999&q=nogales")
    assert far.status_code == 400
    assert "cursor" in text(far) and input_value(far.get_data(as_text=True), "q") == "nogales"


def test_liaison_sees_the_list_but_no_mexican_case(login_as, sonora_case):
    browser = login_as("liaison", "ATF-MX")
    page = browser.get("/cases")
    assert page.status_code == 200
    assert sonora_case.reference not in text(page)
    assert browser.get(f"/cases/{sonora_case.id}").status_code == 404
    assert browser.get("/cases/new").status_code == 403


def test_admin_sees_no_case_content(login_as, sonora_case):
    browser = login_as("admin", "FGR")
    for path in ("/cases", f"/cases/{sonora_case.id}", "/cases/new", f"/cases/{sonora_case.id}/edit"):
        assert browser.get(path).status_code == 403, path
    assert ">Casos</a>" not in text(browser.get("/"))


# --- a case ---------------------------------------------------------------------------------------


def test_case_page_in_scope_and_out_of_scope(login_as, agencies, sonora_case):
    page = login_as("supervisor", "SEDENA").get(f"/cases/{sonora_case.id}")
    assert page.status_code == 200
    body = text(page)
    assert sonora_case.reference in body and "Aseguramiento en Nogales" in body
    assert "CI/SON/0001/2026" in body
    assert f'href="/cases/{sonora_case.id}/edit"' in body
    assert "Aún no hay aseguramientos registrados en este caso." in body
    assert login_as("analyst", "FGE-JAL").get(f"/cases/{sonora_case.id}").status_code == 404
    assert login_as("analyst", "FGE-JAL").get("/cases/2000000000").status_code == 404


def test_case_page_lists_its_seizures(login_as, agencies, sonora_case):
    seizure = Seizure(case_id=sonora_case.id, agency_id=sonora_case.owner_agency_id, seized_on=date(2026, 2, 14),
                      recorded_by_agency_id=sonora_case.owner_agency_id, state_code="26", locality="Heroica Nogales")
    db.session.add(seizure)
    db.session.flush()
    for serial in ("A1", "A2", "A3"):
        db.session.add(Firearm(seizure_id=seizure.id, case_id=sonora_case.id, agency_id=seizure.agency_id,
                               firearm_type="pistol", serial_status="intact", serial_number=serial))
    db.session.commit()
    body = text(login_as("analyst", "FGE-SON").get(f"/cases/{sonora_case.id}"))
    assert f'href="/seizures/{seizure.id}"' in body
    assert "Heroica Nogales" in body and "Sonora" in body
    assert re.search(r"<td>\s*3\s*</td>", body)


def test_neighbour_agency_sees_but_may_not_edit(login_as, agencies, sonora_case):
    browser = login_as("officer", "SSP-SON")
    page = browser.get(f"/cases/{sonora_case.id}")
    assert page.status_code == 200
    assert f"/cases/{sonora_case.id}/edit" not in text(page)
    assert f"/seizures/new?case_id={sonora_case.id}" not in text(page)
    assert browser.get(f"/cases/{sonora_case.id}/edit").status_code == 403
    response = browser.post(f"/cases/{sonora_case.id}/edit", {"title": "No", "priority": "normal", "version": "1"},
                            token_from="/cases/new")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Case, sonora_case.id).title == "Aseguramiento en Nogales"


def test_a_new_case_offers_to_record_its_first_seizure(login_as, agencies, sonora_case):
    officer = login_as("officer", "FGE-SON", locale="en")
    body = text(officer.get(f"/cases/{sonora_case.id}"))
    assert "No seizures recorded in this case yet. Record the first one" in body
    assert f'href="/seizures/new?case_id={sonora_case.id}"' in body
    form = text(officer.get(f"/seizures/new?case_id={sonora_case.id}"))
    assert re.search(rf'<option[^>]*value="{sonora_case.id}"[^>]*selected', form) or \
        re.search(rf'<option selected[^>]*value="{sonora_case.id}"', form)


# --- opening a case -------------------------------------------------------------------------------


def test_open_a_case_from_the_form(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    form = text(browser.get("/cases/new"))
    assert selected(form, "lead_officer_id") == str(browser.user.id)  # officers lead their own cases
    response = browser.post("/cases/new", {"title": "Rifles en Agua Prieta", "summary": "Primera línea\r\nSegunda",
                                           "priority": "high", "carpeta_number": "CI-FGE-26/123.2026",
                                           "lead_officer_id": str(browser.user.id)}, token_from="/cases/new")
    assert response.status_code == 302
    case = db.session.scalar(select(Case).where(Case.title == "Rifles en Agua Prieta"))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert (case.priority, case.carpeta_number, case.owner_agency_id, case.lead_officer_id) == (
        "high", "CI-FGE-26/123.2026", agencies["FGE-SON"].id, browser.user.id)
    page = text(browser.get(response.headers["Location"]))
    assert f"Caso {case.reference} abierto." in page
    assert "Primera línea<br>Segunda" in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.create",
                                                      AuditEvent.object_id == str(case.id))) is not None


def test_errors_show_next_to_the_field_and_typed_values_stay(login_as, agencies):
    browser = login_as("analyst", "FGE-SON")
    before = case_count()
    long_title = "T" * 10_000
    response = browser.post("/cases/new", {"title": long_title, "summary": "Mi resumen\ncon dos líneas",
                                           "priority": "urgent", "carpeta_number": "CI#1",
                                           "lead_officer_id": ""}, token_from="/cases/new")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_of(page, "title") and error_of(page, "carpeta_number")
    assert "200" in error_of(page, "title")
    assert input_value(page, "title") == long_title
    assert textarea(page, "summary").replace("\r\n", "\n") == "Mi resumen\ncon dos líneas"
    assert input_value(page, "carpeta_number") == "CI#1"
    assert selected(page, "priority") == "urgent"
    assert case_count() == before


def test_carpeta_number_characters(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    response = browser.post("/cases/new", {"title": "Caso", "priority": "normal", "carpeta_number": "CI 5",
                                           "summary": "ok", "lead_officer_id": ""}, token_from="/cases/new")
    assert response.status_code == 302
    # Letters, digits, spaces and / - . only; the message says which.
    response = browser.post("/cases/new", {"title": "Caso", "priority": "normal", "carpeta_number": "CI_5",
                                           "lead_officer_id": ""}, token_from="/cases/new")
    assert response.status_code == 400
    assert "/" in error_of(response.get_data(as_text=True), "carpeta_number")


def test_control_and_bidi_characters_are_refused_on_the_form(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    before = case_count()
    for title in ("Caso\u202eoin", "Caso\u200b", "Caso\x07"):
        response = browser.post("/cases/new", {"title": title, "priority": "normal", "lead_officer_id": ""},
                                token_from="/cases/new")
        assert response.status_code == 400
        assert "U+" in error_of(response.get_data(as_text=True), "title")
    assert case_count() == before


def test_open_case_without_csrf_token_is_refused(login_as, agencies):
    browser = login_as("officer", "FGE-SON")
    before = case_count()
    response = browser.client.post("/cases/new", data={"title": "Sin token", "priority": "normal"})
    assert response.status_code == 400
    assert case_count() == before


def test_a_lead_officer_from_another_agency_cannot_be_chosen(login_as, agencies):
    outsider = factories.user("officer", agencies["FGE-JAL"])
    db.session.commit()
    browser = login_as("officer", "FGE-SON")
    response = browser.post("/cases/new", {"title": "Caso", "priority": "normal", "lead_officer_id": str(outsider.id)},
                            token_from="/cases/new")
    assert response.status_code == 400
    assert error_of(response.get_data(as_text=True), "lead_officer_id")


# --- editing --------------------------------------------------------------------------------------


def edit_values(page: str, **changes) -> dict[str, str]:
    values = {"title": input_value(page, "title"), "summary": textarea(page, "summary") or "",
              "priority": selected(page, "priority"), "carpeta_number": input_value(page, "carpeta_number"),
              "lead_officer_id": selected(page, "lead_officer_id") or "", "version": input_value(page, "version")}
    values.update(changes)
    return values


def test_edit_a_case(login_as, agencies, sonora_case):
    browser = login_as("officer", "FGE-SON")
    path = f"/cases/{sonora_case.id}/edit"
    form = text(browser.get(path))
    assert input_value(form, "version") == "1"
    response = browser.post(path, edit_values(form, title="Título corregido", priority="high"), token_from=path)
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{sonora_case.id}"
    db.session.expire_all()
    case = db.session.get(Case, sonora_case.id)
    assert (case.title, case.priority, case.version) == ("Título corregido", "high", 2)
    assert "guardado" in text(browser.get(f"/cases/{sonora_case.id}"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.update",
                                                       AuditEvent.object_id == str(case.id)))
    assert event.details == {"old": {"title": "Aseguramiento en Nogales", "priority": "normal"},
                             "new": {"title": "Título corregido", "priority": "high"}}


def test_stale_edit_shows_the_saved_values_and_keeps_what_was_typed(login_as, agencies, sonora_case):
    browser = login_as("officer", "FGE-SON")
    path = f"/cases/{sonora_case.id}/edit"
    form = text(browser.get(path))
    # Meanwhile a colleague saves.
    colleague = factories.user("analyst", agencies["FGE-SON"])
    services.update_case(colleague, sonora_case, {"title": "Título del colega", "summary": "Nota del colega"}, 1)
    db.session.commit()

    mine = edit_values(form, title="Mi título", summary="Mi resumen", carpeta_number="CI/SON/0002/2026")
    response = browser.post(path, mine, token_from=path)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    shown = html.unescape(page)
    assert "Alguien más modificó este caso" in shown
    assert input_value(page, "title") == "Mi título"
    assert textarea(page, "summary") == "Mi resumen"
    assert input_value(page, "carpeta_number") == "CI/SON/0002/2026"
    assert "Título del colega" in shown and "Nota del colega" in shown
    assert input_value(page, "version") == "2"
    db.session.expire_all()
    assert db.session.get(Case, sonora_case.id).title == "Título del colega"

    # Having seen the colleague's values, saving again is deliberate.
    again = browser.post(path, dict(mine, version=input_value(page, "version")), token_from=path)
    assert again.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, sonora_case.id)
    assert (saved.title, saved.summary, saved.version) == ("Mi título", "Mi resumen", 3)


def test_edit_errors_keep_typed_values(login_as, agencies, sonora_case):
    browser = login_as("supervisor", "FGE-SON")
    path = f"/cases/{sonora_case.id}/edit"
    form = text(browser.get(path))
    response = browser.post(path, edit_values(form, title="", summary="Se queda"), token_from=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_of(page, "title")
    assert textarea(page, "summary") == "Se queda"
    db.session.expire_all()
    assert db.session.get(Case, sonora_case.id).version == 1


def test_english_labels(login_as, agencies, sonora_case):
    browser = login_as("analyst", "FGE-SON", locale="en")
    body = text(browser.get("/cases"))
    assert ">Cases</a>" in body and "Open" in body and "Lead officer" in body
