"""What a restricted disclosure says depends only on the serial and maker the user typed:
two hidden records that differ in model, caliber, dates and case give the same answers."""
from __future__ import annotations

import re

from tests import factories
from tests.tracing.helpers import READY
from tracer.extensions import db

REFERENCE = re.compile(r"DC-\d{4}-\d{6}")
# Both are Glocks held by Sonora; everything else about them differs.
HIDDEN = {
    "a": ({**READY, "serial_number": "KSB20613X", "model": "19", "caliber": "9mm"},
          {"seized_on": "2025-03-14", "state": "26", "municipality": "030"}, {"title": "Operativo Norte"}),
    "b": ({**READY, "serial_number": "QRT55881Z", "model": "22", "caliber": ".40 S&W"},
          {"seized_on": "2019-11-02", "state": "26", "municipality": "043"}, {"title": "Hallazgo en Nogales"}),
}


def _hide(record: dict, seizure: dict, case: dict):
    firearm = factories.seizure(factories.case("FGE-SON", **case), firearms=[record], **seizure).firearms[0]
    db.session.commit()
    return firearm


def _plain(value):
    """The answer with its references and ids of the reader's own records taken out."""
    text = REFERENCE.sub("DC-REF", str(value))
    return re.sub(r"'(id|firearm_id|case_id|version)': \d+", r"'\1': N", text)


def _answers(api, serial: str) -> dict:
    searcher = api("analyst", "FGE-JAL")
    answers = {}
    for mode, query in (("exact", serial), ("fuzzy", serial[:3] + "O" + serial[4:] if serial[3] == "0" else serial),
                        ("partial", serial[2:8])):
        body = searcher("GET", "/search/serial", query_string={"q": query, "mode": mode}).get_json()
        answers[f"search-{mode}"] = [item for item in body["items"]]
    officer = api("officer", "FGE-JAL")
    case = factories.case("FGE-JAL", officer.user)
    db.session.commit()
    saved = officer("POST", "/seizures", json={
        "case_id": case.id, "seized_on": "2025-06-01", "state": "14", "municipality": "039",
        "firearms": [{**READY, "serial_number": serial, "model": "19", "caliber": "9mm"}]}).get_json()
    answers["recording"] = saved["warnings"]
    recorded = saved["firearms"][0]["id"]
    links = officer("GET", f"/firearms/{recorded}/links").get_json()
    answers["links"] = [{key: value for key, value in item.items() if key not in ("detected_at",)}
                        for item in links["items"]]
    return {name: _plain(answer) for name, answer in answers.items()}


def test_two_hidden_records_that_differ_but_in_serial_give_the_same_answers(api, reference_data):
    first = _hide(*HIDDEN["a"])
    answers_a = _answers(api, first.serial_normalized)
    second = _hide(*HIDDEN["b"])
    answers_b = _answers(api, second.serial_normalized)
    assert answers_a["search-exact"] and answers_a["recording"] and answers_a["links"], answers_a
    assert answers_a == answers_b
    assert "19" not in answers_a["links"] or "score': None" in answers_a["links"]
