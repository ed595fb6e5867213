"""Shared fixtures of the indicators tests: fiche 11 and its 2025 campaign (pilot workspace), stored
values of several types and editing a workbook as a user would (Excel)."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from actions.models import Fiche
from indicators.enums import ReviewStatus, ValueType
from indicators.models import AnnualReview, Campaign, Indicator, IndicatorValue
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


def first_indicator(plan, value_type: str) -> Indicator:
    return Indicator.objects.of_plan(plan).filter(value_type=value_type).in_plan_order().first()


@pytest.fixture
def stored_values(spaser54, scp_user) -> dict[str, IndicatorValue]:
    """One stored 2022 value per value type present in the plan."""
    samples = {
        ValueType.COUNT: {"value_number": Decimal(12)},
        ValueType.PERCENTAGE: {"value_number": Decimal("45.5")},
        ValueType.AMOUNT: {"value_number": Decimal("1803.60")},
        ValueType.BOOLEAN: {"value_bool": True},
        ValueType.TEXT: {"value_text": '=HYPERLINK("http://x") texte saisi'},
    }
    values = {}
    for value_type, fields in samples.items():
        indicator = first_indicator(spaser54, value_type)
        if indicator is None:
            continue
        value = IndicatorValue(
            indicator=indicator, year=2022, created_by=scp_user, updated_by=scp_user, **fields
        )
        value._history_user = scp_user
        value.save()
        values[value_type] = value
    return values


def validate_year(fiche, year: int, user) -> AnnualReview:
    review, _ = AnnualReview.objects.get_or_create(fiche=fiche, year=year)
    review.status = ReviewStatus.VALIDATED
    review.validated_by = user
    review._history_user = user
    review.save()
    return review


class Sheet:
    """A workbook opened for editing, cells addressed by (indicator code, header) like a user reads it."""

    def __init__(self, data: bytes, sheet: str = "Valeurs"):
        self.book = load_workbook(BytesIO(data))
        self.sheet = self.book[sheet]
        self.headers = [c.value for c in self.sheet[1]]

    def row_of(self, code: str) -> int:
        column = self.headers.index("Code indicateur") + 1
        for row in range(2, self.sheet.max_row + 1):
            if self.sheet.cell(row, column).value == code:
                return row
        raise KeyError(code)

    def cell(self, code: str, header: str):
        return self.sheet.cell(self.row_of(code), self.headers.index(header) + 1)

    def set(self, code: str, header: str, value) -> int:
        row = self.row_of(code)
        self.sheet.cell(row, self.headers.index(header) + 1).value = value
        return row

    def save(self) -> bytes:
        out = BytesIO()
        self.book.save(out)
        return out.getvalue()
