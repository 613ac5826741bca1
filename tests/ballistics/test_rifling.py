"""Rifling candidates: which makes and models fit a bullet's lands, twist and widths."""
from __future__ import annotations

import html
import re

import pytest

from tests.ballistics.rifling_fixtures import rifling_table  # noqa: F401  (fixture)
from tracer.ballistics.rifling import parse_query, rifling_candidates
from tracer.ballistics.rifling_data import shipped_specs
from tracer.core.errors import ValidationFailed
from tracer.firearms.reference import resolve_caliber

pytestmark = pytest.mark.usefixtures("rifling_table")


def candidates(**values):
    return rifling_candidates(parse_query(values))


def makers(found) -> set[str]:
    return {c.spec.manufacturer_name for c in found}


def test_the_shipped_table_covers_the_makers_recovered_in_mexico(rifling_table):
    assert rifling_table["created"] == len(shipped_specs()) >= 150 and rifling_table["skipped"] == 0
    shipped = {row["manufacturer"] for row in shipped_specs()}
    for maker in ("Colt", "Smith & Wesson", "Glock", "Beretta", "Taurus", "Sturm, Ruger & Co.", "Sig Sauer",
                  "FN Herstal", "Norinco", "Romarm", "Barrett Firearms", "Springfield Armory", "Kimber",
                  "Heckler & Koch", "Česká zbrojovka", "Bersa", "Hi-Point Firearms", "Walther", "Century Arms",
                  "Zastava Arms", "Israel Weapon Industries", "Kel-Tec", "Remington Arms",
                  "Winchester Repeating Arms", "Marlin Firearms"):
        assert maker in shipped, maker
    calibers = {row["caliber"] for row in shipped_specs()}
    assert {".38 Special", ".357 Magnum", "9mm Luger", ".380 ACP", ".40 S&W", ".45 ACP", ".22 LR",
            "5.56x45mm NATO", ".223 Remington", "7.62x39mm", ".308 Winchester", ".50 BMG"} <= calibers


def test_a_polygonal_right_twist_9mm_bullet_points_to_glock_and_heckler_koch():
    found = candidates(caliber="9 mm", lands="polygonal", twist="right")
    assert "Glock" in makers(found) and "Heckler & Koch" in makers(found)
    assert {c.spec.model for c in found if c.spec.manufacturer_name == "Glock"} >= {"G17", "G19", "G26"}
    assert all(c.spec.polygonal and c.spec.twist == "right" and c.spec.caliber.name == "9mm Luger" for c in found)
    assert "Beretta" not in makers(found), "conventional rifling is left out"


def test_a_38_special_with_six_lands_left_twist_points_to_colt():
    found = candidates(caliber=".38 SPL", lands="6", twist="left")
    assert makers(found) == {"Colt"}
    assert {c.spec.model for c in found} >= {"Detective Special", "Cobra", "Official Police"}
    assert not candidates(caliber=".38 Special", lands="5", twist="left"), "Smith & Wesson twists right"
    assert "Smith & Wesson" in makers(candidates(caliber=".38 Special", lands="5", twist="right"))


def test_widths_fit_within_the_tolerance_closest_first():
    # Colt's 1911 in .45 ACP is in the table with lands of 1.86 mm and grooves of 4.15 mm.
    found = candidates(caliber=".45 ACP", lands="6", twist="left", land_width_mm="1.80")
    colt = next(c for c in found if c.spec.model == "Government Model (M1911A1)")
    assert colt.widths_compared and colt.difference_mm == pytest.approx(0.06)
    assert found[0].spec.model == "1911 R1" and found[0].difference_mm == 0, "its lands of 1.80 mm come first"
    assert not [c for c in candidates(caliber=".45 ACP", lands="6", twist="left", land_width_mm="1.50")
                if c.widths_compared], "the narrowest lands in the table, 1.68 mm, are 0.18 mm away"
    wider = candidates(caliber=".45 ACP", lands="6", twist="left", land_width_mm="1.50", tolerance_mm="0.4")
    assert "Colt" in makers([c for c in wider if c.widths_compared])
    ranked = candidates(caliber="9mm", lands="6", twist="right", land_width_mm="1.40")
    differences = [c.difference_mm for c in ranked if c.widths_compared]
    assert differences and differences == sorted(differences)
    assert all(c.difference_mm <= 0.1 + 1e-9 for c in ranked if c.widths_compared)


def test_rows_without_published_widths_come_after_those_compared():
    found = candidates(caliber=".45 ACP", lands="6", twist="left", land_width_mm="1.86")
    compared = [c.widths_compared for c in found]
    assert compared[0] is True and False in compared, "the Ruger SR1911 has no published widths"
    assert compared == sorted(compared, reverse=True)
    unmeasured = [c.spec.model for c in found if not c.widths_compared]
    assert "SR1911" in unmeasured


def test_the_groove_width_narrows_further():
    with_groove = candidates(caliber=".45 ACP", lands="6", twist="left", land_width_mm="1.86",
                             groove_width_mm="3.50")
    assert not [c for c in with_groove if c.widths_compared], "grooves 0.65 mm narrower than Colt's"


def test_a_retired_row_is_no_longer_a_candidate():
    from tracer.ballistics.rifling_admin import set_spec_active

    glock = next(c.spec for c in candidates(caliber="9mm", lands="polygonal") if c.spec.model == "G17")
    set_spec_active(glock, False)
    assert "G17" not in {c.spec.model for c in candidates(caliber="9mm", lands="polygonal")}


@pytest.mark.parametrize("values, field", [
    ({"lands": "6"}, "caliber"),
    ({"caliber": "9.99 Martian"}, "caliber"),
    ({"caliber": "9mm", "lands": "0"}, "lands"),
    ({"caliber": "9mm", "lands": "40"}, "lands"),
    ({"caliber": "9mm", "lands": "six"}, "lands"),
    ({"caliber": "9mm", "twist": "up"}, "twist"),
    ({"caliber": "9mm", "land_width_mm": "-1"}, "land_width_mm"),
    ({"caliber": "9mm", "land_width_mm": "nan"}, "land_width_mm"),
    ({"caliber": "9mm", "groove_width_mm": "0"}, "groove_width_mm"),
    ({"caliber": "9mm", "tolerance_mm": "5"}, "tolerance_mm"),
])
def test_bad_input_names_the_field(values, field):
    with pytest.raises(ValidationFailed) as failure:
        parse_query(values)
    assert list(failure.value.fields) == [field]


def test_spanish_words_are_understood():
    query = parse_query({"caliber": "calibre 9 milímetros", "lands": "Poligonal", "twist": "derecha",
                         "land_width_mm": "1,5"})
    assert query.polygonal and query.twist == "right" and query.land_width_mm == 1.5
    assert query.caliber == resolve_caliber("9mm")


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_answers_candidates(api):
    call = api("analyst", "FGR")
    response = call("GET", "/ballistics/rifling-candidates?caliber=9mm&lands=polygonal&twist=right")
    assert response.status_code == 200
    items = response.get_json()["items"]
    glock = next(item for item in items if item["model"] == "G19")
    assert glock["manufacturer"] == "Glock" and glock["caliber"] == "9mm Luger" and glock["lands"] is None
    assert glock["polygonal"] is True and glock["twist"] == "right" and glock["widths_compared"] is False
    measured = call("GET", "/ballistics/rifling-candidates?caliber=.45%20ACP&lands=6&twist=left&land_width_mm=1.9")
    first = measured.get_json()["items"][0]
    assert first["manufacturer"] == "Colt" and first["difference_mm"] == pytest.approx(0.04)


def test_the_api_names_each_bad_field_in_the_callers_language(api):
    call = api("supervisor", "FGE-SON")
    response = call("GET", "/ballistics/rifling-candidates?caliber=9mm&lands=40&twist=up&land_width_mm=-0.5")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["details"]) == {"lands", "twist", "land_width_mm"}
    assert "1 to 32" in error["details"]["lands"][0]


def test_the_api_is_for_analysts_and_supervisors(api):
    for role in ("officer", "liaison", "admin"):
        call = api(role, "ATF-MX" if role == "liaison" else "FGR")
        assert call("GET", "/ballistics/rifling-candidates?caliber=9mm").status_code == 403


def test_the_openapi_document_describes_the_search(client):
    document = client.get("/api/v1/openapi.json").get_json()
    entry = document["paths"]["/api/v1/ballistics/rifling-candidates"]["get"]
    assert entry["x-roles"] == ["analyst", "supervisor"]
    assert {p["name"] for p in entry["parameters"]} >= {"caliber", "lands", "twist", "land_width_mm"}


# --- the page -----------------------------------------------------------------------------------------


def test_the_page_shows_candidates_and_the_disclaimer(login_as):
    analyst = login_as("analyst", locale="es")
    page = analyst.get("/ballistics/rifling?caliber=.38+Special&lands=6&twist=left")
    body = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Detective Special" in body and "Izquierdo" in body
    assert "no identifica un arma" in body


def test_the_page_keeps_the_input_and_names_the_field(login_as):
    analyst = login_as("analyst", locale="en")
    page = analyst.get("/ballistics/rifling?caliber=9mm&lands=40&land_width_mm=1.45")
    body = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 400
    assert "Write a number of lands from 1 to 32" in body
    assert 'value="40"' in body and 'value="1.45"' in body and 'value="9mm"' in body


def test_officers_do_not_reach_the_page(login_as):
    assert login_as("officer").get("/ballistics/rifling").status_code == 403


def test_a_bullets_page_links_to_the_candidates_for_its_rifling(world, login_as):
    from tests.ballistics.conftest import item_values
    from tracer.ballistics import services
    from tracer.extensions import db

    bullet = services.create_item(world.jalisco_examiner, world.jalisco_case, item_values(
        kind="bullet", scene_id=world.scene.id, caliber=".38 Special", firing_pin_shape="", breech_face_class="",
        ejector_mark="", headstamp="", lands="6", twist="left", land_width_mm="1.45"))
    db.session.commit()
    analyst = login_as("analyst", "FGE-JAL", locale="en")
    page = html.unescape(analyst.get(f"/ballistics/items/{bullet.id}").get_data(as_text=True))
    link = re.search(r'href="([^"]+)" data-rifling-candidates', page).group(1)
    assert "caliber=.38+Special" in link and "lands=6" in link and "twist=left" in link
    candidates_page = html.unescape(analyst.get(link).get_data(as_text=True))
    assert "Detective Special" in candidates_page and 'value="1.45"' in candidates_page
