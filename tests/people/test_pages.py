"""The people pages as officers, analysts and other agencies use them (Spanish, the users' language)."""
from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from tests.conftest import Browser
from tests.people.conftest import CURP, POSSESSOR
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.people.duplicates import merge_people
from tracer.people.models import CasePerson, Person, PersonDuplicate, PersonMerge


def sign_in(app, user) -> Browser:
    signed = Browser(app.test_client())
    assert signed.login(user.username).status_code == 302
    return signed


def _form(**fields) -> dict:
    return {**{name: value or "" for name, value in POSSESSOR.items()}, "role": "possessor", **fields}


def test_an_officer_records_a_possessor_and_then_sees_only_the_restricted_count(app, world):
    web = sign_in(app, world.sonora_officer)
    path = f"/cases/{world.sonora_case.id}/people/new"
    form_page = web.get(path).get_data(as_text=True)
    assert 'value="purchaser"' not in form_page  # officers record who was at the seizure
    response = web.post(path, _form(), token_from=path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{world.sonora_case.id}#people")
    case_page = web.get(f"/cases/{world.sonora_case.id}").get_data(as_text=True)
    assert "1 persona registrada — restringido" in case_page
    assert "Valenzuela" not in case_page and CURP not in case_page
    person_id = db.session.scalar(select(Person.id))
    assert web.get(f"/people/{person_id}").status_code == 403


def test_an_analyst_sees_the_people_of_the_case_and_the_read_is_audited(app, world):
    row_person = factories.person(world.sonora_case, **{k: v for k, v in POSSESSOR.items()})
    db.session.commit()
    web = sign_in(app, world.sonora_analyst)
    case_page = web.get(f"/cases/{world.sonora_case.id}").get_data(as_text=True)
    assert "José Julián Valenzuela Espinoza" in case_page and "Poseedor" in case_page
    person_page = web.get(f"/people/{row_person.id}").get_data(as_text=True)
    assert CURP in person_page and "Hermosillo" in person_page
    reads = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read")))
    assert {event.details["where"] for event in reads} == {"case_page", "person_page"}
    assert all("Valenzuela" not in str(event.details) for event in reads)


def test_bad_input_names_the_fields_in_spanish_keeps_the_rest_and_writes_nothing(app, world):
    web = sign_in(app, world.sonora_analyst)
    path = f"/cases/{world.sonora_case.id}/people/new"
    response = web.post(path, _form(birth_date="2999-05-01", curp=CURP[:-1] + "7", alias="El Güero"),
                        token_from=path)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La fecha no puede estar en el futuro." in page
    assert "dígito verificador" in page
    assert 'value="El Güero"' in page and 'value="Valenzuela Espinoza"' in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert db.session.scalar(select(func.count()).select_from(CasePerson)) == 0


def test_a_curp_of_the_wrong_shape_is_refused_on_the_form(app, world):
    web = sign_in(app, world.sonora_analyst)
    path = f"/cases/{world.sonora_case.id}/people/new"
    page = web.post(path, _form(curp="ABC123"), token_from=path).get_data(as_text=True)
    assert "Una CURP tiene 18 caracteres" in page


def test_another_states_analyst_gets_404(app, world):
    person = factories.person(world.sonora_case, last_names="Reservado")
    db.session.commit()
    web = sign_in(app, world.jalisco_analyst)
    assert web.get(f"/people/{person.id}").status_code == 404
    assert web.get(f"/people/{person.id}/edit").status_code == 404
    assert web.get(f"/cases/{world.sonora_case.id}/people/new").status_code == 404
    assert "Reservado" not in web.get("/people/duplicates").get_data(as_text=True)


def test_the_analyst_merges_a_likely_duplicate_with_a_reason_and_both_originals_stay(app, world):
    first = factories.person(world.sonora_case, **POSSESSOR)
    second = factories.person(world.sonora_case_2, **{**POSSESSOR, "curp": None, "first_names": "Jose Julian"})
    db.session.commit()
    web = sign_in(app, world.sonora_analyst)
    home = web.get("/").get_data(as_text=True)
    assert "personas posiblemente duplicadas por revisar" in home
    queue = web.get("/people/duplicates").get_data(as_text=True)
    assert f"/people/{first.id}/merge/{second.id}" in queue
    person_page = web.get(f"/people/{first.id}").get_data(as_text=True)
    assert "Misma CURP" in person_page or "Mismo nombre y fecha de nacimiento" in person_page
    path = f"/people/{first.id}/merge/{second.id}"
    refused = web.post(path, {"keep": str(first.id), "reason": ""}, token_from=path)
    assert refused.status_code == 400 and "Este campo es obligatorio." in refused.get_data(as_text=True)
    assert second.merged_into_id is None
    done = web.post(path, {"keep": str(first.id), "reason": "Misma fecha de nacimiento y domicilio"},
                    token_from=path)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, second.id).merged_into_id == first.id
    page = web.get(f"/people/{first.id}").get_data(as_text=True)
    assert f"/people/{second.id}" in page and "Misma fecha de nacimiento y domicilio" in page
    assert db.session.scalar(select(func.count()).select_from(PersonMerge)) == 1
    assert "No hay posibles duplicados en espera." in web.get("/people/duplicates").get_data(as_text=True)


def test_merging_a_person_with_themselves_is_refused_on_the_page(app, world):
    person = factories.person(world.sonora_case, last_names="Único")
    db.session.commit()
    web = sign_in(app, world.sonora_analyst)
    path = f"/people/{person.id}/merge/{person.id}"
    response = web.post(path, {"keep": str(person.id), "reason": "prueba"}, token_from=path)
    assert response.status_code == 400
    assert "no puede fusionarse consigo misma" in response.get_data(as_text=True)


def test_not_the_same_person_leaves_the_queue(app, world):
    factories.person(world.sonora_case, last_names="Ruiz", birth_date="1980-01-01")
    factories.person(world.sonora_case_2, last_names="Ruíz", birth_date="1980-01-01")
    db.session.commit()
    pair = db.session.scalar(select(PersonDuplicate))
    web = sign_in(app, world.sonora_analyst)
    person_page = f"/people/{pair.person_a_id}"
    assert f"/people/duplicates/{pair.id}/distinct" in web.get(person_page).get_data(as_text=True)
    response = web.post(f"/people/duplicates/{pair.id}/distinct", {"next_url": person_page},
                        token_from="/people/duplicates")
    assert response.status_code == 302 and response.headers["Location"].endswith(person_page)
    assert "No hay posibles duplicados en espera." in web.get(person_page).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PersonDuplicate, pair.id).status == "distinct"


def test_a_correction_over_a_newer_version_is_a_conflict(app, world):
    person = factories.person(world.sonora_case, **POSSESSOR)
    db.session.commit()
    web = sign_in(app, world.sonora_analyst)
    path = f"/people/{person.id}/edit"
    stale = {**_form(alias="Primero"), "version": str(person.version)}
    assert web.post(path, stale, token_from=path).status_code == 302
    second = web.post(path, {**stale, "alias": "Segundo"}, token_from=path)
    assert second.status_code == 409
    db.session.expire_all()
    assert db.session.get(Person, person.id).alias == "Primero"


def test_an_analyst_changes_a_role_and_its_firearm_within_the_case(app, world):
    firearm = factories.seizure(world.sonora_case).firearms[0]
    foreign = factories.seizure(world.jalisco_case).firearms[0]
    person = factories.person(world.sonora_case, **POSSESSOR)
    row = db.session.scalar(select(CasePerson).where(CasePerson.person_id == person.id))
    db.session.commit()
    web = sign_in(app, world.sonora_analyst)
    path = f"/people/roles/{row.id}/edit"
    refused = web.post(path, {"role": "associate", "firearm_id": str(foreign.id), "notes": ""}, token_from=path)
    assert refused.status_code == 400 and "Elija un arma de este caso." in refused.get_data(as_text=True)
    saved = web.post(path, {"role": "associate", "firearm_id": str(firearm.id), "notes": "Iba de copiloto"},
                     token_from=path)
    assert saved.status_code == 302
    db.session.expire_all()
    row = db.session.get(CasePerson, row.id)
    assert (row.role, row.firearm_id, row.notes) == ("associate", firearm.id, "Iba de copiloto")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case_person.update"))
    assert event.details["fields"] == ["firearm_id", "notes", "role", "seizure_id"] and "copiloto" not in str(event.details)
    assert sign_in(app, world.jalisco_analyst).get(path).status_code == 404
    assert sign_in(app, world.sonora_officer).get(path).status_code == 403


def test_a_merge_with_another_states_record_shows_nothing_of_it_to_a_state_analyst(app, world):
    sonora = factories.person(world.sonora_case, **POSSESSOR)
    jalisco = factories.person(world.jalisco_case, **{**POSSESSOR, "curp": None, "first_names": "Josué",
                                                      "last_names": "Nombre De Jalisco"})
    merge_people(world.federal_analyst, jalisco, sonora, "Cotejo federal de huellas")
    db.session.commit()
    page = sign_in(app, world.sonora_analyst).get(f"/people/{sonora.id}").get_data(as_text=True)
    assert "Este registro se fusionó con otro registro de la misma persona" in page
    assert "Nombre De Jalisco" not in page and "Josué" not in page and "Cotejo federal" not in page
    assert f"/people/{jalisco.id}" not in page
    federal = sign_in(app, world.federal_analyst).get(f"/people/{jalisco.id}").get_data(as_text=True)
    assert f"/people/{sonora.id}" in federal and "Cotejo federal de huellas" in federal
