import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from actions.models import Fiche
from indicators.models import Campaign
from tests.conftest import PASSWORD


@pytest.fixture
def fiche11(spaser54) -> Fiche:
    return Fiche.objects.select_related("plan").get(plan=spaser54, number=11)


@pytest.fixture
def campaign2025(spaser54) -> Campaign:
    return Campaign.objects.create(plan=spaser54, year=2025, deadline=datetime.date(2027, 1, 31))


def entry_url(fiche: Fiche, year: int = 2025) -> str:
    return f"/plans/{fiche.plan.slug}/fiches/{fiche.number}/saisie/{year}/"


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client
