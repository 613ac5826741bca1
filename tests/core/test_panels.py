"""The panel registry: what higher rooms add to the case, firearm and seizure pages."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from markupsafe import Markup

from tracer.core.panels import add_panel, init_panels, page_panels


@pytest.fixture
def bare():
    application = Flask(__name__)
    init_panels(application)
    return application


def test_panels_are_drawn_in_order_and_empty_ones_left_out(bare):
    add_panel(bare, "case", lambda case: f"<p>second of {case}</p>", order=20)
    add_panel(bare, "case", lambda case: None, order=5)
    add_panel(bare, "case", lambda case: " \n ", order=6)
    add_panel(bare, "case", lambda case: Markup("<p>first</p>"), order=10)
    add_panel(bare, "case", lambda case: "<p>third, added after an equal order</p>", order=20)
    add_panel(bare, "firearm", lambda firearm: "<p>elsewhere</p>")
    with bare.app_context():
        assert page_panels("case", 7) == Markup("<p>first</p>\n<p>second of 7</p>\n"
                                                "<p>third, added after an equal order</p>")
        assert page_panels("seizure", 7) == Markup("")


def test_templates_ask_the_registry(bare):
    add_panel(bare, "firearm", lambda firearm: f"<section>{firearm}</section>")
    with bare.app_context():
        assert render_template_string("<main>{{ page_panels('firearm', 'F-1') }}</main>") == \
            "<main><section>F-1</section></main>"


def test_an_unknown_page_is_refused(bare):
    with pytest.raises(ValueError, match="cases"):
        add_panel(bare, "cases", lambda case: "")


def test_the_rooms_add_their_panels_at_start_up(app):
    from tracer.ballistics.panels import case_panel, firearm_panel, seizure_panel
    from tracer.links.views import link_panel
    from tracer.people.panels import case_panel as people_panel
    from tracer.reports.hooks import report_panel
    from tracer.tracing.panels import case_traces_panel, readiness_panel, result_panel

    registered = app.extensions["tracer.panels"]
    assert [render for _order, _added, render in registered["firearm"]] == [
        readiness_panel, result_panel, link_panel, firearm_panel]
    assert [render for _order, _added, render in registered["case"]] == [case_traces_panel, people_panel, case_panel,
                                                                               report_panel]
    assert [render for _order, _added, render in registered["seizure"]] == [seizure_panel]
