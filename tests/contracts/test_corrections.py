"""SCP corrects what the published data gets wrong, with a reason, on the contract's page: each
consideration flag, or the contract excluded. The correction is in the history with its author,
survives a re-import of the original file, shows beside the published value, and the legal page, the
bilan's section and `legal_indicators` say which figures rest on corrections."""

import html
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from contracts import services
from contracts.enums import Considerations
from contracts.models import Contract, ContractCorrection
from tests.contracts import files
from tests.contracts.files import BUYER, ENV_CLAUSE, NO_ENV, NO_SOCIAL, marche, write_2022
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(spaser54, tmp_path):
    """Three contracts of 2025 as published: none states a social consideration."""
    files.add_buyer(spaser54, BUYER)
    path = write_2022(
        tmp_path / "decp-2025.json",
        marches=[
            marche("C-1", amount=100000, social=[NO_SOCIAL], environmental=[NO_ENV]),
            marche("C-2", amount=200000, social=None, environmental=[ENV_CLAUSE]),
            marche("C-3", amount=300000, social=[NO_SOCIAL], environmental=[NO_ENV]),
        ],
    )
    call_command("decp_import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    return path


def contract(contract_id: str) -> Contract:
    return Contract.objects.get(uid=f"{BUYER}{contract_id}")


def page_url(plan, contract_id: str) -> str:
    return reverse("contracts:contract_detail", args=[plan.slug, contract(contract_id).pk])


def legal(plan, year: int = 2025) -> dict:
    out = io.StringIO()
    call_command("legal_indicators", plan=plan.slug, year=year, format="json", stdout=out)
    return json.loads(out.getvalue())


def correct(client, plan, contract_id: str, **changes):
    """SCP fills the page's correction form as shown and submits it."""
    url = page_url(plan, contract_id)
    data = form_data(client.get(url).content.decode(), form_id="correction")
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data)


def test_scp_corrects_a_flag_with_a_reason_and_the_figures_follow(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    assert legal(spaser54)["social"]["count"] == 0

    response = correct(
        client,
        spaser54,
        "C-1",
        social_clause="oui",
        reason="Le CCAP prévoit une clause d'insertion (art. 12).",
    )

    assert response.status_code == 302
    row = contract("C-1")
    assert (row.social, row.social_clause, row.corrected) == (Considerations.STATED, True, True)
    assert row.published["social"] == Considerations.NONE and row.published["social_clause"] is False
    figures = legal(spaser54)
    assert figures["social"] == {"count": 1, "amount": "100000.00"}
    assert figures["corrected"] == [f"{BUYER}C-1"] and figures["corrected_count"] == 1
    # The page shows the published value beside the correction, the reason and who made it.
    page = html.unescape(client.get(page_url(spaser54, "C-1")).content.decode())
    assert re.search(r"Clause sociale</th><td>non</td><td>oui <span class=\"badge\">corrigé</span>", page)
    assert "Le CCAP prévoit une clause d'insertion (art. 12)." in page
    assert "Scp Test" in page
    # In the history of both the contract and the correction, with their author.
    record = row.history.first()
    assert record.history_user == scp_user and record.history_change_reason.startswith("Correction : Le CCAP")
    assert ContractCorrection.history.get().history_user == scp_user


def test_a_correction_survives_a_reimport_of_the_original_file(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    correct(client, spaser54, "C-1", social_clause="oui", reason="Clause d'insertion au CCAP.")
    correct(client, spaser54, "C-3", excluded="on", reason="Doublon du contrat C-1.")
    before = legal(spaser54)

    out = io.StringIO()
    call_command("decp_import", str(imported), stdout=out, stderr=io.StringIO())

    assert "0 nouveaux, 0 modifiés, 3 inchangés" in out.getvalue()
    assert legal(spaser54) == before
    # A later publication that changes the contract keeps the correction over it too.
    later = write_2022(
        imported.parent / "decp-2025-bis.json",
        marches=[
            marche(
                "C-1", amount=100000, social=[NO_SOCIAL], environmental=[ENV_CLAUSE], published="2025-12-01"
            )
        ],
    )
    call_command("decp_import", str(later), stdout=io.StringIO(), stderr=io.StringIO())
    row = contract("C-1")
    assert (row.social_clause, row.environmental_clause, row.corrected) == (True, True, True)
    assert legal(spaser54)["excluded"] == [f"{BUYER}C-3"]


def test_an_excluded_contract_counts_nowhere_and_is_listed(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    correct(client, spaser54, "C-3", excluded="on", reason="Doublon du contrat C-1 (erreur de publication).")

    figures = legal(spaser54)

    assert figures["contracts"] == {"count": 2, "amount": "300000.00"}
    assert figures["excluded"] == [f"{BUYER}C-3"] and figures["corrected"] == [f"{BUYER}C-3"]
    page = html.unescape(
        client.get(reverse("contracts:legal_indicators", args=[spaser54.slug, 2025])).content.decode()
    )
    assert "Chiffres reposant sur des corrections : 1 contrat" in page
    assert "1 contrat exclu par le service commande publique n'y est pas compté" in page
    listing = reverse("contracts:contract_list", args=[spaser54.slug])
    assert f'href="{listing}?annee=2025&corrige=on"' in page
    excluded = client.get(f"{listing}?annee=2025&exclu=on").content.decode()
    assert "<strong>1 contrat</strong>" in excluded and "C-3" in excluded


def test_removing_a_correction_gives_back_the_published_values(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    correct(client, spaser54, "C-2", social_criterion="oui", reason="Critère social au règlement.")
    assert contract("C-2").social == Considerations.STATED

    correct(client, spaser54, "C-2", social_criterion="", reason="Le critère n'a pas été retenu finalement.")

    row = contract("C-2")
    assert (row.social, row.social_criterion, row.corrected) == (Considerations.UNKNOWN, False, False)
    assert not ContractCorrection.objects.exists()
    assert (
        ContractCorrection.history.filter(history_type="-")
        .get()
        .history_change_reason.startswith("Le critère")
    )


def test_a_side_scp_states_wholly_is_known(client, scp_user, spaser54, imported):
    """C-2 publishes no social field (unknown): SCP saying "no" to one flag leaves it unknown, to all
    three makes it "none"."""
    client.force_login(scp_user)
    correct(client, spaser54, "C-2", social_clause="non", reason="Vérifié au CCAP.")
    assert contract("C-2").social == Considerations.UNKNOWN

    correct(
        client, spaser54, "C-2", social_criterion="non", reserved="non", reason="Vérifié au CCAP et au RC."
    )

    assert contract("C-2").social == Considerations.NONE


def test_a_correction_without_reason_is_refused_keeping_the_typing(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    before = database_state()

    response = correct(client, spaser54, "C-1", social_clause="oui", reason="   ")

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert re.search(
        r'id_reason"[^>]*>\s*</textarea><span class="field-error">Ce champ est obligatoire', page
    )
    assert re.search(r'<input type="radio" name="social_clause" value="oui"[^>]*checked', page)
    assert database_state() == before


def test_two_people_correcting_at_once_lose_nothing(client, scp_user, spaser54, imported):
    client.force_login(scp_user)
    correct(client, spaser54, "C-1", social_clause="oui", reason="Première lecture du CCAP.")
    url = page_url(spaser54, "C-1")
    stale = form_data(client.get(url).content.decode(), form_id="correction")
    correct(client, spaser54, "C-1", social_criterion="oui", reason="Seconde lecture : critère aussi.")
    before = database_state()

    stale["reserved"] = ["oui"]
    stale["reason"] = ["Une troisième lecture, sur une page ancienne."]
    response = client.post(url, stale)

    assert response.status_code == 200
    assert "depuis que vous l'avez ouvert" in html.unescape(response.content.decode())
    assert database_state() == before
    assert contract("C-1").social_criterion is True


def test_only_scp_corrects(client, committee_user, pilot11, spaser54, imported):
    client.force_login(pilot11)  # each first sign-in is recorded (accounts.Account): before the count
    client.force_login(committee_user)
    url = page_url(spaser54, "C-1")
    page = client.get(url).content.decode()
    assert 'id="correction"' not in page  # the comité reads, SCP corrects
    before = database_state()
    assert client.post(url, {"social_clause": "oui", "reason": "Tentative."}).status_code == 403
    client.force_login(pilot11)
    assert client.post(url, {"social_clause": "oui", "reason": "Tentative."}).status_code == 403
    assert database_state() == before
    with pytest.raises(Exception, match="Seul le service commande publique"):
        services.contract_correct(
            contract=contract("C-1"), user=committee_user, flags={}, excluded=True, reason="Commande."
        )
