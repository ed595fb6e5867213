"""Shared helpers of the indicators tests: the pilot's entry page, stored values of every type, and a
fiche's year validated by SCP. Fiche 11 and its 2025 campaign are in tests/conftest.py."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from indicators.models import AnnualReview, IndicatorValue
from tests.factories import PASSWORD, AnnualReviewFactory, IndicatorFactory, IndicatorValueFactory
from tests.workbooks import Sheet  # noqa: F401 (imported from here by tests written before tests/workbooks.py)


def entry_url(fiche: Fiche, year: int = 2025) -> str:
    return f"/plans/{fiche.plan.slug}/fiches/{fiche.number}/saisie/{year}/"


def client_for(user: User | None) -> Client:
    """A browser session of `user` (logged in with their password), or of an anonymous visitor."""
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def first_indicator(plan, value_type: str) -> Indicator:
    return Indicator.objects.of_plan(plan).filter(value_type=value_type).in_plan_order().first()


# One stored 2022 value per value type present in the plan; the text starts like a formula.
SAMPLES = {
    ValueType.COUNT: {"value_number": Decimal(12)},
    ValueType.PERCENTAGE: {"value_number": Decimal("45.5")},
    ValueType.AMOUNT: {"value_number": Decimal("1803.60")},
    ValueType.BOOLEAN: {"value_number": None, "value_bool": True},
    ValueType.TEXT: {"value_number": None, "value_text": '=HYPERLINK("http://x") texte saisi'},
}


@pytest.fixture
def stored_values(spaser54, scp_user) -> dict[str, IndicatorValue]:
    """One stored 2022 value per value type present in the plan, entered by SCP."""
    values = {}
    for value_type, fields in SAMPLES.items():
        indicator = first_indicator(spaser54, value_type)
        if indicator is not None:
            values[value_type] = IndicatorValueFactory(
                indicator=indicator, year=2022, created_by=scp_user, updated_by=scp_user, **fields
            )
    return values


def validated_year(fiche: Fiche, year: int, user: User) -> AnnualReview:
    """SCP validated the fiche's year (which had no review yet): it is locked."""
    return AnnualReviewFactory(fiche=fiche, year=year, validated=True, validated_by=user)


def grow(fiche: Fiche, user: User) -> None:
    """Ten more indicators with a value every year of the plan but the last, and validated reviews:
    what query budgets are checked against (the queries must not grow with them)."""
    for position in range(50, 60):
        indicator = IndicatorFactory(
            fiche=fiche,
            code=f"{fiche.number}-X{position}",
            label=f"Indicateur ajouté {position}",
            value_type=ValueType.COUNT,
            position=position,
        )
        for year in fiche.plan.years[:-1]:
            IndicatorValueFactory(indicator=indicator, year=year, value_number=position, updated_by=user)
    for year in fiche.plan.years[:-2]:
        AnnualReviewFactory(fiche=fiche, year=year, validated=True)
