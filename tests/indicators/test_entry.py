"""The entry page as a pilot uses it: save, submit, bad input kept with French messages, query budgets."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.enums import ValueType
from actions.models import Fiche, Indicator
from core import values
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


# The oracle is written here, from the rules as a pilot reads them (core.values' docstring), never from
# the parser under test: each input is built from known parts, so what it must give is known beforehand.
REFUSED = "refused"  # the page shows a French message and writes nothing
SPACES = (" ", "\u00a0", "\u202f", "\u2009")  # what a pilot's software may put between thousands
UNITS = {ValueType.PERCENTAGE: "%", ValueType.AMOUNT: "€", ValueType.HOURS: "h"}  # may follow the number
MAX_PLACES = {ValueType.COUNT: 0, ValueType.AMOUNT: 2}  # every other number: 4 decimals at most
YES_NO = {"oui": True, "o": True, "vrai": True, "true": True, "1": True}
YES_NO |= {"non": False, "n": False, "faux": False, "false": False, "0": False}
NOT_NUMBERS = ["1,2,3", "1,234.5", "12 34", "1 234 5,6", "1.23,5", "--1", "1e5", "½", "١٢", "nan", "inf"]


def french(number) -> str:
    return f"{number:,}".replace(",", "\u202f").replace(".", ",")


def number_rule(value_type, number: Decimal, places: int):
    """What a number read with `places` significant decimals must give for `value_type`."""
    if value_type == ValueType.COUNT and (places or number < 0):
        return REFUSED  # a whole number, not negative
    if value_type == ValueType.PERCENTAGE and not 0 <= number <= 100:
        return REFUSED
    if number < 0 or places > MAX_PLACES.get(value_type, 4):
        return REFUSED
    return number


@st.composite
def typed_number(draw, value_type):
    """A number as a pilot or a spreadsheet writes it ("1 234,5", "1.234,5", "1234.5", "12 %"), and what
    it must give."""
    sign = draw(st.sampled_from(["", "", "-", "+"]))
    whole = draw(
        st.one_of(
            st.integers(0, 999),
            st.integers(0, 10**9),
            st.integers(10**11, 10**13),
            st.sampled_from([10**12 - 1, 10**12]),  # the largest number a value holds, and one more
        )
    )
    decimals = draw(st.text("0123456789", max_size=5))
    style = draw(st.sampled_from(["grouped", "dotted", "spreadsheet"]))
    digits = str(whole)
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    if style == "grouped":
        body = draw(st.sampled_from(SPACES)).join(groups) + ("," + decimals if decimals else "")
    elif style == "dotted":  # "1.234,5" as some spreadsheets show it: always with its decimals
        decimals = decimals or "0"
        body = ".".join(groups) + "," + decimals
    else:
        body = digits + ("." + decimals if decimals else "")
    if value_type in UNITS and draw(st.booleans()):
        body += draw(st.sampled_from(["", " ", "\u00a0"])) + UNITS[value_type]
    text = draw(st.sampled_from(["", " "])) + sign + body + draw(st.sampled_from(["", " "]))
    if style == "spreadsheet" and 1 <= whole <= 999 and len(decimals) == 3:
        return text, REFUSED  # "1.234": over a thousand to a French reader, one and a bit to a spreadsheet
    if whole >= 10**12:
        return text, REFUSED  # 12 digits at most before the comma
    number = Decimal(f"{sign}{whole}.{decimals or 0}")
    return text, number_rule(value_type, number, len(decimals.rstrip("0")))


plain_text = st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=40)
kept_text = plain_text.map(lambda text: (text, text.strip() or None))
empty = st.sampled_from(["", "  "]).map(lambda text: (text, None))
# A letter no number has ("h" is the hours' unit) makes any text a refused number.
with_a_letter = st.tuples(
    st.text(max_size=10), st.sampled_from("abcdefgijklmnopqrstuvwxyzAEGIOXZ"), st.text(max_size=10)
).map(lambda parts: ("".join(parts), REFUSED))
answers = st.tuples(st.sampled_from(sorted(YES_NO)), st.sampled_from([str.lower, str.upper, str.title]))
VALID = {  # what a careful pilot types, per value type, with what it must give
    ValueType.COUNT: st.integers(0, 10**9).map(lambda n: (french(n), Decimal(n))),
    ValueType.PERCENTAGE: st.decimals(0, 100, places=2).map(lambda d: (french(d), d)),
    ValueType.AMOUNT: st.decimals(0, 10**9, places=2).map(lambda d: (french(d), d)),
    ValueType.HOURS: st.decimals(0, 10**6, places=3).map(lambda d: (french(d), d)),
    ValueType.RATIO: st.decimals(0, 10**3, places=4).map(lambda d: (str(d), d)),
    ValueType.BOOLEAN: st.sampled_from([("oui", True), ("non", False), ("", None)]),
    ValueType.TEXT: kept_text,
}
ANY = {  # anything, with what it must give
    **{
        value_type: st.one_of(
            VALID[value_type],
            typed_number(value_type),
            typed_number(value_type),  # twice as likely: the grammar's cases are there
            # "1.234": over a thousand to a French reader, one and a bit to a spreadsheet
            st.tuples(st.integers(1, 999), st.integers(0, 999)).map(lambda n: (f"{n[0]}.{n[1]:03}", REFUSED)),
            with_a_letter,
            st.sampled_from(NOT_NUMBERS).map(lambda text: (text, REFUSED)),
            empty,
        )
        for value_type in (
            ValueType.COUNT,
            ValueType.PERCENTAGE,
            ValueType.AMOUNT,
            ValueType.HOURS,
            ValueType.RATIO,
        )
    },
    ValueType.BOOLEAN: st.one_of(
        answers.map(lambda pair: (f" {pair[1](pair[0])} ", YES_NO[pair[0]])),
        st.text(max_size=12)
        .filter(lambda text: text.strip() and text.strip().lower() not in YES_NO)
        .map(lambda text: (text, REFUSED)),
        empty,
    ),
    ValueType.TEXT: st.one_of(
        kept_text,
        empty,
        st.tuples(plain_text, plain_text).map(lambda parts: ("\x00".join(parts), REFUSED)),
    ),
}


@settings(max_examples=500, deadline=None)
@given(case=st.sampled_from(ValueType.values).flatmap(lambda kind: st.tuples(st.just(kind), ANY[kind])))
def test_the_parser_reads_what_the_oracle_says(case):
    """Fast and many examples: the grammar the page reads (core.values) against the oracle; the page
    test below checks that the page applies it, all or nothing."""
    value_type, (text, want) = case
    try:
        got = values.parse_value(value_type, text)
    except ValidationError:
        got = REFUSED
    assert type(got) is type(want) and got == want


def test_the_oracle_knows_the_grammar():
    """The oracle's own cases, checked by hand, so that the property test below stands on them."""
    assert number_rule(ValueType.COUNT, Decimal("12.0"), 0) == 12
    assert number_rule(ValueType.COUNT, Decimal("12.5"), 1) == REFUSED
    assert number_rule(ValueType.PERCENTAGE, Decimal("100.5"), 1) == REFUSED
    assert number_rule(ValueType.AMOUNT, Decimal("1.234"), 3) == REFUSED
    assert number_rule(ValueType.RATIO, Decimal("-1"), 0) == REFUSED
    assert french(Decimal("1234.50")) == "1\u202f234,50"


@pytest.mark.parametrize("number", [11, 17, 19])  # together they hold every value type of the plan
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data(), careless=st.sampled_from(["none", "one", "one", "all"]), narrative=plain_text)
def test_random_input_never_breaks_the_page_nor_writes_half(
    number, draw, careless, narrative, spaser54, scp_user
):
    """A quarter of the examples type valid values everywhere (all saved); half anything in one field,
    so that the page's answer is that field's (saved, or refused with nothing written); a quarter
    anything everywhere (all or nothing)."""
    CampaignFactory(plan=spaser54, year=2025)
    fiche = Fiche.objects.select_related("plan").get(plan=spaser54, number=number)
    client = client_for(scp_user)
    data = page_form(client, entry_url(fiche))
    indicators = list(fiche.indicators.order_by("position"))
    one_type = draw.draw(st.sampled_from(sorted({i.value_type for i in indicators})))  # each type as likely
    one = draw.draw(st.sampled_from([i for i in indicators if i.value_type == one_type]))
    wild = {"none": [], "one": [one], "all": indicators}[careless]
    cases = [draw.draw((ANY if i in wild else VALID)[i.value_type]) for i in indicators]
    for indicator, (text, _) in zip(indicators, cases, strict=True):
        data[f"value_{indicator.pk}"] = text
    data["achievements"] = narrative
    response = client.post(entry_url(fiche), data)  # the test client re-raises any server error

    wanted = [want for _, want in cases]
    if REFUSED in wanted:
        assert response.status_code == 200
        assert not IndicatorValue.objects.filter(year=2025).exists()
        assert not AnnualReview.objects.filter(year=2025).exists()
    else:
        assert response.status_code == 302
        stored = {v.indicator_id: v.raw for v in IndicatorValue.objects.filter(year=2025)}
        for indicator, want in zip(indicators, wanted, strict=True):
            got = stored.get(indicator.pk)
            assert type(got) is type(want) and got == want, (indicator.value_type, cases)
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
    # the campaign one; + the plans (the URL's plan and the switcher), once per state of the data;
    # + the year's evidence and its open discussion threads (one query, whatever their number).
    with django_assert_max_num_queries(12):
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
