"""The one definition of each legal category (contracts.rules.CATEGORIES): the register's database
filter and the national computation's test of one contract select the same contracts, for every
combination of statuses, flags and exclusion."""

import datetime
import itertools
from decimal import Decimal

import pytest

from contracts import rules
from contracts.enums import Considerations, Nature
from contracts.models import Contract

pytestmark = pytest.mark.django_db


def test_the_filters_and_the_predicates_select_the_same_contracts():
    columns = []
    statuses = list(Considerations.values)
    for number, (social, environmental, reserved, excluded) in enumerate(
        itertools.product(statuses, statuses, [False, True], [False, True])
    ):
        values = {
            "social": social,
            "environmental": environmental,
            "reserved": reserved,
            "social_clause": social == Considerations.STATED and not reserved,
            "excluded": excluded,
        }
        Contract.objects.create(
            uid=f"X{number}",
            buyer_siret="22540001600015",
            contract_id=f"X{number}",
            nature=Nature.CONTRACT,
            notified_on=datetime.date(2025, 1, 1),
            year=2025,
            initial_amount=Decimal(1000),
            source_file="test",
            **values,
        )
        columns.append((f"X{number}", values))
    predicates = rules.category_predicates()

    for category, condition in rules.category_filters().items():
        in_database = set(Contract.objects.filter(condition & rules.COUNTED).values_list("uid", flat=True))
        in_python = {uid for uid, values in columns if rules.counted(values) and predicates[category](values)}
        assert in_database == in_python, category
        assert in_python, category  # every category selects some contract here
