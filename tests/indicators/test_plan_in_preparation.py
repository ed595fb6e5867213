"""A plan in preparation (the next schema, prepared from SPASER 54) has no follow-up yet: no campaign,
no values, no reviews, no milestone progress, no bilan, no contracts import. Each writer refuses in
French with the database unchanged; its content stays editable by SCP."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from actions.enums import MilestoneStatus, PlanState, ValueType
from actions.models import Fiche, Plan
from contracts import services as contract_services
from indicators import values_workbook
from indicators.models import IndicatorValue
from indicators.services import campaigns, workflow
from reporting.services import BilanPublishRefused, bilan_publish
from tests.indicators.conftest import entry_url
from tests.indicators.test_closed_plan import admin_url, change_form, dump, said
from tests.utils import form_data
from tests.workbooks import Sheet

pytestmark = pytest.mark.django_db

PREPARATION = "est en préparation"


@pytest.fixture
def draft(next_plan) -> Plan:
    return next_plan


@pytest.fixture
def admin(scp_user) -> Client:
    client = Client()
    client.force_login(scp_user)
    return client


def draft_fiche(draft) -> Fiche:
    return Fiche.objects.select_related("plan").get(plan=draft, number=11)


def refused(call) -> str:
    try:
        call()
    except (workflow.WorkflowError, BilanPublishRefused, contract_services.NoBuyers) as error:
        return str(error)
    raise AssertionError("the write was not refused")


def entry_as_scp(draft, admin, user=None):
    fiche = draft_fiche(draft)
    page = admin.get(entry_url(fiche, 2027))
    data = form_data(page.content.decode(), "saisie") | {
        "achievements": ["Saisi trop tôt"],
        "action": ["save"],
    }
    indicator = fiche.indicators.filter(value_type=ValueType.COUNT).first()
    data[f"value_{indicator.pk}"] = ["3"]
    return said(admin.post(entry_url(fiche, 2027), data, follow=True))


def value_in_admin(draft, admin, user=None):
    indicator = draft_fiche(draft).indicators.filter(value_type=ValueType.COUNT).first()
    data = {"indicator": indicator.pk, "year": 2027, "value_number": "4", "comment": ""}
    return said(admin.post(reverse("admin:indicators_indicatorvalue_add"), data))


def milestone_progress_in_admin(draft, admin, user=None):
    milestone = draft_fiche(draft).milestones.order_by("position").first()
    data = change_form(admin, milestone) | {"status": [MilestoneStatus.DONE], "completed_on": ["02/02/2027"]}
    return said(admin.post(admin_url(milestone, "change"), data))


def campaign_in_admin(draft, admin, user=None):
    data = {"plan": draft.pk, "year": 2027, "deadline": "31/03/2028", "status": "ouverte"}
    return said(admin.post(reverse("admin:indicators_campaign_add"), data))


def values_import(draft, admin, user=None):
    indicator = draft_fiche(draft).indicators.filter(value_type=ValueType.COUNT).first()
    sheet = Sheet(values_workbook.values_workbook(draft))
    sheet.set(indicator.code, "2027", 5)
    response = admin.post(
        reverse("admin:indicators_indicatorvalue_import"),
        {"plan": draft.pk, "import_file": SimpleUploadedFile("valeurs.xlsx", sheet.save())},
    )
    return " ".join(response.context["form"].errors["plan"])


def decp_import(draft, admin, user=None):
    response = admin.post(
        reverse("admin:contracts_contract_import"),
        {"plan": draft.pk, "files": SimpleUploadedFile("decp.json", b'{"marches": []}')},
    )
    return " ".join(response.context["form"].errors["plan"])


def service(call):
    return lambda draft, admin, user: refused(lambda: call(draft, admin, user))


WRITERS = {
    "ouvrir la campagne 2027": service(
        lambda d, a, u: campaigns.campaign_open(
            plan=d, year=2027, deadline=datetime.date(2028, 3, 31), user=u
        )
    ),
    "campagne ajoutée dans l'admin": campaign_in_admin,
    "page de saisie 2027 (SCP)": entry_as_scp,
    "soumettre 2027": service(
        lambda d, a, u: workflow.fiche_year_submit(fiche=draft_fiche(d), year=2027, user=u)
    ),
    "valeur ajoutée dans l'admin": value_in_admin,
    "avancement d'un jalon dans l'admin": milestone_progress_in_admin,
    "import du classeur des valeurs": values_import,
    "import DECP du plan": decp_import,
    "import DECP du plan (commande)": service(lambda d, a, u: contract_services.buyers_of(d)),
    "publier le bilan 2027": service(lambda d, a, u: bilan_publish(plan=d, year=2027, user=u)),
}


@pytest.mark.parametrize("writer", WRITERS.values(), ids=WRITERS.keys())
def test_a_plan_in_preparation_has_no_follow_up(draft, admin, scp_user, writer):
    assert draft.state == PlanState.PREPARATION
    before = dump()

    message = writer(draft, admin, scp_user)

    assert PREPARATION in message and "Rien n'a été enregistré" in message, message
    assert dump() == before


def test_its_content_stays_editable_by_scp(draft, admin, scp_user):
    fiche = draft_fiche(draft)
    url = admin_url(fiche, "change")
    data = change_form(admin, fiche) | {"title": ["Fiche 11, reformulée pour 2027-2032"]}
    response = admin.post(url, data)
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert (
        fiche.title == "Fiche 11, reformulée pour 2027-2032"
        and fiche.history.first().history_user == scp_user
    )
    assert not IndicatorValue.objects.filter(indicator__fiche__plan=draft).exists()
