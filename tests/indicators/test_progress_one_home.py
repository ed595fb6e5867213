"""A fiche's progress has one home, its annual reviews: what a pilot submits and SCP validates is what
the plan page, the fiche page, the bilan and the Excel export show.

Until SCP validates it, the pilot's statement is a draft: the plan and fiche pages keep showing the
fiche's current progress (its latest validated review: none yet, "Non renseigné"), the bilan and the
export show the year's statement marked as not validated.
"""

import html
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import ProgressStatus
from actions.models import Fiche
from core import rights
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview
from tests.conftest import SPASER54
from tests.factories import AnnualReviewFactory, CampaignFactory, user_in_role
from tests.utils import form_data

pytestmark = pytest.mark.django_db

YEAR = 2025
UNKNOWN = "Non renseigné"
DONE = ProgressStatus.DONE.label  # "Réalisée"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def plan_page_progress(client: Client, fiche: Fiche) -> str:
    """The "Avancement" cell of the fiche's row on the plan page."""
    page = page_text(client, reverse("indicators:plan_detail", args=[fiche.plan.slug]))
    row = re.search(rf'<td class="num">{fiche.number}</td>(.*?)</tr>', page, re.S)
    return re.search(r'<span class="status status-[^"]+">([^<]+)</span>', row[1])[1]


def fiche_page_progress(client: Client, fiche: Fiche) -> str:
    page = page_text(client, reverse("indicators:fiche_detail", args=[fiche.plan.slug, fiche.number]))
    return re.search(r'État d\'avancement</dt><dd><span class="status status-[^"]+">([^<]+)</span>', page)[1]


def bilan_fiche(client: Client, fiche: Fiche) -> tuple[str, str]:
    """The fiche's progress in the bilan of the year, and the head of its review of the year."""
    page = page_text(client, reverse("reporting:bilan_detail", args=[SPASER54, YEAR]))
    article = re.search(rf'<article class="fiche" id="fiche-{fiche.number}">(.*?)</article>', page, re.S)[1]
    status = re.search(
        r'État d\'avancement</dt><dd><span class="status status-[^"]+">([^<]+)</span>', article
    )
    head = re.search(rf"<p class=\"review-head\"><strong>{YEAR}</strong>(.*?)</p>", article, re.S)
    return status[1], re.sub(r"<[^>]+>", "", head[1]).strip(" –")


def export_progress(client: Client, fiche: Fiche) -> tuple[str, str]:
    """The fiche's row of the "Avancement" sheet: its current progress and the year's column."""
    response = client.get(reverse("indicators:values_xlsx", args=[fiche.plan.slug]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content))["Avancement"]
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row[0] == fiche.number:
            return row[headers.index("État d'avancement (dernier bilan validé)")], row[
                headers.index(str(YEAR))
            ]
    raise KeyError(fiche.number)


def test_the_status_a_pilot_submits_and_scp_validates_is_the_one_every_page_shows(fiche11):
    CampaignFactory(plan=fiche11.plan, year=YEAR)
    pilot = user_in_role(rights.PILOTS_GROUP, pilot_of=fiche11)
    reader = user_in_role(rights.PILOTS_GROUP)  # reads the plan, pilots no fiche
    scp = user_in_role(rights.SCP_GROUP)
    clients = {"pilot": logged_in(pilot), "reader": logged_in(reader), "scp": logged_in(scp)}

    entry = reverse("indicators:entry", args=[fiche11.plan.slug, fiche11.number, YEAR])
    data = form_data(page_text(clients["pilot"], entry), "saisie")
    data |= {
        "progress_status": ProgressStatus.DONE,
        "achievements": "Analyse partagée en place.",
        "action": "submit",
    }
    response = clients["pilot"].post(entry, data)
    assert response.status_code == 302
    assert AnnualReview.objects.get(fiche=fiche11, year=YEAR).status == ReviewStatus.SUBMITTED

    # Submitted, not validated: the fiche's progress is still unknown; the year's statement is a draft.
    for client in clients.values():
        assert plan_page_progress(client, fiche11) == UNKNOWN
        assert fiche_page_progress(client, fiche11) == UNKNOWN
    assert bilan_fiche(clients["scp"], fiche11)[1] == f"{DONE} – soumis, non validé"
    assert export_progress(clients["scp"], fiche11) == (UNKNOWN, f"{DONE} (non validé)")

    campaign = page_text(clients["scp"], reverse("indicators:campaign", args=[SPASER54, YEAR]))
    validate = reverse("indicators:campaign_fiche_action", args=[SPASER54, YEAR, fiche11.number, "valider"])
    assert f'action="{validate}"' in campaign
    assert clients["scp"].post(validate).status_code == 302
    assert AnnualReview.objects.get(fiche=fiche11, year=YEAR).status == ReviewStatus.VALIDATED

    for client in clients.values():
        assert plan_page_progress(client, fiche11) == DONE
        assert fiche_page_progress(client, fiche11) == DONE
        assert bilan_fiche(client, fiche11) == (DONE, f"{DONE} – validé")
    assert export_progress(clients["scp"], fiche11) == (DONE, DONE)


def test_the_current_progress_is_the_latest_validated_review_not_the_latest_statement(fiche11):
    """2023 validated "En cours", 2024 submitted "Réalisée": the pages show "En cours" (bilan 2023)."""
    AnnualReviewFactory(fiche=fiche11, year=2023, validated=True, progress_status=ProgressStatus.IN_PROGRESS)
    AnnualReviewFactory(fiche=fiche11, year=2024, submitted=True, progress_status=ProgressStatus.DONE)
    client = logged_in(user_in_role(rights.COMMITTEE_GROUP))

    assert plan_page_progress(client, fiche11) == ProgressStatus.IN_PROGRESS.label
    assert fiche_page_progress(client, fiche11) == ProgressStatus.IN_PROGRESS.label
    assert export_progress(client, fiche11)[0] == ProgressStatus.IN_PROGRESS.label


def plan_page_queries(client: Client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("indicators:plan_detail", args=[plan.slug])).status_code == 200
    return len(queries)


def test_the_plan_page_reads_every_fiches_progress_in_a_constant_number_of_queries(
    spaser54, django_assert_max_num_queries
):
    client = logged_in(user_in_role(rights.COMMITTEE_GROUP))
    without_reviews = plan_page_queries(client, spaser54)
    for fiche in Fiche.objects.filter(plan=spaser54):
        for year in (2021, 2022, 2023):
            AnnualReviewFactory(fiche=fiche, year=year, validated=True, progress_status=ProgressStatus.DONE)
        AnnualReviewFactory(fiche=fiche, year=2024, submitted=True)

    # The same queries whether no fiche or every fiche has reviews: one query reads all progress.
    assert plan_page_queries(client, spaser54) == without_reviews
    # Session, user, rights, plan, axes/objectives/fiches/principles/pilots, reviews, glossary, packs.
    with django_assert_max_num_queries(12):
        client.get(reverse("indicators:plan_detail", args=[spaser54.slug]))
