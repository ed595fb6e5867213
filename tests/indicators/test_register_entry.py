"""Fiche indicators computed from the contracts register, as the pilot meets them on the entry page.

SCP marks fiche 11's "marchés supplémentaires comportant une clause d'insertion" (11-E1) as counted
from the register (contracts with a social consideration); the pilot sees the computed figure and its
source, takes it, or types another value with a comment. Nothing replaces a typed value silently.
"""

import html
import json
from decimal import Decimal

import pytest

from actions.models import Buyer, Fiche
from contracts.enums import Category, Measure
from contracts.models import RegisterIndicator
from contracts.services import decp_apply
from indicators.models import IndicatorValue
from tests.indicators.conftest import client_for, entry_url
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db

BUYER = "21540001600013"
OTHER = "21570001900012"


def contract(number: int, *, buyer=BUYER, social=("Clause sociale",), year=2025, amount=50000):
    return {
        "id": f"C{number}",
        "acheteur": {"id": buyer},
        "nature": "Marché",
        "objet": f"Contrat {number}",
        "codeCPV": "45000000-7",
        "procedure": "Appel d'offres ouvert",
        "dateNotification": f"{year}-06-0{1 + number % 8}+02:00",
        "datePublicationDonnees": f"{year}-07-01",
        "montant": amount,
        "considerationsSociales": {"considerationSociale": list(social)},
        "considerationsEnvironnementales": {"considerationEnvironnementale": ["Clause environnementale"]},
    }


@pytest.fixture
def register(tmp_path, fiche11):
    """Three 2025 contracts of the plan's buyer with a social clause, one without, one of another
    buyer, one of 2024: the computed figure for 2025 is 3."""
    Buyer.objects.create(plan=fiche11.plan, siret=BUYER, name="Département")
    records = [
        contract(1),
        contract(2),
        contract(3, social=("Clause sociale", "Marché réservé")),
        contract(4, social=("Pas de considération sociale",)),
        contract(5, buyer=OTHER),
        contract(6, year=2024),
    ]
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": {"marche": records}}), encoding="utf-8")
    decp_apply([str(path)], buyers=[BUYER])
    indicator = fiche11.indicators.get(code="11-E1")
    RegisterIndicator.objects.create(indicator=indicator, category=Category.SOCIAL, measure=Measure.COUNT)
    return indicator


def entry_form(client, fiche):
    response = client.get(entry_url(fiche))
    assert response.status_code == 200
    return response.content.decode(), form_data(response.content.decode(), "saisie")


def test_the_pilot_sees_the_computed_figure_and_its_source(register, fiche11, campaign2025, pilot11):
    page, _ = entry_form(client_for(pilot11), fiche11)
    assert "Valeur calculée depuis le registre des contrats" in page
    assert '<span class="computed">3 marchés</span>' in page
    assert BUYER in page and "notifiés en 2025" in page


def test_taking_the_computed_figure_stores_it(register, fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    _, data = entry_form(client, fiche11)
    data[f"use_register_{register.pk}"] = "on"
    data["action"] = "save"
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=register, year=2025).value_number == Decimal(3)


def test_another_value_needs_a_comment_and_nothing_is_written_without(
    register, fiche11, campaign2025, pilot11
):
    client = client_for(pilot11)
    _, data = entry_form(client, fiche11)
    data |= {f"value_{register.pk}": "5", "action": "save"}
    before = database_state()
    response = client.post(entry_url(fiche11), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "diffère de la valeur calculée depuis le registre des contrats (3 marchés)" in page
    assert f'name="value_{register.pk}" value="5"' in page or 'value="5"' in page  # the typing is kept
    assert database_state() == before

    data[f"comment_{register.pk}"] = "2 marchés du service Routes pas encore publiés"
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 302
    stored = IndicatorValue.objects.get(indicator=register, year=2025)
    assert stored.value_number == Decimal(5) and "pas encore publiés" in stored.comment

    page, _ = entry_form(client, fiche11)
    assert "diffère de la valeur calculée" in page  # both are shown, the typed value is kept
    assert '<span class="computed">3 marchés</span>' in page


def test_ticking_the_figure_and_typing_another_value_is_refused(register, fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    _, data = entry_form(client, fiche11)
    data |= {f"value_{register.pk}": "7", f"use_register_{register.pk}": "on", "action": "save"}
    before = database_state()
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 200
    assert "gardez l'une ou l'autre" in html.unescape(response.content.decode())
    assert database_state() == before


def test_a_later_import_never_replaces_a_typed_value(register, fiche11, campaign2025, pilot11, tmp_path):
    client = client_for(pilot11)
    _, data = entry_form(client, fiche11)
    data[f"use_register_{register.pk}"] = "on"
    data["action"] = "save"
    assert client.post(entry_url(fiche11), data).status_code == 302

    later = [contract(n) for n in (1, 2, 3, 7)]  # one more 2025 contract published later
    path = tmp_path / "later.json"
    path.write_text(json.dumps({"marches": {"marche": later}}), encoding="utf-8")
    decp_apply([str(path)], buyers=[BUYER])
    assert IndicatorValue.objects.get(indicator=register, year=2025).value_number == Decimal(3)
    page, _ = entry_form(client, fiche11)
    assert '<span class="computed">4 marchés</span>' in page and "diffère de la valeur calculée" in page


def test_a_value_saved_before_the_link_does_not_block_the_rest_of_the_fiche(
    register, fiche11, campaign2025, pilot11
):
    """SCP links 11-E1 to the register after the pilot typed 5 without a comment: the pilot's next
    save of the fiche (another indicator changed) goes through, 5 is kept, and the page shows that it
    differs and has no comment. Changing 5 to 6 without a comment is refused as for a new value."""
    IndicatorValue.objects.create(indicator=register, year=2025, value_number=Decimal(5))
    client = client_for(pilot11)
    page, data = entry_form(client, fiche11)
    assert "diffère de la valeur calculée" in page and "sans commentaire" in page
    other = fiche11.indicators.exclude(pk=register.pk).filter(value_type="count").first()
    data |= {f"value_{other.pk}": "4", "action": "save"}
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert IndicatorValue.objects.get(indicator=other, year=2025).value_number == Decimal(4)
    assert IndicatorValue.objects.get(indicator=register, year=2025).value_number == Decimal(5)

    page, data = entry_form(client, fiche11)
    data |= {f"value_{register.pk}": "6", "action": "save"}
    before = database_state()
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "diffère de la valeur calculée depuis le registre des contrats (3 marchés)" in page
    assert database_state() == before


def test_removing_the_comment_of_a_differing_value_is_refused(register, fiche11, campaign2025, pilot11):
    IndicatorValue.objects.create(
        indicator=register, year=2025, value_number=Decimal(5), comment="marchés pas encore publiés"
    )
    client = client_for(pilot11)
    _, data = entry_form(client, fiche11)
    data |= {f"comment_{register.pk}": "", "action": "save"}
    before = database_state()
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 200
    assert "indiquez en commentaire d'où vient la vôtre" in html.unescape(response.content.decode())
    assert database_state() == before


def test_without_buyer_or_import_the_indicator_is_typed_as_any_other(fiche11, campaign2025, pilot11):
    RegisterIndicator.objects.create(
        indicator=fiche11.indicators.get(code="11-E1"), category=Category.SOCIAL, measure=Measure.COUNT
    )
    page, _ = entry_form(client_for(pilot11), fiche11)
    assert "Valeur calculée depuis le registre" not in page


def test_amount_figures_sum_initial_amounts(tmp_path, fiche11, campaign2025, pilot11):
    Buyer.objects.create(plan=fiche11.plan, siret=BUYER, name="Département")
    records = [
        contract(1, social=("Marché réservé",), amount=40000.5),
        contract(2, social=("Marché réservé",), amount=60000),
        contract(3, amount=99999),
    ]
    modified = {"id": 1, "montant": 90000, "datePublicationDonneesModification": "2025-10-01"}
    records[0]["modifications"] = [{"modification": modified}]
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": {"marche": records}}), encoding="utf-8")
    decp_apply([str(path)], buyers=[BUYER])
    fiche13 = Fiche.objects.get(plan=fiche11.plan, number=13)
    indicator = fiche13.indicators.get(code="13-E2")
    RegisterIndicator.objects.create(indicator=indicator, category=Category.RESERVED, measure=Measure.AMOUNT)
    fiche13.ordered_pilots()[0].users.add(pilot11)
    page, _ = entry_form(client_for(pilot11), fiche13)
    assert "100\u00a0000,50 €" in page  # initial amounts, not the modified one
