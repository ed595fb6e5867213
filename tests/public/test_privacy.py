"""Nothing private reaches the public site or its open data.

For each kind of private data a unique marker is written where that data lives; the whole public
site is then crawled from the home page, the sitemap and the catalogue (every page, the bilan's PDF,
every CSV and JSON file, the schemas) and no marker may appear anywhere. The same data validated is
shown, so that the crawl is known to reach where the markers would be. An unpublished plan has no
public address at all.
"""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from actions.enums import MilestoneStatus
from actions.models import Fiche
from actions.services import plan_publication_set
from core import rights
from indicators.enums import ReviewStatus
from reporting.services import bilan_publish, published_bilan_set_public
from tests.factories import (
    AnnualReviewFactory,
    FicheFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MilestoneFactory,
    PlanFactory,
    user_in_role,
)
from tests.public.conftest import crawl, readable_text, text_indicator

pytestmark = pytest.mark.django_db

MARKERS = {
    "draft value": "ZQ-valeur-brouillon",
    "draft review": "ZQ-bilan-brouillon",
    "submitted value": "ZQ-valeur-soumise",
    "submitted review": "ZQ-bilan-soumis",
    "returned value": "ZQ-valeur-renvoyee",
    "returned review": "ZQ-bilan-renvoye",
    "SCP's comment to the pilots": "ZQ-commentaire-scp",
    "pilot's comment on a validated value": "ZQ-commentaire-pilote",
    "pilot's first name": "Zqprenompilote",
    "pilot's last name": "Zqnompilote",
    "pilot's e-mail": "zq-pilote@courriel.example",
    "pilot's login": "zq.identifiant.pilote",
    "SCP's name (who validated, published)": "Zqnomscp",
    "SCP's e-mail": "zq-scp@courriel.example",
    "SCP's login": "zq.identifiant.scp",
    "withheld fiche's title": "ZQ-titre-fiche-retiree",
    "withheld fiche's context": "ZQ-contexte-fiche-retiree",
    "withheld fiche's indicator": "ZQ-indicateur-fiche-retiree",
    "withheld fiche's validated value": "ZQ-valeur-fiche-retiree",
    "withheld fiche's validated review": "ZQ-bilan-fiche-retiree",
    "withheld fiche's milestone": "ZQ-jalon-fiche-retiree",
    "unpublished plan's title": "ZQ-plan-non-publie",
    "unpublished plan's fiche": "ZQ-fiche-plan-non-publie",
    "date of a completion in a year not validated": "15/03/2024",
    "the same date, as open data writes it": "2024-03-15",
}
# What the same site shows once validated (the crawl reaches where the markers would be).
SHOWN = {
    "validated value": "Valeur validée publique 2022",
    "withheld fiche's reason": "Motif public du retrait",
    "validated review": "Réalisations validées publiques 2022",
}


def _review(fiche, year, status, text, **extra):
    return AnnualReviewFactory(fiche=fiche, year=year, status=status, achievements=text, **extra)


def _fiche_11(fiche, pilot, scp):
    """Fiche 11: 2022 validated, 2023 returned, 2024 submitted, 2025 in draft, each with a text value."""
    indicator = text_indicator(fiche)
    _review(
        fiche, 2022, ReviewStatus.VALIDATED, SHOWN["validated review"], submitted_by=pilot, validated_by=scp
    )
    IndicatorValueFactory(
        indicator=indicator,
        year=2022,
        value_number=None,
        value_text=SHOWN["validated value"],
        comment=MARKERS["pilot's comment on a validated value"],
        created_by=pilot,
        updated_by=pilot,
    )
    years = {
        2023: (ReviewStatus.RETURNED, "returned"),
        2024: (ReviewStatus.SUBMITTED, "submitted"),
        2025: (ReviewStatus.DRAFT, "draft"),
    }
    for year, (status, kind) in years.items():
        comment = MARKERS["SCP's comment to the pilots"] if status == ReviewStatus.RETURNED else ""
        _review(fiche, year, status, MARKERS[f"{kind} review"], return_comment=comment, submitted_by=pilot)
        value = MARKERS[f"{kind} value"]
        IndicatorValueFactory(indicator=indicator, year=year, value_number=None, value_text=value)
    # Reported done in 2024, a year not validated yet: still planned for the public.
    MilestoneFactory(
        fiche=fiche, due_year=2030, status=MilestoneStatus.DONE, completed_on=datetime.date(2024, 3, 15)
    )


def _withheld_fiche_7(fiche, scp):
    """Fiche 7, with validated content of its own, withheld by SCP."""
    Fiche.objects.filter(pk=fiche.pk).update(
        title=MARKERS["withheld fiche's title"], context=MARKERS["withheld fiche's context"]
    )
    indicator = IndicatorFactory(
        fiche=fiche, value_type="text", code="7-T1", label=MARKERS["withheld fiche's indicator"]
    )
    MilestoneFactory(fiche=fiche, text=MARKERS["withheld fiche's milestone"])
    _review(
        fiche, 2022, ReviewStatus.VALIDATED, MARKERS["withheld fiche's validated review"], validated_by=scp
    )
    value = MARKERS["withheld fiche's validated value"]
    IndicatorValueFactory(indicator=indicator, year=2022, value_number=None, value_text=value)


@pytest.fixture
def private_site(spaser54):
    """The plan published, with private data of every kind (fiches 5, 7 and 11 only: a quick PDF)."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 7, 11]).delete()
    scp = user_in_role(
        rights.SCP_GROUP,
        username=MARKERS["SCP's login"],
        last_name=MARKERS["SCP's name (who validated, published)"],
        email=MARKERS["SCP's e-mail"],
    )
    fiches = {f.number: f for f in Fiche.objects.filter(plan=spaser54)}
    pilot = user_in_role(
        rights.PILOTS_GROUP,
        pilot_of=fiches[11],
        username=MARKERS["pilot's login"],
        first_name=MARKERS["pilot's first name"],
        last_name=MARKERS["pilot's last name"],
        email=MARKERS["pilot's e-mail"],
    )
    _fiche_11(fiches[11], pilot, scp)
    AnnualReviewFactory(fiche=fiches[5], year=2022, status=ReviewStatus.VALIDATED, validated_by=scp)
    _withheld_fiche_7(fiches[7], scp)
    plan_publication_set(plan=spaser54, is_public=True, user=scp)
    bilan = bilan_publish(plan=spaser54, year=2022, user=scp)
    published_bilan_set_public(bilan=bilan, is_public=True, user=scp)
    fiche = Fiche.objects.get(pk=fiches[7].pk)
    fiche.is_withheld, fiche.withheld_reason = True, SHOWN["withheld fiche's reason"]
    fiche.save()
    unpublished = PlanFactory(title=MARKERS["unpublished plan's title"], slug="plan-non-publie")
    FicheFactory(objective__axis__plan=unpublished, title=MARKERS["unpublished plan's fiche"], number=1)
    return spaser54, unpublished


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in SCP"])
def test_no_private_data_on_any_public_page_or_file(private_site, logged_in, scp_user):
    """Every public address, read anonymously and by a logged-in SCP member (public pages are the same
    for everyone: a logged-in visitor must not prime a cache that an anonymous one then reads)."""
    client = Client()
    home = "/"  # the public site's home for a visitor; a logged-in user is sent to their workspace
    if logged_in:
        client.force_login(scp_user)
        home = reverse("public:index")
    responses = crawl(client, start=(home, "/sitemap.xml", reverse("public:catalogue")))
    plan = private_site[0]
    reached = set(responses)
    expected = {
        home,
        reverse("public:plan", args=[plan.slug]),
        reverse("public:fiche", args=[plan.slug, 11]),
        reverse("public:fiche", args=[plan.slug, 5]),
        reverse("public:bilan", args=[plan.slug, "2022", 1]),
        reverse("public:bilan_pdf", args=[plan.slug, "2022", 1]),
        reverse("public:catalogue"),
        "/sitemap.xml",
        *(reverse("public:data_file", args=[plan.slug, name]) for name in ("valeurs.csv", "plan.json")),
    }
    assert expected <= reached, expected - reached
    assert reverse("public:fiche", args=[plan.slug, 7]) not in reached
    texts = {path: readable_text(response) for path, response in responses.items()}
    for kind, marker in MARKERS.items():
        leaks = [path for path, text in texts.items() if marker.lower() in text.lower()]
        assert leaks == [], f"{kind} ({marker}) is public on {leaks}"
    everything = "\n".join(texts.values())
    for kind, text in SHOWN.items():
        assert text in everything, f"the {kind} should be public"


def test_an_unpublished_plan_has_no_public_address(private_site, client):
    public, unpublished = private_site
    fiche = unpublished.fiches.get()
    for plan in (unpublished, public):
        if plan is public:
            plan_publication_set(plan=public, is_public=False, user=None)
        for name, args in (
            ("public:plan", []),
            ("public:fiche", [fiche.number if plan is unpublished else 11]),
            ("public:bilans", []),
            ("public:bilan", ["2022", 1]),
            ("public:bilan_pdf", ["2022", 1]),
            ("public:data", []),
            ("public:data_file", ["valeurs.csv"]),
            ("public:data_file", ["plan.json"]),
        ):
            url = reverse(name, args=[plan.slug, *args])
            assert client.get(url).status_code == 404, url
    # Nothing is left on the public site but its empty index, the schemas and an empty catalogue.
    responses = crawl(client)
    assert all(not path.startswith(f"/public/{public.slug}/") for path in responses)
    text = "\n".join(readable_text(r) for r in responses.values())
    assert public.title not in text and MARKERS["unpublished plan's title"] not in text


def test_a_withheld_fiche_has_no_public_address(private_site, client):
    plan = private_site[0]
    assert client.get(reverse("public:fiche", args=[plan.slug, 7])).status_code == 404
    with pytest.raises(NoReverseMatch, match="^Reverse for 'fiche' with arguments .*'sept'.* not found"):
        reverse("public:fiche", args=[plan.slug, "sept"])
