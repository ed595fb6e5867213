"""No lost update: two pilots of fiche 11, each in their own session, edit the same year.

Runs on whichever database DATABASE_URL selects (SQLite by default, PostgreSQL in `make test`'s second
pass); `transaction=True` so that every request commits for real, as on a live site.
"""

import re

import pytest

from indicators.models import AnnualReview, IndicatorValue
from tests.indicators.conftest import client_for, entry_url
from tests.utils import form_data

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_second_saver_sees_the_conflict_and_chooses(fiche11, campaign2025, pilot11, pilot11b):
    paul, ines = client_for(pilot11), client_for(pilot11b)
    url = entry_url(fiche11)
    meetings, services_count, hours = (fiche11.indicators.get(code=c) for c in ("11-R1", "11-R2", "11-I1"))
    paul_form = form_data(paul.get(url).content.decode(), "saisie")
    ines_form = form_data(ines.get(url).content.decode(), "saisie")  # both pages show the empty year

    paul_form |= {
        f"value_{meetings.pk}": "12",
        f"value_{hours.pk}": "1 234,5",
        "achievements": "Version de Paul",
    }
    assert paul.post(url, paul_form).status_code == 302

    ines_form |= {
        f"value_{meetings.pk}": "15",
        f"value_{services_count.pk}": "3",
        "achievements": "Version d'Inès",
    }
    response = ines.post(url, ines_form)
    assert response.status_code == 409
    page = response.content.decode()
    conflict = re.search(rf'data-key="value_{meetings.pk}".*?</fieldset>', page, re.S).group(0)
    assert re.search(r'Votre saisie : <strong class="mine">15</strong>', conflict)
    assert re.search(
        r"Valeur enregistrée \(par Pilote11 Test, le .*?\) : <strong class=\"stored\">12</strong>", conflict
    )
    assert 'data-key="review_achievements"' in page
    # Nothing of Inès's submission is written yet, and her typing is all on the page.
    assert IndicatorValue.objects.get(indicator=meetings).value_number == 12
    assert not IndicatorValue.objects.filter(indicator=services_count).exists()
    assert AnnualReview.objects.get().achievements == "Version de Paul"
    kept = form_data(page, "saisie")
    assert kept[f"value_{meetings.pk}"] == ["15"] and kept[f"value_{services_count.pk}"] == ["3"]
    assert kept[f"value_{hours.pk}"] == ["1234,5"]  # Paul's value, which Inès had not touched, is shown

    # Sending again without choosing is refused; then she keeps Paul's 11-R1 and her narrative.
    again = ines.post(url, kept)
    assert again.status_code == 200 and "Choisissez la valeur à conserver." in again.content.decode()
    assert not IndicatorValue.objects.filter(indicator=services_count).exists()
    kept |= {f"resolve_value_{meetings.pk}": "stored", "resolve_review_achievements": "mine"}
    assert ines.post(url, kept).status_code == 302

    values = {
        v.indicator.code: (v.display(), v.updated_by)
        for v in IndicatorValue.objects.select_related("indicator")
    }
    assert values == {
        "11-R1": ("12", pilot11),
        "11-I1": ("1\u00a0234,5 h", pilot11),
        "11-R2": ("3", pilot11b),
    }
    review = AnnualReview.objects.get()
    assert review.achievements == "Version d'Inès" and review.updated_by == pilot11b
    authors = [h.history_user for h in review.history.order_by("history_date")]
    assert authors == [pilot11, pilot11b]


@pytest.mark.postgres
def test_simultaneous_saves_on_postgresql_let_exactly_one_win(fiche11, campaign2025, pilot11, pilot11b):
    """Two saves racing in two connections from the same page state: one is written, the other is a conflict.

    Only meaningful where writers really run concurrently (PostgreSQL); SQLite serialises writers.
    """
    import threading
    from decimal import Decimal

    from django.db import connection, connections

    from indicators.services import entry

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    meetings = fiche11.indicators.get(code="11-R1")
    entry.fiche_year_save(
        fiche=fiche11,
        year=2025,
        values={meetings.pk: entry.ValueInput(Decimal(1))},
        review=None,
        user=pilot11,
        seen_versions={},
    )
    barrier, outcomes = threading.Barrier(2), {}

    def save(user, number):
        try:
            barrier.wait()
            entry.fiche_year_save(
                fiche=fiche11,
                year=2025,
                values={meetings.pk: entry.ValueInput(Decimal(number))},
                review=None,
                user=user,
                seen_versions={f"value_{meetings.pk}": 1, "review": 1},
            )
            outcomes[user.username] = "saved"
        except entry.FicheYearConflict:
            outcomes[user.username] = "conflict"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(u, n)) for u, n in ((pilot11, 20), (pilot11b, 30))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = IndicatorValue.objects.get(indicator=meetings)
    assert stored.updated_by.username == winner and stored.version == 2
