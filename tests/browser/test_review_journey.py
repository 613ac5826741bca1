"""The review journey: an officer submits a case; a supervisor returns it with a comment on the
firearms section; the officer sees the comment beside the section, revises and submits again;
the supervisor approves it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import unique
from tests.browser.test_seizure_journey import sign_in_enrolled

pytestmark = pytest.mark.browser

COMMENT = "El fusil AK-47 no tiene importador registrado."


def act(page: Page, action: str, comment: str | None = None, sections: dict[str, str] | None = None) -> None:
    """Press the workflow button of ``action`` on the case page, with its comment."""
    form = page.locator(f"form.workflow-action:has(input[name=action][value={action}])")
    if comment is not None:
        form.locator("textarea[name=comment]").fill(comment)
    for code, text in (sections or {}).items():
        form.locator("details.section-comments > summary").click()
        form.locator(f"textarea[name=section-{code}]").fill(text)
    form.locator("button[type=submit]").click()


def test_submit_return_revise_and_approve_a_case(page: Page, live_server, chromium):
    title = unique("Rifles en doble fondo")
    # The officer opens a case, starts the investigation and submits it with the findings.
    sign_in_enrolled(page, live_server, agency="FGE-SON", role="officer")
    page.goto("/cases/new")
    page.fill("#title", title)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    act(page, "start")
    expect(page.locator(".flash--success")).to_contain_text("Iniciar investigación")
    act(page, "submit", "Dos rifles AR-15 y un AK-47 asegurados; rastreos solicitados.")
    expect(page.locator("dl.facts")).to_contain_text("En revisión")

    supervisor_context = chromium.new_context(base_url=live_server.url, locale="es-MX",
                                              viewport={"width": 1280, "height": 900})
    supervisor_context.set_default_timeout(10_000)
    try:
        supervisor = supervisor_context.new_page()
        sign_in_enrolled(supervisor, live_server, agency="FGE-SON", role="supervisor",
                         full_name="Héctor Moreno Ochoa")
        # The case waits in the supervisor's review queue; they return it with a comment on the firearms.
        supervisor.goto("/cases/review")
        supervisor.locator("tr", has_text=title).get_by_role("link").click()
        expect(supervisor).to_have_url(case_url)
        act(supervisor, "return", "Corrija antes de aprobar.", {"firearms": COMMENT})
        expect(supervisor.locator("dl.facts")).to_contain_text("En investigación")

        # The officer sees the comment beside the seizures and firearms, revises and submits again.
        page.reload()
        beside = page.locator('.review-comment[data-section="firearms"]')
        expect(beside).to_contain_text(COMMENT)
        expect(beside).to_contain_text("Armas de fuego")
        act(page, "submit", "Se agregó el importador del AK-47.")
        expect(page.locator("dl.facts")).to_contain_text("En revisión")
        expect(page.locator('.review-comment[data-section="firearms"]')).to_have_count(0)

        # The supervisor approves; both rounds stay on the record, and the timeline tells it.
        supervisor.goto(case_url)
        act(supervisor, "approve")
        expect(supervisor.locator("dl.facts")).to_contain_text("Aprobado")
        expect(supervisor.locator(".review-rounds > li")).to_have_count(2)
        history = supervisor.locator("#timeline")
        expect(history).to_contain_text("Aprobar")
        expect(history).to_contain_text("Devolver con observaciones")
        expect(history).to_contain_text(COMMENT)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        supervisor.screenshot(path=str(SCREENSHOTS / "review_approved_case.png"), full_page=True)
    finally:
        supervisor_context.close()
