"""The entry page as a pilot uses it: save, submit, bad input kept with French messages, query budgets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from core.values import parse_value
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview, IndicatorValue
from tests.factories import CampaignFactory
from tests.indicators.conftest import client_for, entry_url, grow
from tests.utils import form_data

pytestmark = pytest.mark.django_db


def page_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), "saisie")


def by_code(fiche, code) -> Indicator:
    return fiche.indicators.get(code=code)


def test_pilot_saves_a_draft_then_submits(fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    data = page_form(client, entry_url(fiche11))
    hours, meetings = by_code(fiche11, "11-I1"), by_code(fiche11, "11-R1")
    data |= {
        f"value_{hours.pk}": "1 234,5",
        f"value_{meetings.pk}": "12",
        f"comment_{meetings.pk}": "une par mois",
        "progress_status": "en_cours",
        "achievements": "Analyse partagée de 4 marchés",
        "action": "save",
    }
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator=hours, year=2025).value_number == Decimal("1234.5")
    page = client.get(entry_url(fiche11)).content.decode()
    assert (
        "saisie 2025 enregistrée" in page
        and 'value="1234,5"' in page
        and "Analyse partagée de 4 marchés" in page
    )

    data = page_form(client, entry_url(fiche11)) | {"action": "submit"}
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 302 and response.headers["Location"] == "/mes-fiches/"
    review = AnnualReview.objects.get(fiche=fiche11, year=2025)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_by == pilot11
    listing = client.get("/mes-fiches/").content.decode()
    assert re.search(r'id="spaser54-2021-2026-2025-fiche-11".*?Soumis', listing, re.S)
    locked = client.get(entry_url(fiche11)).content.decode()
    assert "a été soumis" in locked and "Enregistrer le brouillon" not in locked


def test_invalid_input_is_kept_with_a_french_message_beside_it_and_nothing_is_written(
    fiche11, campaign2025, pilot11
):
    client = client_for(pilot11)
    data = page_form(client, entry_url(fiche11))
    meetings, ratio = by_code(fiche11, "11-R1"), by_code(fiche11, "11-R3")
    data |= {
        f"value_{meetings.pk}": "12,5",
        f"value_{ratio.pk}": "0,45",
        "achievements": "Texte long tapé",
        f"comment_{ratio.pk}": "calcul DASI",
    }
    response = client.post(entry_url(fiche11), data)
    assert response.status_code == 200
    page = response.content.decode()
    field = re.search(rf'<input[^>]*name="value_{meetings.pk}"[^>]*>', page).group(0)
    assert 'value="12,5"' in field and 'aria-invalid="true"' in field
    assert f'aria-describedby="id_value_{meetings.pk}_helptext id_value_{meetings.pk}_error"' in field
    assert re.search(rf'id="id_value_{meetings.pk}_error">Un nombre entier est attendu', page)
    assert f'href="#id_value_{meetings.pk}"' in page  # the summary links to the field
    assert 'value="0,45"' in page and "Texte long tapé" in page and 'value="calcul DASI"' in page
    assert not IndicatorValue.objects.exists() and not AnnualReview.objects.exists()


def test_a_comment_without_a_value_is_refused(fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    meetings = by_code(fiche11, "11-R1")
    data = page_form(client, entry_url(fiche11)) | {f"comment_{meetings.pk}": "pas de chiffre"}
    response = client.post(entry_url(fiche11), data)
    assert "saisissez la valeur ou videz le commentaire" in response.content.decode()
    assert not AnnualReview.objects.exists()


def test_milestone_done_needs_a_date(fiche11, campaign2025, pilot11):
    client = client_for(pilot11)
    milestone = fiche11.milestones.order_by("position").first()
    data = page_form(client, entry_url(fiche11)) | {f"milestone_{milestone.pk}_done": "on"}
    page = client.post(entry_url(fiche11), data).content.decode()
    assert "Indiquez la date de réalisation du jalon." in page
    data[f"milestone_{milestone.pk}_date"] = "2025-05-12"
    assert client.post(entry_url(fiche11), data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on.isoformat() == "2025-05-12"
    fiche_page = client.get(f"/plans/{fiche11.plan.slug}/fiches/11/").content.decode()
    assert re.search(r"Pilote11 Test</td>\s*<td>2025</td><td>Jalon .*?réalisé le 12/05/2025", fiche_page)


def test_a_pilot_lists_only_their_own_fiches(role_users, fiche11, campaign2025):
    other_page = client_for(role_users["other_pilot"]).get("/mes-fiches/").content.decode()
    assert entry_url(fiche11) not in other_page and "Fiche 5" in other_page
    pilot_page = client_for(role_users["pilot"]).get("/mes-fiches/").content.decode()
    assert entry_url(fiche11) in pilot_page and "/fiches/5/saisie/" not in pilot_page


def test_other_fiches_and_years_outside_the_plan_are_refused_by_url(role_users, fiche11, campaign2025):
    pilot = client_for(role_users["pilot"])
    assert pilot.get(f"/plans/{fiche11.plan.slug}/fiches/5/saisie/2025/").status_code == 403
    assert pilot.get(entry_url(fiche11, 2031)).status_code == 404
    assert pilot.get(f"/plans/{fiche11.plan.slug}/fiches/99/saisie/2025/").status_code == 404


def test_committee_reads_the_entry_page_without_a_save_button(role_users, fiche11, campaign2025):
    page = client_for(role_users["committee"]).get(entry_url(fiche11)).content.decode()
    assert "Lecture seule" in page and "Enregistrer le brouillon" not in page and "disabled" in page


# --- random input at every value type: never a 500, never a partial write ---------------------------------


def french(number) -> str:
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


french_numbers = st.decimals(
    min_value=-(10**13), max_value=10**13, places=3, allow_nan=False, allow_infinity=False
)
typed = st.one_of(
    st.text(max_size=30),
    french_numbers.map(french),
    st.integers(-(10**15), 10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["oui", "non", "", "1 234,5", "100"]),
)
plain_text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40)
VALID = {  # what a careful pilot types, per value type
    ValueType.COUNT: st.integers(0, 10**9).map(french),
    ValueType.PERCENTAGE: st.decimals(0, 100, places=2).map(french),
    ValueType.AMOUNT: st.decimals(0, 10**9, places=2).map(french),
    ValueType.HOURS: st.decimals(0, 10**6, places=3).map(french),
    ValueType.RATIO: st.decimals(0, 10**3, places=4).map(str),
    ValueType.BOOLEAN: st.sampled_from(["oui", "non", ""]),
    ValueType.TEXT: plain_text,
}


@pytest.mark.parametrize("number", [11, 17, 19])  # together they hold every value type of the plan
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data(), careful=st.booleans(), narrative=plain_text)
def test_random_input_never_breaks_the_page_nor_writes_half(
    number, draw, careful, narrative, spaser54, scp_user
):
    """Half the examples type valid values everywhere (all saved), half anything (all or nothing)."""
    CampaignFactory(plan=spaser54, year=2025)
    fiche = Fiche.objects.select_related("plan").get(plan=spaser54, number=number)
    client = client_for(scp_user)
    data = page_form(client, entry_url(fiche))
    indicators = list(fiche.indicators.order_by("position"))
    inputs = [draw.draw(VALID[i.value_type] if careful else typed) for i in indicators]
    for indicator, text in zip(indicators, inputs, strict=True):
        data[f"value_{indicator.pk}"] = text
    data["achievements"] = narrative
    response = client.post(entry_url(fiche), data)  # the test client re-raises any server error

    def expected(indicator, text):
        try:
            return True, parse_value(indicator.value_type, text)
        except Exception:
            return False, None

    outcomes = [expected(i, t) for i, t in zip(indicators, inputs, strict=True)]
    if careful:
        assert response.status_code == 302
    if response.status_code == 200:
        assert not all(ok for ok, _ in outcomes)
        assert not IndicatorValue.objects.filter(year=2025).exists()
        assert not AnnualReview.objects.filter(year=2025).exists()
    else:
        assert response.status_code == 302 and all(ok for ok, _ in outcomes)
        stored = {v.indicator_id: v.raw for v in IndicatorValue.objects.filter(year=2025)}
        for indicator, (_, value) in zip(indicators, outcomes, strict=True):
            assert stored.get(indicator.pk) == value
        assert AnnualReview.objects.get(year=2025).achievements == narrative.strip()
    IndicatorValue.objects.filter(year=2025).delete()
    AnnualReview.objects.filter(year=2025).delete()


# --- query budgets: they do not grow with the number of indicators or years ---------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_my_fiches_query_budget(fiche11, campaign2025, pilot11, scp_user, django_assert_max_num_queries):
    client = client_for(pilot11)
    # The first request after a write: session, user, rights, demo flag, the plans (once per state of
    # the data), which have an open campaign, campaigns, fiches with counts, reviews.
    with django_assert_max_num_queries(9):
        before = count_queries(client, "/mes-fiches/")
    grow(fiche11, scp_user)
    CampaignFactory(plan=fiche11.plan, year=2026, deadline=datetime.date(2027, 12, 31))
    with django_assert_max_num_queries(11):  # a second open campaign costs its 2 queries, not one per fiche
        assert count_queries(client, "/mes-fiches/") == before + 2


@pytest.mark.parametrize("who", ["pilot11", "scp_user"])
def test_entry_page_query_budget(
    who, fiche11, campaign2025, scp_user, pilot11, django_assert_max_num_queries
):
    client = client_for(pilot11 if who == "pilot11" else scp_user)
    # The first request after a write: session, user, rights, demo flag, fiche, campaign, indicators,
    # values, reviews, milestones. 10, not 12: the rights are one query now (were two pilot checks), and
    # the campaign one; + the plans (the URL's plan and the switcher), once per state of the data.
    with django_assert_max_num_queries(11):
        before = count_queries(client, entry_url(fiche11))
    grow(fiche11, scp_user)
    assert count_queries(client, entry_url(fiche11)) == before


def test_my_fiches_warns_when_the_deadline_is_near_or_past(fiche11, campaign2025, pilot11):
    from django.utils import timezone

    client = client_for(pilot11)
    assert "date limite" not in client.get("/mes-fiches/").content.decode().split("</h2>", 1)[1]
    campaign2025.deadline = timezone.localdate() + datetime.timedelta(days=3)
    campaign2025.save()
    assert "Plus que 3 jours avant la date limite." in client.get("/mes-fiches/").content.decode()
    campaign2025.deadline = timezone.localdate() - datetime.timedelta(days=1)
    campaign2025.save()
    assert "La date limite est dépassée" in client.get("/mes-fiches/").content.decode()


def test_a_campaign_closed_while_typing_keeps_the_typing_on_screen(fiche11, campaign2025, pilot11, scp_user):
    from indicators.services import campaigns

    client = client_for(pilot11)
    meetings = by_code(fiche11, "11-R1")
    data = page_form(client, entry_url(fiche11)) | {f"value_{meetings.pk}": "42", "outlook": "Suite en 2026"}
    campaigns.campaign_close(campaign=campaign2025, user=scp_user)
    response = client.post(entry_url(fiche11), data)
    page = response.content.decode()
    assert response.status_code == 409 and "pas ouverte" in page
    assert 'value="42"' in page and "Suite en 2026" in page and "Enregistrer le brouillon" not in page
    assert not IndicatorValue.objects.exists() and not AnnualReview.objects.exists()
