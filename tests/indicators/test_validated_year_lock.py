"""A validated year is locked everywhere, the admin included, until SCP reopens it.

Fiche 11's 2024 review is validated. SCP tries, in the admin as a browser does, to change or delete a
value, the review or a milestone of 2024 (the milestone both on its own page and in the fiche's
inline), or to move a value into 2024: each time the French refusal is shown on the page, the typing
is kept, and nothing is written (rows and history records compared before and after). Once SCP has
reopened the year, the same edit goes through and is recorded with SCP as its author. The Excel
import and the pilot's entry page refuse the year with the same sentence.
"""

import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from actions.enums import MilestoneStatus, ProgressStatus
from actions.models import Fiche, Milestone
from core import rights
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from indicators.rules import locked_message
from indicators.services.workflow import fiche_year_reopen
from indicators.values_workbook import H_INDICATOR, SHEET, values_import, values_workbook
from tests.factories import (
    PASSWORD,
    AnnualReviewFactory,
    CampaignFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    user_in_role,
)
from tests.utils import form_data

pytestmark = pytest.mark.django_db

YEAR = 2024


@dataclass
class Locked:
    """Fiche 11 with its validated 2024 review, and rows of that year (and one of 2023)."""

    fiche: Fiche
    review: AnnualReview
    value: IndicatorValue  # 11-R1, 2024
    earlier: IndicatorValue  # 11-R2, 2023 (a year not validated)
    done: Milestone  # completed in 2024
    planned: Milestone  # not completed yet
    scp: object

    @property
    def message(self) -> str:
        return locked_message(self.fiche, YEAR)


@pytest.fixture
def locked(spaser54) -> Locked:
    fiche = Fiche.objects.select_related("plan").get(plan=spaser54, number=11)
    return Locked(
        fiche=fiche,
        review=AnnualReviewFactory(
            fiche=fiche,
            year=YEAR,
            validated=True,
            progress_status=ProgressStatus.IN_PROGRESS,
            achievements="Quatre marchés analysés avec la DASI.",
        ),
        value=IndicatorValueFactory(indicator=fiche.indicators.get(code="11-R1"), year=YEAR, value_number=12),
        earlier=IndicatorValueFactory(
            indicator=fiche.indicators.get(code="11-R2"), year=2023, value_number=3
        ),
        done=MilestoneFactory(
            fiche=fiche,
            text="Réunion de lancement avec les facilitateurs",
            status=MilestoneStatus.DONE,
            completed_on=datetime.date(YEAR, 6, 14),
        ),
        planned=MilestoneFactory(fiche=fiche, text="Bilan partagé avec la DASI"),
        scp=user_in_role(rights.SCP_GROUP),
    )


def snapshot(locked: Locked) -> tuple:
    """Every row the attempts touch, as stored, and how many history records each model has."""
    return (
        list(
            IndicatorValue.objects.filter(pk__in=[locked.value.pk, locked.earlier.pk]).order_by("pk").values()
        ),
        list(AnnualReview.objects.filter(pk=locked.review.pk).values()),
        list(Milestone.objects.filter(pk__in=[locked.done.pk, locked.planned.pk]).order_by("pk").values()),
        IndicatorValue.history.count(),
        AnnualReview.history.count(),
        Milestone.history.count(),
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def admin_url(model, action: str, pk: int) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=[pk])


# --- the attempts: each one edits (or deletes) through the admin, as a browser does ------------------


@dataclass
class Attempt:
    model: type
    row: Callable[[Locked], object]  # the row the attempt changes
    form_id: str | None  # None: a delete (confirmation page)
    typed: Callable[[Locked, dict], dict]  # fields typed into the form, given the form's data
    applied: Callable[[Locked], bool]  # whether the change is stored
    url_action: str = "change"
    form_model: type | None = None  # the admin page posted to, when not the row's own (inline)

    def post(self, client: Client, locked: Locked):
        obj = self.row(locked)
        model = self.form_model or self.model
        page_pk = locked.fiche.pk if self.form_model else obj.pk
        url = admin_url(model, self.url_action, page_pk)
        page = client.get(url)
        assert page.status_code == 200
        if self.form_id is None:
            return client.post(url, {"post": "yes"}, follow=True)
        data = form_data(page.content.decode(), self.form_id)
        data |= self.typed(locked, data)
        return client.post(url, data, follow=True)


def inline_prefix(data: dict, milestone: Milestone) -> str:
    """The prefix of a milestone's form in the fiche's inline ("milestones-3")."""
    for key, value in data.items():
        if key.startswith("milestones-") and key.endswith("-id") and value == [str(milestone.pk)]:
            return key.removesuffix("-id")
    raise KeyError(milestone.pk)


def stored(model, pk, field):
    row = model.objects.filter(pk=pk).values(field).first()
    return row[field] if row else None


ATTEMPTS = {
    "change a value": Attempt(
        IndicatorValue,
        lambda s: s.value,
        "indicatorvalue_form",
        lambda s, data: {"value_number": "99", "comment": "corrigé"},
        lambda s: stored(IndicatorValue, s.value.pk, "value_number") == Decimal(99),
    ),
    "move a value into the validated year": Attempt(
        IndicatorValue,
        lambda s: s.earlier,
        "indicatorvalue_form",
        lambda s, data: {"year": str(YEAR)},
        lambda s: stored(IndicatorValue, s.earlier.pk, "year") == YEAR,
    ),
    "delete a value": Attempt(
        IndicatorValue,
        lambda s: s.value,
        None,
        None,
        lambda s: not IndicatorValue.objects.filter(pk=s.value.pk).exists(),
        url_action="delete",
    ),
    "change the review": Attempt(
        AnnualReview,
        lambda s: s.review,
        "annualreview_form",
        lambda s, data: {"achievements": "Six marchés analysés.", "progress_status": ProgressStatus.DONE},
        lambda s: stored(AnnualReview, s.review.pk, "achievements") == "Six marchés analysés.",
    ),
    "delete the review": Attempt(
        AnnualReview,
        lambda s: s.review,
        None,
        None,
        lambda s: not AnnualReview.objects.filter(pk=s.review.pk).exists(),
        url_action="delete",
    ),
    "undo a milestone completed that year": Attempt(
        Milestone,
        lambda s: s.done,
        "milestone_form",
        lambda s, data: {"status": MilestoneStatus.PLANNED, "completed_on": ""},
        lambda s: stored(Milestone, s.done.pk, "status") == MilestoneStatus.PLANNED,
    ),
    "move a milestone's completion date within that year": Attempt(
        Milestone,
        lambda s: s.done,
        "milestone_form",
        lambda s, data: {"completed_on": f"30/09/{YEAR}"},
        lambda s: stored(Milestone, s.done.pk, "completed_on") == datetime.date(YEAR, 9, 30),
    ),
    "complete a milestone in that year": Attempt(
        Milestone,
        lambda s: s.planned,
        "milestone_form",
        lambda s, data: {"status": MilestoneStatus.DONE, "completed_on": f"02/03/{YEAR}"},
        lambda s: stored(Milestone, s.planned.pk, "status") == MilestoneStatus.DONE,
    ),
    "delete a milestone completed that year": Attempt(
        Milestone,
        lambda s: s.done,
        None,
        None,
        lambda s: not Milestone.objects.filter(pk=s.done.pk).exists(),
        url_action="delete",
    ),
    "undo a milestone in the fiche's inline": Attempt(
        Milestone,
        lambda s: s.done,
        "fiche_form",
        lambda s, data: {
            f"{inline_prefix(data, s.done)}-status": MilestoneStatus.PLANNED,
            f"{inline_prefix(data, s.done)}-completed_on": "",
        },
        lambda s: stored(Milestone, s.done.pk, "status") == MilestoneStatus.PLANNED,
        form_model=Fiche,
    ),
    "complete a milestone in the fiche's inline": Attempt(
        Milestone,
        lambda s: s.planned,
        "fiche_form",
        lambda s, data: {
            f"{inline_prefix(data, s.planned)}-status": MilestoneStatus.DONE,
            f"{inline_prefix(data, s.planned)}-completed_on": f"02/03/{YEAR}",
        },
        lambda s: stored(Milestone, s.planned.pk, "status") == MilestoneStatus.DONE,
        form_model=Fiche,
    ),
}


@pytest.mark.parametrize("name", ATTEMPTS)
def test_the_admin_cannot_change_a_validated_year_until_scp_reopens_it(name, locked):
    attempt = ATTEMPTS[name]
    client = Client()
    client.force_login(locked.scp)
    before = snapshot(locked)

    response = attempt.post(client, locked)

    assert response.status_code == 200
    page = text(response)
    assert locked.message in page
    if attempt.form_id is None:  # the delete is refused on its confirmation page
        assert f'<li class="error">{locked.message} Rien n\'a été enregistré.</li>' in page
    else:
        assert response.redirect_chain == []  # shown again, not saved
        assert f'<ul class="errorlist nonfield"><li>{locked.message}</li></ul>' in page
        shown = form_data(response.content.decode(), attempt.form_id)
        typed = attempt.typed(locked, shown)
        assert {key: shown.get(key, [""]) for key in typed} == {key: [value] for key, value in typed.items()}
    assert snapshot(locked) == before
    assert not attempt.applied(locked)

    fiche_year_reopen(fiche=locked.fiche, year=YEAR, user=locked.scp, comment="Correction demandée")
    response = attempt.post(client, locked)

    assert response.status_code == 200
    assert locked.message not in text(response)
    assert attempt.applied(locked)
    record = attempt.model.history.order_by("-history_id").first()
    assert record.history_user == locked.scp
    assert record.id == attempt.row(locked).pk


def test_the_values_import_refuses_a_validated_year_with_the_same_message(locked):
    book = load_workbook(BytesIO(values_workbook(locked.fiche.plan)))
    sheet = book[SHEET]
    headers = [cell.value for cell in sheet[1]]
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, headers.index(H_INDICATOR) + 1).value == "11-R1"
    )
    sheet.cell(row, headers.index(str(YEAR)) + 1).value = 99
    data = BytesIO()
    book.save(data)
    before = snapshot(locked)

    result = values_import(file=data.getvalue(), user=locked.scp, dry_run=False, plan=locked.fiche.plan)

    assert not result.written
    assert [str(error) for error in result.errors] == [f"Ligne {row}, colonne « {YEAR} » : {locked.message}"]
    assert snapshot(locked) == before


def test_the_entry_page_refuses_a_validated_year_with_the_same_message(locked):
    """The pilot opened the page while the year was still open; SCP validated it before they saved."""
    CampaignFactory(plan=locked.fiche.plan, year=YEAR)
    pilot = user_in_role(rights.PILOTS_GROUP, pilot_of=locked.fiche)
    client = Client()
    assert client.login(username=pilot.username, password=PASSWORD)
    url = reverse("indicators:entry", args=[locked.fiche.plan.slug, locked.fiche.number, YEAR])
    AnnualReview.objects.filter(pk=locked.review.pk).update(status=ReviewStatus.RETURNED)
    page = client.get(url)
    assert locked.message not in text(page)
    AnnualReview.objects.filter(pk=locked.review.pk).update(status=ReviewStatus.VALIDATED)
    assert locked.message in text(client.get(url))
    data = form_data(page.content.decode(), "saisie")
    data |= {f"value_{locked.value.indicator_id}": "99", "achievements": "Complété après validation"}
    before = snapshot(locked)

    response = client.post(url, data)

    assert response.status_code == 409
    assert locked.message in text(response)
    assert snapshot(locked) == before
