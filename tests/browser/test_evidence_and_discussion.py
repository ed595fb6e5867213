"""Issue 20's journey in Chromium: a pilot attaches a PDF to a value and submits the year; SCP asks
about that evidence, the pilot answers, SCP resolves the thread and validates; the bilan PDF lists the
evidence's title; the public site and its open data show none of it (unique markers)."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from actions.services import plan_publication_set
from discussions.enums import ThreadStatus
from discussions.models import Thread
from evidence.models import Evidence
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview
from reporting.services import bilan_publish, published_bilan_set_public
from tests.browser.test_closing_a_plan import axe_violations
from tests.browser.test_pilot_workspace import log_in
from tests.evidence.conftest import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "ZQ-Preuve Heures d'insertion 2025"
QUESTION = "ZQ-Question Ce PV couvre-t-il toute l'année ?"
ANSWER = "ZQ-Réponse Oui, de janvier à décembre."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _pilot_attaches_and_submits(page, base, hours, pdf: Path) -> Evidence:
    page.goto(f"{base}/saisie/2025/")
    section = page.locator("#preuves")
    section.get_by_label("Titre").fill(TITLE)
    section.get_by_label("Date du document").fill("2025-12-15")
    section.get_by_label("Fichier").set_input_files(str(pdf))
    section.get_by_label("Preuve de").select_option(value=f"i{hours.pk}")
    section.get_by_role("button", name="Ajouter la preuve").click()
    expect(page.get_by_role("status")).to_contain_text("ajoutée")
    expect(page.locator(f"#indicateur-{hours.code}")).to_contain_text("1 preuve")
    page.locator(f"#id_value_{hours.pk}").fill("1 250")
    page.get_by_label("État d'avancement de l'action").select_option(label="En cours")
    page.get_by_role("button", name=re.compile("soumettre")).click()
    expect(page.locator("#spaser54-2021-2026-2025-fiche-11")).to_contain_text("Soumis")
    return Evidence.objects.get()


def _bilan_pdf_text(page, live_server, slug: str) -> str:
    """The bilan's PDF as the comité gets it: through its job's page, then pdftotext."""
    page.goto(f"{live_server.url}/plans/{slug}/bilans/2025/")
    page.get_by_role("link", name="Télécharger le PDF").click()
    link = page.get_by_role("link", name=re.compile("^Télécharger .*\\.pdf"))
    with page.expect_download() as download:
        link.click()
    return _pdf_text(Path(download.value.path()).read_bytes())


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    command = ["pdftotext", "-layout", "-", "-"]
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode()


def test_evidence_and_discussion_from_the_entry_to_the_bilan(
    page, live_server, fiche11, campaign2025, pilot11, scp_user, media, tmp_path
):
    page.set_default_timeout(30_000)  # the bilan's PDF is rendered by its job while the page waits
    base = f"{live_server.url}/plans/{fiche11.plan.slug}/fiches/11"
    hours = fiche11.indicators.get(code="11-I1")
    pdf = tmp_path / "PV comité 2025.pdf"
    pdf.write_bytes(pdf_bytes())
    found = {}

    log_in(page, live_server, pilot11.username)
    evidence = _pilot_attaches_and_submits(page, base, hours, pdf)
    assert (evidence.indicator, evidence.added_by, evidence.file_name) == (hours, pilot11, pdf.name)
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, scp_user.username)  # SCP asks about that piece of evidence
    page.goto(f"{base}/echanges/2025/")
    page.get_by_label("À propos de").select_option(f"evidence-{evidence.pk}")
    page.get_by_label("Message", exact=True).fill(QUESTION)
    page.get_by_role("button", name="Ouvrir l'échange").click()
    thread = Thread.objects.get()
    assert thread.evidence == evidence and thread.is_open
    found["échanges (SCP)"] = axe_violations(page)
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, pilot11.username)  # the pilot sees it beside the evidence and answers
    page.goto(f"{base}/saisie/2025/")
    expect(page.locator("#echanges")).to_contain_text(TITLE)
    found["saisie (pilote)"] = axe_violations(page)
    page.goto(f"{base}/echanges/2025/")
    page.get_by_label(re.compile("^Votre réponse")).fill(ANSWER)
    page.get_by_role("button", name=re.compile("^Répondre")).click()
    expect(page.locator(f"#fil-{thread.pk}")).to_contain_text(ANSWER)
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, scp_user.username)  # SCP resolves, then validates without a question
    page.goto(f"{base}/echanges/2025/")
    page.get_by_role("button", name=re.compile("^Marquer comme résolu")).click()
    expect(page.locator(f"#fil-{thread.pk} .badge")).to_have_text("Résolu")
    page.goto(f"{live_server.url}/plans/{fiche11.plan.slug}/campagnes/2025/")
    page.locator("#fiche-11").get_by_role("button", name=re.compile("^Valider")).click()
    expect(page.get_by_role("status")).to_contain_text("Fiche 11 – 2025 : validé")
    assert Thread.objects.get().status == ThreadStatus.RESOLVED
    assert AnnualReview.objects.get(fiche=fiche11, year=2025).status == ReviewStatus.VALIDATED

    text = _bilan_pdf_text(page, live_server, fiche11.plan.slug)
    assert TITLE in " ".join(text.split())  # its title, not the file
    assert QUESTION not in text and ANSWER not in text

    # Published with its 2025 bilan made public: no marker on the public pages nor in open data.
    plan_publication_set(plan=fiche11.plan, is_public=True, user=scp_user)
    bilan = bilan_publish(plan=fiche11.plan, year=2025, user=scp_user)
    published_bilan_set_public(bilan=bilan, is_public=True, user=scp_user)
    page.get_by_role("button", name="Se déconnecter").click()
    public = f"{live_server.url}/public/{fiche11.plan.slug}"
    for path in (
        "/",
        "/fiches/11/",
        f"/bilans/2025/v{bilan.version}/",
        f"/bilans/2025/v{bilan.version}/pdf/",
        "/donnees/",
        "/donnees/valeurs.csv",
    ):
        response = page.request.get(public + path)
        assert response.status == 200, path
        body = _pdf_text(response.body()) if path.endswith("pdf/") else response.text()
        assert "ZQ-" not in body and pdf.stem not in body, path
    assert {name: report for name, report in found.items() if report} == {}
