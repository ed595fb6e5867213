"""The register's rules (contracts.rules): the anomaly rule the import's report applies in Python is the
one the figures apply in the database, whatever the amounts, dates and ceilings SCP sets; a
correction over the published considerations gives the statuses the legal categories count."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import rules
from contracts.enums import Considerations, ThresholdKind
from contracts.models import Contract, Threshold
from tests.contracts.legal_data import Spec, create

AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=-1000, max_value=Decimal("99999999999.99"), places=2, allow_nan=False),
    st.sampled_from([Decimal("0.99"), Decimal("1.00"), Decimal("1000000000.00"), Decimal("1000000000.01")]),
)
DATES = st.dates(min_value=datetime.date(2019, 1, 1), max_value=datetime.date(2027, 12, 31))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    contracts=st.lists(st.tuples(AMOUNTS, DATES), min_size=1, max_size=12),
    ceilings=st.lists(
        st.tuples(DATES, st.decimals(min_value=1, max_value=10**10, places=2)),
        max_size=3,
        unique_by=lambda c: c[0],
    ),
)
def test_the_anomaly_rule_is_the_same_in_python_and_in_the_database(contracts, ceilings):
    Threshold.objects.filter(kind=ThresholdKind.CEILING).delete()
    for valid_from, amount in ceilings:
        Threshold.objects.create(
            kind=ThresholdKind.CEILING, amount=amount, valid_from=valid_from, source="Test"
        )
    thresholds = rules.Thresholds.of(Threshold.objects.all())
    rows = []
    for index, (amount, date) in enumerate(contracts):
        row = create(Spec(f"R{index}", date, Decimal(0), [], []))
        row.initial_amount = amount
        row.save()
        rows.append(row)

    in_database = set(Contract.objects.filter(thresholds.anomaly()).values_list("pk", flat=True))

    in_python = {row.pk for row in rows if thresholds.is_anomaly(row.initial_amount, row.notified_on)}
    assert in_database == in_python
    Contract.objects.all().delete()


FLAGS = st.sampled_from([None, True, False])


class Correction:
    def __init__(self, **flags):
        self.excluded = False
        for flag in rules.FLAGS:
            setattr(self, flag, flags.get(flag))


@given(
    published_status=st.sampled_from(Considerations.values),
    published_flags=st.fixed_dictionaries({flag: st.booleans() for flag in rules.SOCIAL_FLAGS}),
    corrected=st.fixed_dictionaries({flag: FLAGS for flag in rules.SOCIAL_FLAGS}),
)
def test_a_side_is_stated_exactly_when_a_flag_counted_is_set(published_status, published_flags, corrected):
    if published_status != Considerations.STATED:
        published_flags = dict.fromkeys(published_flags, False)  # as the import publishes them
    published = {"social": published_status, **published_flags}

    values = rules.considerations(published, Correction(**corrected))

    counted = [corrected[f] if corrected[f] is not None else published_flags[f] for f in rules.SOCIAL_FLAGS]
    assert [values[f] for f in rules.SOCIAL_FLAGS] == counted
    if any(counted):
        assert values["social"] == Considerations.STATED
    elif all(corrected[f] is not None for f in rules.SOCIAL_FLAGS):
        assert values["social"] == Considerations.NONE  # SCP stated the whole side
    elif published_status == Considerations.UNKNOWN:
        assert values["social"] == Considerations.UNKNOWN  # still not known
    else:
        assert values["social"] == Considerations.NONE
    assert values["corrected"] is True
