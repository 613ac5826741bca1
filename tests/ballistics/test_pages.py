"""The ballistics pages as examiners, officers and other agencies use them."""
from __future__ import annotations

from sqlalchemy import select

from tests import factories
from tests.ballistics.conftest import SCENE_VALUES
from tracer.ballistics import leads
from tracer.ballistics.models import BallisticItem, BallisticLink, Scene
from tracer.extensions import db


def sign_in(app, user):
    from tests.conftest import Browser

    signed = Browser(app.test_client())
    assert signed.login(user.username).status_code == 302
    return signed


def test_an_officer_records_a_scene_without_a_time(app, world):
    officer = factories.user("officer", world.jalisco_case.owner_agency)
    db.session.commit()
    web = sign_in(app, officer)
    path = f"/ballistics/cases/{world.jalisco_case.id}/scenes/new"
    response = web.post(path, {**SCENE_VALUES, "occurred_time": ""}, token_from=path)
    assert response.status_code == 302
    scene = db.session.get(Scene, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert scene.occurred_time is None and scene.municipality_code == "039"
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert "hora no registrada" in page
    case_page = web.get(f"/cases/{world.jalisco_case.id}").get_data(as_text=True)
    assert f"/ballistics/scenes/{scene.id}" in case_page


def test_a_scene_with_a_bad_date_keeps_what_was_typed(app, world):
    web = sign_in(app, world.jalisco_examiner)
    path = f"/ballistics/cases/{world.jalisco_case.id}/scenes/new"
    response = web.post(path, {**SCENE_VALUES, "occurred_on": "2999-01-01", "locality": "Tlaquepaque centro"},
                        token_from=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "no puede estar en el futuro" in page and "Tlaquepaque centro" in page


def test_an_examiner_records_a_test_fire_from_the_firearm_page(app, world):
    web = sign_in(app, world.sonora_examiner)
    firearm_page = web.get(f"/firearms/{world.pistol.id}").get_data(as_text=True)
    path = f"/ballistics/cases/{world.sonora_case.id}/items/new?kind=test_fire&amp;firearm_id={world.pistol.id}"
    assert path in firearm_page
    form = path.replace("&amp;", "&")
    response = web.post(form, {"kind": "test_fire", "firearm_id": str(world.pistol.id), "caliber": "9mm",
                               "firing_pin_shape": "rectangular", "lands": "", "polygonal": "y",
                               "ibis_ref": "SON-TF-2"}, token_from=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.session.scalar(select(BallisticItem).where(BallisticItem.ibis_ref == "SON-TF-2"))
    assert item.firearm_id == world.pistol.id and item.polygonal


def test_a_test_fire_without_a_firearm_is_refused_on_the_form(app, world):
    web = sign_in(app, world.sonora_examiner)
    path = f"/ballistics/cases/{world.sonora_case.id}/items/new"
    response = web.post(path, {"kind": "test_fire", "caliber": "9mm", "headstamp": "FC 9mm"}, token_from=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "elija el arma" in page and "FC 9mm" in page


def test_an_item_of_a_case_out_of_scope_is_404(app, world):
    web = sign_in(app, world.jalisco_examiner)
    assert web.get(f"/ballistics/items/{world.test_fire.id}").status_code == 404
    assert web.get(f"/ballistics/cases/{world.sonora_case.id}/items/new").status_code == 404


def test_officers_read_items_but_do_not_record_them(app, world):
    officer = factories.user("officer", world.jalisco_case.owner_agency)
    db.session.commit()
    web = sign_in(app, officer)
    page = web.get(f"/ballistics/items/{world.cartridge_case.id}").get_data(as_text=True)
    assert "JAL-CC-1" in page and "Registrar la posible correlación" not in page
    assert web.get(f"/ballistics/cases/{world.jalisco_case.id}/items/new").status_code == 403


def test_a_federal_examiner_records_a_lead_and_confirms_it(app, world):
    web = sign_in(app, world.federal_examiner)
    item_path = f"/ballistics/items/{world.test_fire.id}"
    response = web.post(f"{item_path}/leads", {"item_b": "JAL-CC-1", "notes": "Misma marca de aguja"},
                        token_from=item_path)
    assert response.status_code == 302
    link = db.session.scalar(select(BallisticLink))
    queue = web.get("/ballistics/queue").get_data(as_text=True)
    assert f"Posible correlación núm. {link.id}" in queue
    lead_path = f"/ballistics/leads/{link.id}"
    response = web.post(f"{lead_path}/decide", {"conclusion": "identification", "notes": "Coinciden",
                                                "version": "1", "from": "lead"}, token_from=lead_path)
    assert response.status_code == 302
    db.session.refresh(link)
    assert link.status == "confirmed" and link.examiner_id == world.federal_examiner.id
    again = web.post(f"{lead_path}/decide", {"conclusion": "identification", "version": "2", "from": "lead"},
                     token_from=lead_path)
    assert again.status_code == 409 and "ya está confirmada" in again.get_data(as_text=True)


def test_the_other_agency_sees_the_hit_only_as_a_restricted_entry(app, world):
    link = leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    leads.decide(world.federal_examiner, link, "identification", expected_version=1)
    db.session.commit()
    web = sign_in(app, world.jalisco_examiner)
    page = web.get(f"/cases/{world.jalisco_case.id}").get_data(as_text=True)
    assert "Restringido" in page and "FGE-SON" in page and "DC-" in page
    assert world.sonora_case.reference not in page and "SON-TF-1" not in page
    assert f"/ballistics/items/{world.test_fire.id}" not in page
    sonora = sign_in(app, world.sonora_examiner)
    firearm_page = sonora.get(f"/firearms/{world.pistol.id}").get_data(as_text=True)
    assert "FGE-JAL" in firearm_page and "DC-" in firearm_page


def test_a_stale_decision_from_the_queue_is_told_clearly(app, world):
    link = leads.create_lead(world.federal_examiner, world.test_fire, world.cartridge_case)
    leads.decide(world.federal_examiner, link, "inconclusive", expected_version=1)
    db.session.commit()
    web = sign_in(app, world.federal_examiner)
    prefix = f"lead{link.id}-"
    response = web.post(f"/ballistics/leads/{link.id}/decide",
                        {prefix + "conclusion": "elimination", prefix + "version": "1", "from": "queue"},
                        token_from="/ballistics/queue")
    assert response.status_code == 409
    assert "Otro perito" in response.get_data(as_text=True)
    db.session.refresh(link)
    assert link.conclusion == "inconclusive"


def test_the_case_map_shows_seizures_and_scenes_as_two_kinds(app, world):
    seizure = factories.seizure(world.jalisco_case, state="14", municipality="039", locality="Zapopan",
                                latitude="20.7214", longitude="-103.3918")
    db.session.commit()
    web = sign_in(app, world.jalisco_examiner)
    page = web.get(f"/cases/{world.jalisco_case.id}").get_data(as_text=True)
    assert 'data-points="' in page
    assert "Lugar de los hechos · 02/06/2025 · Guadalajara" in page
    assert f"Aseguramiento · {seizure.seized_on.strftime('%d/%m/%Y')} · Zapopan" in page


def test_an_examiner_records_a_cartridge_case_from_a_seizure_page(app, world):
    seizure = world.pistol.seizure
    web = sign_in(app, world.sonora_examiner)
    page = web.get(f"/seizures/{seizure.id}").get_data(as_text=True)
    form = f"/ballistics/cases/{world.sonora_case.id}/items/new?seizure_id={seizure.id}&amp;kind=cartridge_case"
    assert form in page
    path = form.replace("&amp;", "&")
    assert f'selected value="seizure-{seizure.id}"' in web.get(path).get_data(as_text=True)
    response = web.post(path, {"kind": "cartridge_case", "origin": f"seizure-{seizure.id}", "caliber": "9mm",
                               "ejector_mark": "clock_4"}, token_from=path)
    assert response.status_code == 302
    assert "Casquillo" in web.get(f"/seizures/{seizure.id}").get_data(as_text=True)
