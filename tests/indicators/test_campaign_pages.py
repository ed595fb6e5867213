"""SCP runs the yearly campaign from plans/<slug>/campagnes/: open with a deadline, validate, return,
reopen, close."""

import pytest

from indicators.enums import CampaignStatus, ReviewStatus
from indicators.models import AnnualReview, Campaign
from indicators.services import workflow
from tests.indicators.conftest import client_for, entry_url

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/plans/spaser54-2021-2026/campagnes/"


def test_scp_opens_a_campaign_and_pilots_see_it(spaser54, scp_user, pilot11):
    scp = client_for(scp_user)
    response = scp.post(CAMPAIGNS, {"year": "2031", "deadline": "2032-01-31"})
    assert response.status_code == 200 and "hors du plan" in response.content.decode()
    assert not Campaign.objects.exists()
    response = scp.post(CAMPAIGNS, {"year": "2026", "deadline": "pas une date"})
    assert response.status_code == 200 and 'value="pas une date"' in response.content.decode()
    assert scp.post(CAMPAIGNS, {"year": "2026", "deadline": "2027-03-31"}).status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.year, str(campaign.deadline), campaign.status) == (
        2026,
        "2027-03-31",
        CampaignStatus.OPEN,
    )
    assert campaign.history.get().history_user == scp_user
    assert (
        "Bilan 2026 – à remettre avant le 31 mars 2027"
        in client_for(pilot11).get("/mes-fiches/").content.decode()
    )
    scp.post(f"{CAMPAIGNS}2026/fermer/")
    assert Campaign.objects.get().status == CampaignStatus.CLOSED
    assert "Aucune campagne de saisie" in client_for(pilot11).get("/mes-fiches/").content.decode()


def test_scp_returns_with_a_comment_then_validates_then_reopens(fiche11, campaign2025, pilot11, scp_user):
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    scp = client_for(scp_user)
    listing = scp.get(f"{CAMPAIGNS}2025/").content.decode()
    assert "soumis par Pilote11 Test" in listing
    response = scp.post(f"{CAMPAIGNS}2025/fiches/11/renvoyer/", {"comment": "  "}, follow=True)
    assert "commentaire obligatoire" in response.content.decode()
    assert AnnualReview.objects.get().status == ReviewStatus.SUBMITTED
    scp.post(f"{CAMPAIGNS}2025/fiches/11/renvoyer/", {"comment": "Précisez le nombre d'heures (11-I1)."})
    pilot = client_for(pilot11)
    assert "Renvoyé au pilote" in pilot.get("/mes-fiches/").content.decode()
    entry = pilot.get(entry_url(fiche11)).content.decode()
    assert "Précisez le nombre d&#x27;heures (11-I1)." in entry and "Enregistrer le brouillon" in entry

    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    # The return's thread is still open (discussions): SCP is asked to confirm, and confirms.
    assert "Confirmer la validation" in scp.post(f"{CAMPAIGNS}2025/fiches/11/valider/").content.decode()
    scp.post(f"{CAMPAIGNS}2025/fiches/11/valider/", {"confirm": "1"})
    assert AnnualReview.objects.get().status == ReviewStatus.VALIDATED
    assert "est validé" in pilot.get(entry_url(fiche11)).content.decode()
    scp.post(f"{CAMPAIGNS}2025/fiches/11/rouvrir/")
    assert AnnualReview.objects.get().status == ReviewStatus.RETURNED
    assert scp.post(f"{CAMPAIGNS}2025/fiches/11/inconnu/").status_code == 404
