"""The legal indicators (art. L2111-3) on the public site: the register's figures for the plan's
buyers, the same as SCP's page, without SCP's working list; no section while the register is empty."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Buyer
from contracts.services import decp_apply
from tests.public.conftest import readable_text

pytestmark = pytest.mark.django_db

BUYER = "21540001600013"


def record(number: int, year: int, social: list[str], environmental: list[str]) -> dict:
    return {
        "id": f"PUB{number}",
        "acheteur": {"id": BUYER},
        "nature": "Marché",
        "objet": f"Marché public {number}",
        "codeCPV": "45000000-7",
        "procedure": "Appel d'offres ouvert",
        "dateNotification": f"{year}-09-15+02:00",
        "datePublicationDonnees": f"{year}-10-01",
        "montant": 100000,
        "considerationsSociales": {"considerationSociale": social},
        "considerationsEnvironnementales": {"considerationEnvironnementale": environmental},
    }


def public_plan_text(plan) -> str:
    response = Client().get(reverse("public:plan", args=[plan.slug]))
    assert response.status_code == 200
    return readable_text(response)


def test_no_section_while_the_register_holds_none_of_the_buyers_contracts(public_plan):
    assert "Indicateurs légaux" not in public_plan_text(public_plan)


def test_the_section_shows_the_latest_year_and_the_trend(public_plan, tmp_path):
    Buyer.objects.create(plan=public_plan, siret=BUYER, name="Département")
    none_social = ["Pas de considération sociale"]
    none_environmental = ["Pas de considération environnementale"]
    records = [
        record(1, 2025, ["Clause sociale"], ["Clause environnementale"]),
        record(2, 2025, none_social, ["Critère environnemental"]),
        record(3, 2025, none_social, none_environmental),
        record(4, 2026, none_social, none_environmental),  # after 21 August 2026: SCP's list only
        record(5, 2024, ["Marché réservé"], none_environmental),
    ]
    path = tmp_path / "decp.json"
    path.write_text(json.dumps({"marches": {"marche": records}}), encoding="utf-8")
    decp_apply([str(path)], buyers=[BUYER])

    text = public_plan_text(public_plan)
    assert "Indicateurs légaux (art. L2111-3)" in text
    assert "Contrats notifiés en 2026" in text  # the latest year with contracts
    # The trend: 2025 has 3 contracts, 1 social (33,3 %), 2 environmental (66,7 %).
    assert "(33,3\u00a0%)" in text and "(66,7\u00a0%)" in text
    assert "PUB4" not in text  # contracts are counted, not listed; SCP's working list stays private
    assert "sans considération environnementale" not in text.lower()
