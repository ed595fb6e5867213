"""Lost updates: a save made from a form opened before someone else's save is refused, in French,
the typing kept and the other person's save kept; the one helper (`save_claimed`) writes nothing then.
"""

import datetime
import html
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import MilestoneStatus
from actions.excel.plan_workbook import plan_workbook
from actions.models import Fiche, Indicator, Milestone
from core import rights
from core.versioning import StaleWrite, delete_claimed, save_claimed, stale_message
from indicators.enums import CampaignStatus
from tests.factories import CampaignFactory, MilestoneFactory, user_in_role
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def opened_form(client: Client, obj) -> dict:
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return form_data(response.content.decode(), f"{obj._meta.model_name}_form")


def row_state(obj) -> tuple:
    """The stored row and how many history records its model has."""
    model = type(obj)
    return model.objects.filter(pk=obj.pk).values().get(), model.history.count()


@pytest.fixture
def scp_pair(spaser54):
    """Two SCP colleagues working in the admin at the same time."""
    return (
        user_in_role(rights.SCP_GROUP, first_name="Alice", last_name="Martin"),
        user_in_role(rights.SCP_GROUP, first_name="Bruno", last_name="Petit"),
    )


# (what is edited, the field the first person changes, the field the second one changes)
FORMS = {
    "milestone": (
        lambda plan: MilestoneFactory(fiche=Fiche.objects.get(plan=plan, number=11)),
        {"text": "Comité de pilotage insertion"},
        {"due_label": "fin 2025"},
    ),
    "indicator": (
        lambda plan: Indicator.objects.of_plan(plan).get(code="11-R1"),
        {"label": "Nombre de réunions de coordination"},
        {"unit": "réunions"},
    ),
    "plan": (
        lambda plan: plan,
        {"short_title": "SPASER 54 révisé"},
        {"buyer": "Conseil départemental de Meurthe-et-Moselle (54)"},
    ),
    "campaign": (
        lambda plan: CampaignFactory(plan=plan, year=2025),
        {"deadline": "30/04/2026"},
        {"status": CampaignStatus.CLOSED},
    ),
}


@pytest.mark.parametrize("what", FORMS)
def test_the_second_of_two_admin_forms_opened_on_the_same_row_is_refused(spaser54, scp_pair, what):
    make, first_edit, second_edit = FORMS[what]
    obj = make(spaser54)
    alice, bruno = logged_in(scp_pair[0]), logged_in(scp_pair[1])
    alice_form, bruno_form = opened_form(alice, obj), opened_form(bruno, obj)

    assert alice.post(change_url(obj), alice_form | first_edit).status_code == 302
    saved = row_state(obj)
    response = bruno.post(change_url(obj), bruno_form | second_edit)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    stored = type(obj).objects.get(pk=obj.pk)
    message = stale_message(stored)
    assert "a été modifié par Alice Martin depuis que vous l'avez ouvert : rien n'a été enregistré" in message
    assert f'<ul class="errorlist nonfield"><li>{message}</li></ul>' in page
    shown = form_data(response.content.decode(), f"{obj._meta.model_name}_form")
    assert {name: shown[name] for name in second_edit} == {
        name: [value] for name, value in second_edit.items()
    }
    assert row_state(obj) == saved  # Alice's save is kept, nothing of Bruno's is written
    assert all(str(getattr(stored, name)) != value for name, value in second_edit.items())


def test_an_admin_form_opened_before_a_fiche_import_is_stale(spaser54, scp_pair):
    fiche = Fiche.objects.get(plan=spaser54, number=11)
    alice, bruno = logged_in(scp_pair[0]), logged_in(scp_pair[1])
    bruno_form = opened_form(bruno, fiche)

    # Alice imports the "Fiches" sheet with fiche 11's title corrected (preview, then confirm).
    book = load_workbook(BytesIO(plan_workbook(spaser54)))
    sheet = book["Fiches"]
    headers = [cell.value for cell in sheet[1]]
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet.cell(r, headers.index("N° fiche") + 1).value == 11
    )
    sheet.cell(row, headers.index("Action") + 1).value = "Analyser ensemble insertion et achats"
    data = BytesIO()
    book.save(data)
    preview = alice.post(
        reverse("admin:actions_fiche_import"),
        {"import_file": SimpleUploadedFile("plan.xlsx", data.getvalue()), "format": "0", "resource": "0"},
    )
    assert preview.status_code == 200
    confirm_url = reverse("admin:actions_fiche_process_import")
    preview_html = preview.content.decode()
    confirm_form = form_data(preview_html[preview_html.index(f'<form action="{confirm_url}"') :])
    assert alice.post(confirm_url, confirm_form).status_code == 302
    fiche.refresh_from_db()
    assert fiche.title == "Analyser ensemble insertion et achats"
    saved = row_state(fiche)

    response = bruno.post(change_url(fiche), bruno_form | {"context": "Contexte réécrit par Bruno."})

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert f'<ul class="errorlist nonfield"><li>{stale_message(fiche)}</li></ul>' in page
    assert "modifié par Alice Martin" in page
    assert form_data(response.content.decode(), "fiche_form")["context"] == ["Contexte réécrit par Bruno."]
    assert row_state(fiche) == saved


@pytest.fixture
def milestone(spaser54) -> Milestone:
    return MilestoneFactory(fiche=Fiche.objects.get(plan=spaser54, number=11), text="Réunion de lancement")


def test_save_claimed_refuses_a_stale_version_and_writes_nothing(milestone, scp_pair):
    alice, bruno = scp_pair
    mine, theirs = Milestone.objects.get(pk=milestone.pk), Milestone.objects.get(pk=milestone.pk)
    theirs.text = "Réunion de lancement (avancée)"
    save_claimed(theirs, seen=None, user=alice)
    saved = row_state(milestone)
    assert saved[0]["version"] == milestone.version + 1
    assert Milestone.history.first().history_user == alice

    mine.status, mine.completed_on = MilestoneStatus.DONE, datetime.date(2025, 3, 1)
    with pytest.raises(
        StaleWrite, match="a été modifié par Alice Martin depuis que vous l'avez ouvert"
    ) as refused:
        save_claimed(mine, seen=None, user=bruno)

    assert row_state(milestone) == saved
    assert "modifié par Alice Martin" in str(refused.value)


def test_save_claimed_checks_the_version_the_user_saw_not_the_one_just_read(milestone, scp_pair):
    seen = milestone.version  # what the user's page showed
    other = Milestone.objects.get(pk=milestone.pk)
    other.text = "Réunion de lancement avec la DASI"
    save_claimed(other, seen=None, user=scp_pair[0])
    saved = row_state(milestone)

    again = Milestone.objects.get(pk=milestone.pk)  # the user's save reads the row afresh, as a view does
    again.text = "Écrit sur une page ouverte avant"
    with pytest.raises(
        StaleWrite, match="a été modifié par .* depuis que vous l'avez ouvert : rien n'a été enregistré"
    ):
        save_claimed(again, seen=seen, user=scp_pair[1])

    assert row_state(milestone) == saved


def test_delete_claimed_refuses_a_stale_version_and_deletes_nothing(milestone, scp_pair):
    stale = Milestone.objects.get(pk=milestone.pk)
    fresh = Milestone.objects.get(pk=milestone.pk)
    fresh.text = "Réunion de lancement reportée"
    save_claimed(fresh, seen=None, user=scp_pair[0])
    saved = row_state(milestone)

    with pytest.raises(
        StaleWrite, match="a été modifié par .* depuis que vous l'avez ouvert : rien n'a été enregistré"
    ):
        delete_claimed(stale, user=scp_pair[1])

    assert row_state(milestone) == saved
